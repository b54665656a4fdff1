"""Web pages of the dashboard."""

from django.urls import path

from dieuhanh.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("indicators/<str:code>/", views.indicator, name="indicator"),
    path(
        "indicators/<str:code>/export.<str:file_format>",
        views.indicator_export,
        name="indicator-export",
    ),
    path("scorecard/", views.scorecard, name="scorecard"),
    path("off-track/", views.offtrack, name="offtrack"),
    path("wall/", views.wall, name="wall"),
    path("wall/panels/", views.wall_panels, name="wall-panels"),
    path("maps/<str:code>.geojson", views.boundaries, name="boundaries"),
    path("palette.css", views.palette, name="palette"),
]
