"""Admin of org units, groups and successions (Vietnamese through the model verbose names)."""

from django.contrib import admin

from dieuhanh.orgunits.models import OrgUnit, OrgUnitGroup, Succession


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin[OrgUnit]):
    list_display = ["code", "name", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["kind", "depth"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["parent"]
    filter_horizontal = ["groups"]
    list_select_related = ["parent"]
    readonly_fields = ["path", "depth"]


@admin.register(OrgUnitGroup)
class OrgUnitGroupAdmin(admin.ModelAdmin[OrgUnitGroup]):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Succession)
class SuccessionAdmin(admin.ModelAdmin[Succession]):
    list_display = ["predecessor", "successor", "effective_date", "merge_type", "share"]
    list_filter = ["merge_type", "effective_date"]
    autocomplete_fields = ["predecessor", "successor"]
    list_select_related = ["predecessor", "successor"]
    search_fields = ["predecessor__name", "successor__name", "predecessor__code", "successor__code"]
