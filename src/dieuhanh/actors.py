"""Who is acting: the two questions every layer asks of a request's or a command's user.

Kept at the foundation (below the unit tree) so that every app may ask them; what a user may see
and change is ``accounts`` (roles and their scopes), above the unit tree it is scoped to."""

from __future__ import annotations

from typing import Any


def signed_in(user: Any) -> bool:
    """Whether ``user`` is a signed-in person (not None, not Django's anonymous user)."""
    return bool(user is not None and getattr(user, "is_authenticated", False))


def acting_user(user: Any) -> Any:
    """The signed-in user, or nobody (an anonymous visitor, a command, a test): what a record's
    ``created_by`` or ``changed_by`` holds."""
    return user if signed_in(user) else None
