"""Routes of the reporting calendar's API, mounted at /api/v1/ by the site's urls.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from dieuhanh.reporting.api.views import DataSetReportViewSet, DataSetViewSet, ObligationsView

router = SimpleRouter()
router.register("data-sets", DataSetViewSet, basename="dataset")
router.register("reporting/reports", DataSetReportViewSet, basename="datasetreport")

urlpatterns = [
    path("reporting/obligations/", ObligationsView.as_view(), name="api-reporting-obligations"),
    *router.urls,
]
