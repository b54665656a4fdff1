"""The admin's pages of accounts: a user's memberships, tokens and single sign-on link on the user's
page, memberships and tokens listed."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest

from dieuhanh.accounts.models import ApiToken, Membership, SingleSignOnLink
from dieuhanh.accounts.services import memberships_changed
from dieuhanh.admin import KeysChecked, ModelAdmin, TabularInline


class MembershipInline(TabularInline[Membership, Any]):
    model = Membership
    extra = 0
    autocomplete_fields = ["org_unit"]


class TokenInline(TabularInline[ApiToken, Any]):
    """A user's tokens: shown and revoked here, made by ``dieuhanh user token`` (the key is shown once)."""

    model = ApiToken
    extra = 0
    fields = ["name", "prefix", "created_at", "expires_at", "last_used_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SingleSignOnLinkInline(TabularInline[SingleSignOnLink, Any]):
    """The provider's identity that signs the user in: shown, and deleted so that the next sign-in
    through the provider links the user again (a person's account at the provider made anew);
    made by a first sign-in, never here."""

    model = SingleSignOnLink
    extra = 0
    fields = ["issuer", "subject", "linked_at"]
    readonly_fields = ["issuer", "subject", "linked_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MemberUserAdmin(KeysChecked, UserAdmin):
    inlines = [MembershipInline, TokenInline, SingleSignOnLinkInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # The roles' groups and the staff flag follow the memberships.
        memberships_changed(user=form.instance)


@admin.register(Membership)
class MembershipAdmin(ModelAdmin[Membership]):
    list_display = ["user", "role", "org_unit", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "org_unit__code", "org_unit__name"]
    autocomplete_fields = ["org_unit"]
    raw_id_fields = ["user"]

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        memberships_changed(user=obj.user)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        user = obj.user
        super().delete_model(request, obj)
        memberships_changed(user=user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        users = {m.user for m in queryset.select_related("user")}
        super().delete_queryset(request, queryset)
        for user in users:
            memberships_changed(user=user)


@admin.register(ApiToken)
class ApiTokenAdmin(ModelAdmin[ApiToken]):
    list_display = ["prefix", "user", "name", "created_at", "expires_at", "last_used_at"]
    search_fields = ["user__username", "name", "prefix"]
    readonly_fields = ["user", "prefix", "created_at", "last_used_at"]
    fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, MemberUserAdmin)


class RoleGroupAdmin(KeysChecked, GroupAdmin):
    """Django's groups (the roles' permissions), their forms' keys checked as every page's."""


if admin.site.is_registered(Group):
    admin.site.unregister(Group)
admin.site.register(Group, RoleGroupAdmin)
