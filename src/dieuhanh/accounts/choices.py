"""The fixed lists of the accounts app's models."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a member does at the units of their membership (docs/deployment.md, "Roles and scopes")."""

    VIEWER = "viewer", _("Viewer")
    REPORTER = "reporter", _("Reporter")
    APPROVER = "approver", _("Approver")
    OPERATOR = "operator", _("Operator")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles that act on the whole deployment, whatever unit their membership names (the catalogue and
# the calendar are one for all units; an administrator manages everything).
DEPLOYMENT_ROLES = frozenset({Role.OPERATOR, Role.ADMINISTRATOR})
