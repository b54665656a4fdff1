"""Web pages of data entry."""

from django.urls import path

from dieuhanh.ingest import views

app_name = "ingest"

urlpatterns = [
    path("imports/", views.imports, name="imports"),
    path("imports/template.xlsx", views.template_download, name="template"),
    path("imports/<int:pk>/", views.batch_detail, name="batch"),
    path("imports/<int:pk>/errors.csv", views.batch_errors_csv, name="errors_csv"),
]
