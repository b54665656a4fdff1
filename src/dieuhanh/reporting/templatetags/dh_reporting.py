"""What the main menu shows of data entry with approval."""

from __future__ import annotations

from typing import Any

from django import template

from dieuhanh.accounts.selectors import scope_of

register = template.Library()


@register.simple_tag
def approvals_in_menu(user: Any) -> bool:
    """Whether the menu links the approvals page: for approvers, operators and administrators."""
    scope = scope_of(user)
    return scope.may_approve or scope.may_reopen
