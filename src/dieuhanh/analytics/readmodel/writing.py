"""How a figure is written, on every surface: pages, the wall, the report, the exports.

One module, so that two surfaces can never write the same figure two ways:

- numbers are rounded half up (as offices round, not to even) to the indicator's decimals,
  grouped and written in the language's format (1.234.567,8 in Vietnamese); a missing figure
  is a dash;
- a change on the same period last year is a relative change in per cent with one decimal,
  except for a rate (an indicator in %, or one the catalogue marks as a rate), whose change is
  the difference in **percentage points** of the two rates as printed, so that a reader who
  subtracts the printed figures finds the printed change;
- the gap between the year-end estimate and the plan follows the same rule (points for a rate),
  signed so that a negative gap is behind whatever the indicator's direction;
- a trend (up, down, flat) is read from the change as printed, so "0,0" never carries an arrow;
- status names and the one status palette that the CSS, the chart script and the report's
  charts all read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from django.utils import translation
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dieuhanh.analytics.engine import HUNDRED, MissingReason, Status

MISSING = "–"
# Changes and shares of a plan are written with one decimal, as the statistics office does.
PERCENT_DECIMALS = 1
# Enough digits to round any stored figure (24 digits, 6 decimals) without the default context's 28-digit cap.
_WIDE = Context(prec=60)


def rounded(value: object, places: int) -> Decimal | None:
    """``value`` rounded half up to ``places`` decimals; None when it is missing or not a number.

    A figure that rounds to nothing is 0, never "-0,0".
    """
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        result = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_WIDE)
    except (InvalidOperation, ValueError):
        return None
    return abs(result) if result == 0 else result


def number(value: object, places: int) -> str:
    """A figure with ``places`` decimals, grouped, in the active language's format; "–" if missing."""
    result = rounded(value, places)
    if result is None:
        return MISSING
    return number_format(result, decimal_pos=places, use_l10n=True, force_grouping=True)


def number_vi(value: object, places: int) -> str:
    """A figure the Vietnamese way (1.234.567,8) whatever the active language: for documents."""
    with translation.override("vi"):
        return number(value, places)


def signed(value: object, places: int) -> str:
    """A change with its sign: +12,3 / -4,0 / 0,0; "–" if missing."""
    text = number(value, places)
    result = rounded(value, places)
    return f"+{text}" if result is not None and result > 0 else text


def trend_of(change: object, places: int) -> str:
    """``up``, ``down`` or ``flat`` as the change reads once rounded; empty when unknown."""
    result = rounded(change, places)
    if result is None:
        return ""
    if result > 0:
        return "up"
    return "down" if result < 0 else "flat"


def tone_of(trend: str, direction: str) -> str:
    """``good`` or ``bad`` for a trend by the indicator's direction, ``neutral`` when flat, empty when unknown."""
    if trend in ("", "flat"):
        return "neutral" if trend else ""
    better = "down" if direction == "down" else "up"
    return "good" if trend == better else "bad"


ARROWS = {"up": "▲", "down": "▼"}


@dataclass(frozen=True)
class Change:
    """A change written for people: per cent (one decimal) or percentage points (the rate's decimals).

    ``value`` is signed; ``direction`` is the indicator's (for the tone).
    """

    value: Decimal | None
    in_points: bool
    places: int
    direction: str = "up"

    @property
    def trend(self) -> str:
        return trend_of(self.value, self.places)

    @property
    def tone(self) -> str:
        return tone_of(self.trend, self.direction)

    @property
    def arrow(self) -> str:
        return ARROWS.get(self.trend, "")

    @property
    def known(self) -> bool:
        return self.value is not None

    @property
    def signed(self) -> str:
        """+5,2 / -2,30 (no unit)."""
        return signed(self.value, self.places)

    @property
    def magnitude(self) -> str:
        """The size of the change without its sign: 5,2 / 2,30 (the words say which way)."""
        return number(abs(self.value), self.places) if self.value is not None else MISSING

    @property
    def unit(self) -> str:
        """ "điểm %" for points, "%" for per cent."""
        return str(POINTS_UNIT) if self.in_points else "%"

    @property
    def text(self) -> str:
        """The change with its sign and unit: "+5,2%" / "-2,30 điểm %"; "–" if unknown."""
        if self.value is None:
            return MISSING
        return f"{self.signed}%" if not self.in_points else f"{self.signed} {POINTS_UNIT}"

    def __str__(self) -> str:
        return self.text


POINTS_UNIT: Promise = pgettext_lazy("a change of a rate, abbreviated", "pp")


def change_pct(value: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """(value / previous − 1) × 100, the contract's ``yoy_pct``; None if either is missing or previous is 0."""
    if value is None or previous is None or previous == 0:
        return None
    return (value / previous - 1) * HUNDRED


def points(value: Decimal | None, previous: Decimal | None, places: int) -> Decimal | None:
    """The difference of two rates as printed (each rounded to ``places``), in percentage points."""
    a, b = rounded(value, places), rounded(previous, places)
    if a is None or b is None:
        return None
    return a - b


def change_of(
    value: Decimal | None, previous: Decimal | None, *, rate: bool, places: int, direction: str = "up"
) -> Change:
    """The change from ``previous`` to ``value``: points of a rate, else per cent."""
    if rate:
        return Change(points(value, previous, places), in_points=True, places=places, direction=direction)
    return Change(change_pct(value, previous), in_points=False, places=PERCENT_DECIMALS, direction=direction)


def gap_of(
    projection: Decimal | None, plan: Decimal | None, *, rate: bool, places: int, direction: str = "up"
) -> Change:
    """How far the year-end estimate is from the plan, negative when behind whatever the direction:
    in points for a rate, else in per cent of the plan."""
    if projection is None or plan is None:
        return Change(None, in_points=rate, places=places if rate else PERCENT_DECIMALS)
    sign = -1 if direction == "down" else 1
    if rate:
        gap = points(projection, plan, places)
        return Change(None if gap is None else sign * gap, in_points=True, places=places)
    if plan == 0:
        return Change(None, in_points=False, places=PERCENT_DECIMALS)
    return Change(sign * (projection - plan) / abs(plan) * HUNDRED, in_points=False, places=PERCENT_DECIMALS)


# ---- status: names and colours ------------------------------------------------------------------

STATUS_LABELS: dict[str, Promise] = {
    Status.ON_TRACK.value: _("On track"),
    Status.AT_RISK.value: _("At risk"),
    Status.OFF_TRACK.value: _("Off track"),
    Status.NO_TARGET.value: _("No target set"),
    # Not the contract's: a surface's, for a status judged on figures not every unit has reported.
    "partial": _("Incomplete figures"),
}


def status_label(status: object) -> str:
    """The name of an analytics status; empty when there is none (a plan, but no figure yet)."""
    label = STATUS_LABELS.get(str(status)) if status else None
    return str(label) if label is not None else ""


@dataclass(frozen=True)
class StatusColours:
    """One status's colours: ``strong`` fills a map, a bar or a tile's edge; a badge is ``ink`` on
    ``wash`` within ``line``. Each ink keeps 7:1 on its wash, each strong colour 3:1 on white."""

    strong: str
    wash: str
    line: str
    ink: str


# The one palette: the pages' CSS (``palette_css``), the charts' JSON and the report's charts read it.
# "none": a figure without a status (no plan, or no figure yet).
PALETTE: dict[str, StatusColours] = {
    Status.ON_TRACK.value: StatusColours(strong="#2e7d32", wash="#dcf2e2", line="#8fcc9f", ink="#0e5222"),
    Status.AT_RISK.value: StatusColours(strong="#c98a00", wash="#fff0c7", line="#e0b850", ink="#5c3b00"),
    Status.OFF_TRACK.value: StatusColours(strong="#c62828", wash="#fde2df", line="#ea9a93", ink="#8c1d18"),
    Status.NO_TARGET.value: StatusColours(strong="#8d99a6", wash="#eceff2", line="#c4cbd3", ink="#3a434d"),
    "partial": StatusColours(strong="#6d7fa3", wash="#e8edf7", line="#a9b6d3", ink="#27324a"),
    "none": StatusColours(strong="#9e9e9e", wash="#eceff2", line="#c4cbd3", ink="#3a434d"),
}


def status_colours(status: str | None) -> StatusColours:
    return PALETTE.get(status or "none", PALETTE["none"])


def palette_css() -> str:
    """The palette as CSS custom properties (``--status-on_track-strong`` …) for the pages' stylesheets."""
    lines = [
        f"--status-{key}-{part}: {getattr(colours, part)};"
        for key, colours in PALETTE.items()
        for part in ("strong", "wash", "line", "ink")
    ]
    return ":root { " + " ".join(lines) + " }"


# ---- re-based figures (docs/analytics.md, "Re-based values") ------------------------------------

# The mark beside a figure computed from the former units on the new map.
REBASED_MARK: Promise = pgettext_lazy("mark beside a figure computed from the former units", "re-based")
# The standard note under a table or tiles where a figure of the same period last year is re-based.
REBASED_PREVIOUS_NOTE: Promise = _(
    "Figures of the same period last year are re-based to the new administrative boundaries."
)
REBASED_NOTE: Promise = _(
    "Figures marked “re-based” are computed from the former units, on the new administrative boundaries."
)


def share_text(share: Decimal | None) -> str:
    """A predecessor's share of a successor, for a reader: "toàn bộ" (whole), "60 %", "chưa rõ tỷ lệ"."""
    if share is None:
        return str(_("share not known"))
    if share >= 1:
        return str(_("whole"))
    pct = share * HUNDRED
    places = 0 if pct == pct.to_integral_value() else PERCENT_DECIMALS
    return f"{number(pct, places)} %"


def composition_list(parts: Sequence[tuple[str, Decimal | None]]) -> str:
    """The predecessors of a re-based figure with their shares: "Phường A (toàn bộ), Phường B (60 %)"."""
    return ", ".join(f"{name} ({share_text(share)})" for name, share in parts)


def composition_text(parts: Sequence[tuple[str, Decimal | None]]) -> str:
    """What a re-based figure was computed from: "Quy đổi theo địa giới hành chính mới từ: Phường A
    (toàn bộ), Phường B (60 %)"; empty without predecessors."""
    if not parts:
        return ""
    return str(_("Re-based to the new administrative boundaries from: %(parts)s")) % {"parts": composition_list(parts)}


# A figure's numbers, as a list of which are re-based names them (an export's column).
REBASED_PART_LABELS: dict[str, Promise] = {
    "value": pgettext_lazy("a re-based number of a figure", "value"),
    "previous": pgettext_lazy("a re-based number of a figure", "same period last year"),
    "ytd": pgettext_lazy("a re-based number of a figure", "cumulative"),
    "previous_ytd": pgettext_lazy("a re-based number of a figure", "cumulative last year"),
    "projection": pgettext_lazy("a re-based number of a figure", "year-end estimate"),
}


def rebased_parts_text(parts: Sequence[str]) -> str:
    """Which numbers of a figure are re-based, in words: "cùng kỳ, dự báo cả năm"."""
    return ", ".join(str(REBASED_PART_LABELS[p]) for p in REBASED_PART_LABELS if p in parts)


def missing_reason_short(reason: str | None, units: Sequence[str]) -> str:
    """Why a re-based figure is missing, in a few words for a table cell: "chưa rõ tỷ lệ của Phường E",
    "không quy đổi"; empty when nothing is missing for a reason."""
    if reason == MissingReason.SHARE_UNKNOWN:
        return str(_("share of %(units)s not known")) % {"units": ", ".join(units)}
    if reason == MissingReason.NOT_REBASED:
        return str(_("not re-based"))
    return ""


def missing_reason_text(reason: str | None, units: Sequence[str]) -> str:
    """Why a re-based figure is missing, in a sentence (the words of ``Measures.missing_text``)."""
    if reason == MissingReason.SHARE_UNKNOWN:
        return gettext("Not re-based: the share of %(units)s that went to this unit is not known.") % {
            "units": ", ".join(units)
        }
    if reason == MissingReason.NOT_REBASED:
        return gettext("Not re-based: this indicator cannot be carried from the former units.")
    return ""
