"""Routes of the analytics API, mounted at /api/v1/ by the site's urls.py."""

from django.urls import path

from dieuhanh.analytics.api.views import AnalyticsView, RankingView

urlpatterns = [
    path("analytics", AnalyticsView.as_view(), name="api-analytics"),
    path("analytics/ranking", RankingView.as_view(), name="api-ranking"),
]
