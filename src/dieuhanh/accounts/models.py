"""Users' roles at units, and their API tokens.

Django's own ``User`` holds who a person is; a ``Membership`` says what they do (a role) and where
(a unit, with its whole subtree). An ``ApiToken`` lets a program act as the user, within the same
scope, until it expires. Other apps' records name the user who acted on them with
``acting_user_field``. A ``SingleSignOnLink`` ties a user to the identity that signs them in
through the single sign-on provider.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from dieuhanh.accounts.choices import DEPLOYMENT_ROLES, Role


def acting_user_field(verbose_name: StrOrPromise) -> models.ForeignKey[Any, Any]:
    """The user a record names as having acted on it (made it, reviewed it). The record outlives
    the account: deleting a user empties the field. A user lists no such records (no reverse
    accessor): who acted is read from the record."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class Membership(models.Model):
    """One role of one user at one unit (an administrative unit or an agency) and its subtree.

    A user may hold several: a reporter of two districts, a viewer of the province who reports for
    a department. Operators and administrators act on the whole deployment: their unit may be left
    empty (``DEPLOYMENT_ROLES``).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    # A unit is a row of the tree as it was assigned: the scope is that row's subtree, and does not
    # follow a re-organisation by itself (docs/deployment.md, "Roles and scopes").
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("org unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
        help_text=_("The unit or agency whose subtree the role covers; empty for operators and administrators."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user_id", "role", "org_unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "org_unit"], name="membership_unique"),
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(org_unit__isnull=True), name="membership_unique_everywhere"
            ),
            models.CheckConstraint(
                condition=Q(org_unit__isnull=False) | Q(role__in=sorted(DEPLOYMENT_ROLES)),
                name="membership_unit_needed",
            ),
        ]

    def __str__(self) -> str:
        where = self.org_unit.label() if self.org_unit_id and self.org_unit else _("everywhere")
        return f"{self.user} · {self.get_role_display()} · {where}"

    def clean(self) -> None:
        if self.org_unit_id is None and self.role not in DEPLOYMENT_ROLES:
            raise ValidationError(
                {"org_unit": _("A viewer, reporter or approver needs the unit or agency they work for.")}
            )


def token_digest(key: str) -> str:
    """What is stored of a token: its SHA-256 (a token is random and long, so no salt is needed)."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A key a program sends to act as its user (``Authorization: Token …``), until it expires.

    Only the key's digest is stored: the key is shown once, when it is made.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("What the token is for."))
    # The first characters of the key, to tell tokens apart in lists without revealing them.
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()


class SingleSignOnLink(models.Model):
    """The identity at the single sign-on provider (its issuer and subject, ``sub``) that signs a user
    in: written at the user's first sign-in through the provider, found by the e-mail address or
    user name; from then on only that identity signs in as the user, whatever address or name the
    provider later gives (docs/security.md, "Single sign-on"). Deleting it (the admin) lets the next
    sign-in link the user again.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="sso_link"
    )
    issuer = models.CharField(_("identity provider"), max_length=255)
    subject = models.CharField(
        _("subject"), max_length=255, help_text=_("The provider's unchanging identifier of the person (sub).")
    )
    linked_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("single sign-on link")
        verbose_name_plural = _("single sign-on links")
        ordering = ["user_id"]
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="sso_link_unique_identity")]

    def __str__(self) -> str:
        return f"{self.user} · {self.subject}"
