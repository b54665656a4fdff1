"""URL map: web pages, admin, the REST API under /api/v1 (each app's api/urls.py) and its OpenAPI schema."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import APIRootView
from rest_framework.urlpatterns import format_suffix_patterns

from dieuhanh.accounts.oidc import SignOutView

# The admin is the province's system, not Django's: named after the product, in the page's language.
admin.site.site_header = _("dieuhanh · System administration")
admin.site.site_title = "dieuhanh"
admin.site.index_title = _("Catalogue, figures and directives")

# The browsable API's front page (/api/v1/): links to the catalogue's and the figures' lists.
api_root = APIRootView.as_view(
    api_root_dict={
        "org-units": "orgunit-list",
        "org-unit-groups": "orgunitgroup-list",
        "successions": "succession-list",
        "sectors": "sector-list",
        "indicators": "indicator-list",
        "targets": "target-list",
        "catalogue-changes": "cataloguechange-list",
        "data-values": "datavalue-list",
        "imports": "import-list",
        "data-sets": "dataset-list",
        "projects": "project-list",
        "project-obstacles": "project-obstacle-list",
        "project-imports": "projectimport-list",
    }
)

urlpatterns = [
    path("api/v1/", include("dieuhanh.orgunits.api.urls")),
    path("api/v1/", include("dieuhanh.indicators.api.urls")),
    path("api/v1/", include("dieuhanh.ingest.api.urls")),
    path("api/v1/", include("dieuhanh.analytics.api.urls")),
    path("api/v1/", include("dieuhanh.directives.api.urls")),
    path("api/v1/", include("dieuhanh.reporting.api.urls")),
    # The register's exchange before its own routes (a project's code would take "imports").
    path("api/v1/", include("dieuhanh.projects.api.exchange_urls")),
    path("api/v1/", include("dieuhanh.projects.api.urls")),
    # With a format suffix too (/api/v1/.json), as the API has always answered.
    path("api/v1/", include(format_suffix_patterns([path("", api_root, name="api-root")]))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    # Signing out of the admin signs out of the single sign-on provider too, as the site's sign-out.
    path("admin/logout/", SignOutView.as_view(), name="admin_logout"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("directives/", include("dieuhanh.directives.urls")),
    path("projects/", include("dieuhanh.projects.urls")),
    path("reports/", include("dieuhanh.reports.urls")),
    path("reporting/", include("dieuhanh.reporting.urls")),
    path("", include("dieuhanh.ingest.urls")),
    path("", include("dieuhanh.dashboard.urls")),
]

# Single sign-on (docs/deployment.md): its URLs exist only when it is configured.
if settings.DIEUHANH_OIDC:
    urlpatterns.append(path("oidc/", include("dieuhanh.accounts.urls")))
