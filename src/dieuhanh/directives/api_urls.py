"""Routes of the directives API, mounted at /api/v1/directives/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from dieuhanh.directives.api import DirectiveViewSet, ExtractView, ScorecardView, SourceDocumentViewSet

router = SimpleRouter()
router.register("sources", SourceDocumentViewSet, basename="directive-source")
router.register("", DirectiveViewSet, basename="directive")

urlpatterns = [
    path("extract/", ExtractView.as_view(), name="api-directives-extract"),
    path("scorecards/", ScorecardView.as_view(), name="api-directives-scorecards"),
    *router.urls,
]
