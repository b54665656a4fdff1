"""Who may do what through the API: anyone reads (public data only), writers need a permission."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission, DjangoModelPermissions
from rest_framework.request import Request

from dieuhanh.accounts.selectors import scope_of, signed_in


class ReadAnyoneWriteWithPermission(BasePermission):
    """Safe methods are open (views narrow what anonymous users see to public data).

    Writes need an authenticated user holding the view's ``write_permission``
    (e.g. ``"figures.add_importbatch"``), or, for model views, Django's model
    permission for the method.
    """

    message = _("Sign in with an account that is allowed to change this data.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        method = (request.method or "").lower()
        if method not in view.http_method_names or not hasattr(view, method):
            # The view does not answer this method: it says so (405); no permission is asked of a
            # model it may not have (DjangoModelPermissions needs a queryset).
            return True
        user = request.user
        if not signed_in(user):
            return False
        permission = getattr(view, "write_permission", None)
        if permission:
            return bool(user.has_perm(permission))
        return DjangoModelPermissions().has_permission(request, view)


class SignedInReadWriteWithPermission(BasePermission):
    """Reads need a signed-in user (the data is internal: directives, a project's obstacles);
    writes, the permission the rest of the API asks for."""

    message = _("Sign in to see this; changing it needs the matching permission.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if not signed_in(request.user):
            return False
        return ReadAnyoneWriteWithPermission().has_permission(request, view)


class ReadsEverything(BasePermission):
    """Leaders, operators and administrators (``Scope.reads_everything``): for what describes the
    whole deployment rather than a unit, such as the catalogue's history."""

    message = _("Only the province's leaders, operators and administrators see this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return scope_of(request.user).reads_everything
