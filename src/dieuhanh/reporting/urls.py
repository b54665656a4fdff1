"""Web pages of the reporting calendar, data entry and approvals."""

from django.urls import path

from dieuhanh.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("unit/<str:code>/", views.unit, name="unit"),
    path("entry/<str:data_set>/<str:code>/<str:period>/", views.entry, name="entry"),
    path("approvals/", views.approvals, name="approvals"),
]
