"""A decimal model field that keeps every digit of a figure on every database."""

from __future__ import annotations

import decimal
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

# Room to give any figure (or a sum SQLite made of figures) its decimal places.
_WIDE = decimal.Context(prec=60)


class ExactDecimalField(models.DecimalField[Any, Any]):
    """A DecimalField whose figures come back from SQLite exactly as they went in.

    Django gives a DecimalField on SQLite a column of NUMERIC affinity: SQLite turns the number
    into a float (15 significant digits) and Django reads it back rounded to 15 digits, so
    1234567890123456 comes back as 1234567890123460. Here the SQLite column has no affinity
    (its declared type names BLOB) and keeps what it is given: an integer as an integer, a
    figure that a float holds exactly as a float, and only a figure with more digits than a
    float holds as its decimal text. Comparing, sorting and adding in SQL stay numeric for
    every figure but those few (text sorts after numbers); the analytics engine adds figures
    in Python. PostgreSQL keeps its numeric(max_digits, decimal_places), exact already.

    Figures are read back with ``decimal_places`` places, as PostgreSQL gives them.
    """

    def get_internal_type(self) -> str:
        # Not "DecimalField": Django would convert what SQLite returns through a float.
        return "ExactDecimalField"

    def db_type(self, connection: BaseDatabaseWrapper) -> str:
        if connection.vendor == "sqlite":
            return "decimal_blob"
        return str(connection.data_types["DecimalField"] % self.db_type_parameters(connection))

    def get_db_prep_value(self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        if value is None or hasattr(value, "as_sql"):
            return value
        if connection.vendor == "sqlite":
            return sqlite_figure(value, places=self.decimal_places)
        return connection.ops.adapt_decimalfield_value(value, self.max_digits, self.decimal_places)

    def get_db_converters(self, connection: BaseDatabaseWrapper) -> list[Callable[..., Any]]:
        if connection.vendor != "sqlite":
            return []  # PostgreSQL's driver gives Decimals already
        quantum = _QUANTA[self.decimal_places]

        def from_sqlite(value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Decimal | None:
            if value is None:
                return None
            # repr of a float: the shortest text that is this float, i.e. the decimal stored.
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
            try:
                return number.quantize(quantum)
            except decimal.InvalidOperation:
                # A sum too large for the default precision, or not a number at all.
                return number.quantize(quantum, context=_WIDE) if number.is_finite() else number

        return [from_sqlite]

    def checked_writer(self, connection: BaseDatabaseWrapper) -> Callable[[Decimal], Any]:
        """How a checked figure (a finite Decimal with at most ``decimal_places`` places) is written,
        without ``get_db_prep_save``'s conversions, a few times dearer: an import writes millions."""
        if connection.vendor == "sqlite":
            return partial(sqlite_figure, places=self.decimal_places)
        return partial(
            connection.ops.adapt_decimalfield_value, max_digits=self.max_digits, decimal_places=self.decimal_places
        )


def sqlite_figure(value: Decimal, *, places: int) -> int | float | str:
    """How SQLite keeps a figure exactly: an integer, a float that is exactly it, or its text."""
    exact = value.quantize(_QUANTA[places], rounding=ROUND_HALF_UP)
    whole = int(exact)
    if whole == exact and -(2**63) <= whole < 2**63:
        return whole
    as_float = float(exact)
    if Decimal(repr(as_float)) == exact:
        return as_float
    return format(exact, "f")


_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(19)}
