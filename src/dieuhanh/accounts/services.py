"""Writes of accounts: users with their roles, memberships, API tokens."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.choices import DEPLOYMENT_ROLES, Role
from dieuhanh.accounts.models import ApiToken, Membership, token_digest
from dieuhanh.accounts.roles import role_groups_sync
from dieuhanh.accounts.scope import scope_forget
from dieuhanh.orgunits.models import OrgUnit

TOKEN_DAYS = 90
# Tokens carry this prefix so that a leaked one is recognisable (secret scanners, logs).
TOKEN_PREFIX = "dh_"  # noqa: S105 - a marker, not a secret


def membership_add(*, user: Any, role: str, org_unit: OrgUnit | None = None) -> Membership:
    """Give ``user`` ``role`` at ``org_unit`` (and its subtree); nothing changes if they hold it."""
    if role not in Role.values:
        raise ValidationError(_("Unknown role “%(role)s”.") % {"role": role})
    if org_unit is None and role not in DEPLOYMENT_ROLES:
        raise ValidationError(_("A viewer, reporter or approver needs the unit or agency they work for."))
    with transaction.atomic():
        membership, _created = Membership.objects.get_or_create(user=user, role=role, org_unit=org_unit)
        _after_change(user)
    return membership


def membership_remove(*, membership: Membership) -> None:
    user = membership.user
    with transaction.atomic():
        membership.delete()
        _after_change(user)


def memberships_changed(*, user: Any) -> None:
    """What follows any change of ``user``'s memberships (the admin calls it after saving them)."""
    _after_change(user)


def _after_change(user: Any) -> None:
    role_groups_sync(user)
    # Operators and administrators work in the admin site.
    staff = user.memberships.filter(role__in=sorted(DEPLOYMENT_ROLES)).exists() or user.is_superuser
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
    scope_forget(user)


@dataclass(frozen=True)
class CreatedUser:
    user: Any
    password: str
    generated: bool


def user_create(
    *,
    username: str,
    role: str,
    org_units: Sequence[OrgUnit] = (),
    email: str = "",
    password: str | None = None,
) -> CreatedUser:
    """A new user holding ``role`` at each of ``org_units`` (none: operators and administrators).
    Without ``password``, one is generated, to be shown once."""
    User = get_user_model()  # noqa: N806 - a class
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("A user named “%(name)s” already exists.") % {"name": username})
    if not org_units and role not in DEPLOYMENT_ROLES:
        raise ValidationError(_("A viewer, reporter or approver needs the unit or agency they work for."))
    generated = password is None
    secret = password if password is not None else secrets.token_urlsafe(12)
    with transaction.atomic():
        user = User.objects.create_user(username=username, email=email, password=secret)
        units: list[OrgUnit | None] = list(org_units) or [None]
        for unit in units:
            membership_add(user=user, role=role, org_unit=unit)
    return CreatedUser(user=user, password=secret, generated=generated)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str


def api_token_create(*, user: Any, days: int = TOKEN_DAYS, name: str = "") -> IssuedToken:
    """A new token of ``user``, valid ``days`` days. Its key is returned once and never stored."""
    if days < 1:
        raise ValidationError(_("A token must be valid for at least one day."))
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[: len(TOKEN_PREFIX) + 5],
        digest=token_digest(key),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    return IssuedToken(token=token, key=key)


def api_token_touch(*, token: ApiToken) -> None:
    """Record that ``token`` was used; at most once a minute, not to write on every request."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
