"""Routes of the directives API, mounted at /api/v1/ by the site's urls.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from dieuhanh.directives.api.views import DirectiveViewSet, ExtractView, ScorecardView, SourceDocumentViewSet

router = SimpleRouter()
router.register("directives/sources", SourceDocumentViewSet, basename="directive-source")
router.register("directives", DirectiveViewSet, basename="directive")

urlpatterns = [
    path("directives/extract/", ExtractView.as_view(), name="api-directives-extract"),
    path("directives/scorecards/", ScorecardView.as_view(), name="api-directives-scorecards"),
    *router.urls,
]
