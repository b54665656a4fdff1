"""Routes of the figures API (data values, imports), mounted at /api/v1/ by the site's urls.py."""

from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from dieuhanh.ingest.api.views import DataValueViewSet, ImportViewSet

router = SimpleRouter()
router.register("data-values", DataValueViewSet, basename="datavalue")
router.register("imports", ImportViewSet, basename="import")

# With a format suffix too (/api/v1/data-values.json), as the API has always answered.
urlpatterns = format_suffix_patterns(router.urls)
