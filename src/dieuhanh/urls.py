"""URL map: web pages, admin, the REST API under /api/v1 and its OpenAPI schema."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from dieuhanh.analytics.api import AnalyticsView, RankingView
from dieuhanh.indicators.api import IndicatorViewSet, SectorViewSet, TargetViewSet
from dieuhanh.ingest.api import DataValueViewSet, ImportViewSet
from dieuhanh.orgunits.api import OrgUnitViewSet

# The admin is the province's system, not Django's: named after the product, in the page's language.
admin.site.site_header = _("dieuhanh · System administration")
admin.site.site_title = "dieuhanh"
admin.site.index_title = _("Catalogue, figures and directives")

router = DefaultRouter()
router.register("org-units", OrgUnitViewSet, basename="orgunit")
router.register("sectors", SectorViewSet, basename="sector")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("targets", TargetViewSet, basename="target")
router.register("data-values", DataValueViewSet, basename="datavalue")
router.register("imports", ImportViewSet, basename="import")

urlpatterns = [
    path("api/v1/analytics", AnalyticsView.as_view(), name="api-analytics"),
    path("api/v1/analytics/ranking", RankingView.as_view(), name="api-ranking"),
    path("api/v1/directives/", include("dieuhanh.directives.api_urls")),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("directives/", include("dieuhanh.directives.urls")),
    path("reports/", include("dieuhanh.reports.urls")),
    path("", include("dieuhanh.ingest.urls")),
    path("", include("dieuhanh.dashboard.urls")),
]
