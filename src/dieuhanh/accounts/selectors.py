"""Reads of accounts: who is acting, and what they may see and change (their scope)."""

from __future__ import annotations

from dieuhanh.accounts.scope import Scope, scope_of
from dieuhanh.actors import acting_user, signed_in

__all__ = ["Scope", "acting_user", "scope_of", "signed_in"]
