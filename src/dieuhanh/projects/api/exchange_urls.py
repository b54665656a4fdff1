"""Routes of the register's exchange (imports, templates, the OC4IDS package), mounted at /api/v1/
by the site's urls.py — before the register's own routes, whose project detail would otherwise
take ``projects/imports`` for a project's code."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from dieuhanh.projects.api.exchange import OC4IDSView, ProjectImportViewSet

router = SimpleRouter()
router.register("projects/imports", ProjectImportViewSet, basename="projectimport")

urlpatterns = [
    path("projects/oc4ids/", OC4IDSView.as_view(), name="projects-oc4ids"),
    *router.urls,
]
