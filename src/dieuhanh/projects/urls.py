"""Web pages of public investment (namespace ``projects``)."""

from django.urls import path

from dieuhanh.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list_page, name="list"),
    path("investors/", views.investors_page, name="investors"),
    path("map/", views.map_page, name="map"),
    path("<str:code>/", views.project_page, name="detail"),
]
