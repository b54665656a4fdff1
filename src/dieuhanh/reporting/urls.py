"""Web pages of the reporting calendar."""

from django.urls import path

from dieuhanh.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("unit/<str:code>/", views.unit, name="unit"),
]
