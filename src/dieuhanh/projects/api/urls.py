"""Routes of the public-investment API, mounted at /api/v1/ by the site's urls.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from dieuhanh.projects.api.views import (
    AllocationViewSet,
    DisbursementsView,
    InvestorRankingView,
    MilestoneViewSet,
    ObstacleViewSet,
    ProjectsMapView,
    ProjectViewSet,
    SiteClearanceView,
    TransferProposalsView,
    TransferViewSet,
)

router = SimpleRouter()
router.register("projects/allocations", AllocationViewSet, basename="project-allocation")
router.register("projects/transfers", TransferViewSet, basename="project-transfer")
router.register("projects/obstacles", ObstacleViewSet, basename="project-obstacle")
router.register("projects/milestones", MilestoneViewSet, basename="project-milestone")
# Last: a project's code would otherwise take the other routes' names.
router.register("projects", ProjectViewSet, basename="project")

urlpatterns = [
    path("projects/disbursements/", DisbursementsView.as_view(), name="api-projects-disbursements"),
    path("projects/site-clearance/", SiteClearanceView.as_view(), name="api-projects-site-clearance"),
    path("projects/investors/", InvestorRankingView.as_view(), name="api-projects-investors"),
    path("projects/proposals/", TransferProposalsView.as_view(), name="api-projects-proposals"),
    path("projects/map/", ProjectsMapView.as_view(), name="api-projects-map"),
    *router.urls,
]
