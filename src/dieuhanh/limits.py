"""The work one request may ask for: rows of a page, cells of an analytics question.

Anyone may read the API, so what one request costs is bounded before any of it is done; what goes
beyond is refused with a 400 that says what was asked, the maximum, and how to ask less. The
numbers are settings (docs/api.md, "Limits").
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

# No list holds a billion rows; the bound keeps offset + limit inside the databases' 64-bit integers.
MAX_OFFSET = 10**9
# A parameter echoed back in a message is cut to this many characters.
ECHO_CHARS = 40
_WHOLE = re.compile(r"[0-9]{1,19}")


def grouped(number: int) -> str:
    """A count as the page's language writes it: 20.000 in Vietnamese, 20,000 in English."""
    return number_format(number, force_grouping=True)


def whole_number(raw: str, *, low: int, high: int) -> int | None:
    """``raw`` as a whole number within [low, high], or None: only ASCII digits (no sign, no
    full-width digits, no exponent), so that what is checked is what the database is given."""
    text = raw.strip()
    if not _WHOLE.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def echo(raw: str) -> str:
    return raw if len(raw) <= ECHO_CHARS else raw[:ECHO_CHARS] + "…"


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """``?limit=&offset=`` as DRF's, but a limit above ``DIEUHANH_MAX_PAGE_SIZE``, a negative
    one, or one that is not a whole number is refused with a 400, not quietly replaced."""

    @property
    def max_limit(self) -> int:  # type: ignore[override]
        # Read at each request, so that a test (or a deployment) changing the setting is obeyed.
        return int(settings.DIEUHANH_MAX_PAGE_SIZE)

    def get_limit(self, request: Request) -> int | None:
        raw = request.query_params.get(self.limit_query_param)
        if raw is None or raw.strip() == "":
            return self.default_limit
        value = whole_number(raw, low=1, high=self.max_limit)
        if value is None:
            raise ValidationError(
                {
                    self.limit_query_param: [
                        _(
                            "The page size '%(value)s' is not a whole number from 1 to %(max)s; ask for "
                            "at most %(max)s rows and page through the rest with offset."
                        )
                        % {"value": echo(raw), "max": grouped(self.max_limit)}
                    ]
                }
            )
        return value

    def get_offset(self, request: Request) -> int:
        raw = request.query_params.get(self.offset_query_param)
        if raw is None or raw.strip() == "":
            return 0
        value = whole_number(raw, low=0, high=MAX_OFFSET)
        if value is None:
            raise ValidationError(
                {
                    self.offset_query_param: [
                        _("The offset '%(value)s' is not a whole number from 0 to %(max)s.")
                        % {"value": echo(raw), "max": grouped(MAX_OFFSET)}
                    ]
                }
            )
        return value

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            bounds = (
                {"minimum": 1, "maximum": self.max_limit}
                if parameter["name"] == self.limit_query_param
                else {"minimum": 0, "maximum": MAX_OFFSET}
            )
            parameter["schema"] = {**parameter["schema"], **bounds}
        return parameters


def max_analytics_cells() -> int:
    return int(settings.DIEUHANH_MAX_ANALYTICS_CELLS)


def analytics_cells_check(*, indicators: int, org_units: int, periods: int) -> None:
    """Refuse (400) a question of more indicator × unit × period cells than the maximum, before
    anything is looked up or computed."""
    cells = indicators * org_units * periods
    limit = max_analytics_cells()
    if cells <= limit:
        return
    raise ValidationError(
        {
            "detail": [
                _(
                    "This question asks for %(cells)s cells (%(indicators)s indicators × %(units)s units "
                    "× %(periods)s periods); one question may ask for at most %(max)s. Ask for fewer "
                    "indicators, units or periods, or split the question into several."
                )
                % {
                    "cells": grouped(cells),
                    "indicators": grouped(indicators),
                    "units": grouped(org_units),
                    "periods": grouped(periods),
                    "max": grouped(limit),
                }
            ]
        }
    )


def ranking_cells_check(*, units: int) -> None:
    """Refuse (400) a ranking of more units than the maximum number of cells, before it is computed."""
    limit = max_analytics_cells()
    if units <= limit:
        return
    raise ValidationError(
        {
            "detail": [
                _(
                    "This ranking asks for %(units)s units; one question may ask for at most %(max)s. "
                    "Rank the units below a smaller unit, or fewer levels down (depth)."
                )
                % {"units": grouped(units), "max": grouped(limit)}
            ]
        }
    )
