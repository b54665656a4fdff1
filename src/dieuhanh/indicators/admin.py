"""Admin of the indicator catalogue and targets."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from dieuhanh.admin import admin_figure
from dieuhanh.indicators.models import Indicator, Sector, Target
from dieuhanh.orgunits.admin import CatalogueHistoryAdmin


@admin.register(Sector)
class SectorAdmin(CatalogueHistoryAdmin):
    list_display = ["code", "name", "sort_order"]
    search_fields = ["code", "name"]


@admin.register(Indicator)
class IndicatorAdmin(CatalogueHistoryAdmin):
    list_display = ["code", "name", "unit", "period_type", "aggregation", "direction", "sector", "is_public"]
    list_filter = ["sector", "period_type", "aggregation", "direction", "is_public"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["numerator", "denominator", "responsible_agency", "sector"]
    list_select_related = ["sector"]
    fieldsets = [
        (None, {"fields": ["code", "name", "name_en", "short_name", "description", "sector", "responsible_agency"]}),
        (
            "",
            {
                "fields": [
                    "unit",
                    "unit_en",
                    "is_rate",
                    "period_type",
                    "aggregation",
                    "collected_at",
                    "numerator",
                    "denominator",
                    "factor",
                ]
            },
        ),
        (
            "",
            {"fields": ["direction", "decimals", "min_value", "max_value", "is_public", "legal_source", "sort_order"]},
        ),
    ]


@admin.register(Target)
class TargetAdmin(CatalogueHistoryAdmin):
    list_display = ["indicator", "org_unit", "year_from", "year_to", "shown_value", "source"]
    list_filter = ["year_from", "indicator__sector"]
    search_fields = ["indicator__code", "indicator__name", "org_unit__code", "org_unit__name"]
    autocomplete_fields = ["indicator", "org_unit"]
    list_select_related = ["indicator", "org_unit"]

    @admin.display(description=_("value"), ordering="value")
    def shown_value(self, obj: Target) -> str:
        return admin_figure(obj.value, obj.indicator.decimals)
