"""What the admin pages of every app share: how they write a stored figure."""

from __future__ import annotations

from decimal import Decimal

from dieuhanh.analytics.readmodel.writing import number


def admin_figure(value: Decimal | None, decimals: int) -> str:
    """A stored figure as the pages write it (1.234,5) with its indicator's decimals — or more, where
    the stored value has more: the admin is where operators check what is stored, and a figure rounded
    there would hide a difference the history records."""
    if value is None:
        return number(None, 0)
    exponent = value.normalize().as_tuple().exponent
    stored = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return number(value, max(decimals, stored))


def plain_number(value: Decimal | None) -> str | None:
    """A stored figure for an input box: its digits without the column's trailing zeros (1234.5, not
    1234.500000), nothing rounded; the box reads numbers with a point, whatever the language."""
    if value is None:
        return None
    return format(value.normalize(), "f")
