"""Pieces shared by every app's REST API."""

from __future__ import annotations

from typing import Any

from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError


class ProtectedDeleteMixin:
    """Refuse to delete what other records still use, with a message instead of a server error."""

    def perform_destroy(self, instance: Any) -> None:
        try:
            instance.delete()
        except ProtectedError as exc:
            raise ValidationError(
                {
                    "detail": _("Cannot delete %(object)s: %(n)d other record(s) still refer to it.")
                    % {"object": instance, "n": len(exc.protected_objects)}
                }
            ) from exc
