"""Web pages of reports."""

from django.urls import path

from dieuhanh.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/download/", views.download, name="download"),
    path("preview/", views.preview, name="preview"),
]
