"""Web pages of the dashboard."""

from django.urls import path

from dieuhanh.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.overview, name="overview"),
]
