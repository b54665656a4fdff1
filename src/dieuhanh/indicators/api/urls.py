"""Routes of the catalogue API, mounted at /api/v1/ by the site's urls.py."""

from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from dieuhanh.indicators.api.views import IndicatorViewSet, SectorViewSet, TargetViewSet

router = SimpleRouter()
router.register("sectors", SectorViewSet, basename="sector")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("targets", TargetViewSet, basename="target")

# With a format suffix too (/api/v1/indicators.json), as the API has always answered.
urlpatterns = format_suffix_patterns(router.urls)
