"""Routes of the org units API, mounted at /api/v1/ by the site's urls.py."""

from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from dieuhanh.orgunits.api.views import (
    CatalogueChangeViewSet,
    OrgUnitGroupViewSet,
    OrgUnitViewSet,
    SuccessionViewSet,
)

router = SimpleRouter()
router.register("org-units", OrgUnitViewSet, basename="orgunit")
router.register("org-unit-groups", OrgUnitGroupViewSet, basename="orgunitgroup")
router.register("successions", SuccessionViewSet, basename="succession")
router.register("catalogue-changes", CatalogueChangeViewSet, basename="cataloguechange")

# With a format suffix too (/api/v1/org-units.json), as the API has always answered.
urlpatterns = format_suffix_patterns(router.urls)
