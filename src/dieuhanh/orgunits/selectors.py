"""Reads of the unit tree, and the one way to turn a code into a unit (at a date)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.orgunits.choices import MergeType, OrgUnitKind
from dieuhanh.orgunits.models import OrgUnit, Succession, day_text


@dataclass(frozen=True)
class TreeUnit:
    """A unit in tree order, with its depth in the listed tree (0 for a root), for an indented picker."""

    unit: OrgUnit
    level: int


def org_unit_tree(*, kinds: Collection[str] | None = None, on: dt.date | None = None) -> list[TreeUnit]:
    """Units (optionally only some kinds, only those valid ``on`` a day) depth first, siblings by
    sort order then code; one query.

    A unit whose parent is not listed (an agency's sub-unit when only
    administrative kinds are asked for) starts a tree of its own.
    """
    qs = OrgUnit.objects.only(
        "id", "code", "name", "name_en", "kind", "parent_id", "path", "depth", "sort_order", "valid_from", "valid_to"
    )
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    if on is not None:
        qs = qs.valid_on(on)
    return tree_order(list(qs))


def tree_order(units: Sequence[OrgUnit]) -> list[TreeUnit]:
    """``units`` depth first, siblings by sort order then code (no query); a unit whose parent is
    not among them starts a tree of its own."""
    listed = {u.pk for u in units}
    children: dict[int | None, list[OrgUnit]] = defaultdict(list)
    for unit in units:
        children[unit.parent_id if unit.parent_id in listed else None].append(unit)
    for siblings in children.values():
        siblings.sort(key=lambda u: (u.sort_order, u.code))
    ordered: list[TreeUnit] = []
    # An explicit stack rather than recursion: a national tree is deep enough to make recursion a risk
    # for no benefit, and the order is the same.
    stack: list[tuple[OrgUnit, int]] = [(u, 0) for u in reversed(children[None])]
    while stack:
        unit, level = stack.pop()
        ordered.append(TreeUnit(unit=unit, level=level))
        stack.extend((child, level + 1) for child in reversed(children.get(unit.pk, [])))
    return ordered


# --- the map of a date ------------------------------------------------------------------------
#
# The tree shown for a period is the one in force on its last day (docs/dashboards.md, "The map of a
# date"): before 1 July 2025 province → district → commune, after it province → commune. A unit
# asked about a period it did not live to the end of is shown on its own last day; a unit asked
# about a period before it began stands on the units it was made of (its predecessors then), whose
# figures the engine re-bases onto it.


def map_day(unit: OrgUnit, on: dt.date) -> dt.date:
    """The day whose map ``unit`` is shown on when a period ending ``on`` is asked: ``on``, or the
    unit's last day when it ended before."""
    return min(on, unit.valid_to) if unit.valid_to is not None else on


def began_after(unit: OrgUnit, on: dt.date) -> bool:
    """Whether ``unit`` did not exist yet on ``on`` (a unit shown re-based for a period before it began)."""
    return unit.valid_from is not None and unit.valid_from > on


def predecessors_on(unit: OrgUnit, *, on: dt.date, fields: Sequence[str] = ()) -> list[OrgUnit]:
    """The units ``unit`` was made of that were valid on ``on``, through as many successions as it
    takes, siblings' order (sort order, code); ``fields``: only these of each. One query a reform
    crossed (one, for a unit made on 1 July 2025 and a day before it)."""
    found: dict[int, OrgUnit] = {}
    seen, frontier = {unit.pk}, [unit.pk]
    while frontier:
        rows = OrgUnit.objects.filter(successions__successor_id__in=frontier).distinct()
        if fields:
            rows = rows.only(*fields)
        frontier = []
        for predecessor in rows:
            if predecessor.pk in seen:
                continue
            seen.add(predecessor.pk)
            if predecessor.is_valid_on(on):
                found[predecessor.pk] = predecessor
            elif began_after(predecessor, on):
                frontier.append(predecessor.pk)
    return sorted(found.values(), key=lambda u: (u.sort_order, u.code))


# --- codes to units ---------------------------------------------------------------------------
#
# A code names a unit only together with a date: since 1 July 2025 a merged unit may carry the
# code of the predecessor that hosts its People's Committee (Decision 19/2025/QĐ-TTg), so 25747 is
# Phường Phú Cường until 30/6/2025 and Phường Thủ Dầu Một from 1/7/2025. These functions are the one
# way to turn a code into a unit; every page, command, API and import goes through them, at the date
# its rules say (docs/catalogue.md, "Units through time").


def today() -> dt.date:
    """Today in the product's time zone (Asia/Ho_Chi_Minh): the date a question without one is asked at."""
    return timezone.localdate()


class UnitLookupError(LookupError):
    """A code that names no unit on a date: unknown (``units`` empty), or its units not valid then.

    ``str()`` is the message for the user: the units that carry the code, their validity and, for
    one that has ended, where it went ("hiệu lực đến 30/6/2025, từ 1/7/2025 thuộc …").
    """

    def __init__(self, code: str, on: dt.date, units: Sequence[OrgUnit], message: str) -> None:
        super().__init__(message)
        self.code, self.on, self.units, self.message = code, on, list(units), message

    @property
    def known(self) -> bool:
        """Whether the code is in the catalogue at all (at another time)."""
        return bool(self.units)


def units_by_code(codes: Iterable[str]) -> dict[str, list[OrgUnit]]:
    """Every unit carrying each code (those of unknown codes left out), earliest first; one query.

    Each unit's ``code_shared`` says whether another unit carries its code at another time.
    """
    wanted = {str(code) for code in codes if code}
    found: dict[str, list[OrgUnit]] = defaultdict(list)
    if not wanted:
        return {}
    for unit in OrgUnit.objects.filter(code__in=wanted).select_related("parent"):
        found[unit.code].append(unit)
    for units in found.values():
        units.sort(key=lambda u: u.valid_from or dt.date.min)
        for unit in units:
            unit.code_shared = len(units) > 1
    return dict(found)


def unit_on(units: Sequence[OrgUnit], on: dt.date) -> OrgUnit | None:
    """Of the units carrying one code, the one valid on ``on`` (their intervals are disjoint)."""
    return next((unit for unit in units if unit.is_valid_on(on)), None)


def unit_in(units: Sequence[OrgUnit], start: dt.date, end: dt.date) -> OrgUnit | None:
    """Of the units carrying one code (earliest first), the one for a period [start, end]: the one
    valid on its first day, else the first that began within it (an import's rule)."""
    return next((unit for unit in units if unit.is_valid_between(start, end)), None)


def unit_at(code: str, *, on: dt.date | None = None, since: dt.date | None = None) -> OrgUnit:
    """The unit that ``code`` names on ``on`` (default today); raises UnitLookupError.

    ``since``: a question about the period [since, on] (resolved at its last day) also finds a unit
    that ended within it, when no unit with the code is valid on its last day.
    """
    return units_at([code], on=on, since=since)[str(code)]


def units_at(
    codes: Iterable[str], *, on: dt.date | None = None, since: dt.date | None = None, strict: bool = True
) -> dict[str, OrgUnit]:
    """The unit each code names on ``on`` (default today), by code; one query for all.

    ``since`` as for ``unit_at``. ``strict``: a code naming no unit then raises UnitLookupError
    (the first such, in the order given); otherwise it is left out of the answer.
    """
    day = on or today()
    codes = [str(code) for code in codes]
    candidates = units_by_code(codes)
    found: dict[str, OrgUnit] = {}
    for code in codes:
        try:
            found[code] = unit_among(candidates.get(code, []), code, on=day, since=since)
        except UnitLookupError:
            if strict:
                raise
    return found


def unit_among(units: Sequence[OrgUnit], code: str, *, on: dt.date, since: dt.date | None = None) -> OrgUnit:
    """``unit_at`` among the units carrying ``code`` (``units_by_code``), for a caller that resolves
    one code at many dates; raises UnitLookupError."""
    unit = unit_on(units, on)
    if unit is None and since is not None:
        unit = next((u for u in reversed(units) if u.is_valid_between(since, on)), None)
    if unit is None:
        raise unit_lookup_error(code, on=on, units=units)
    return unit


def unit_lookup_error(code: str, *, on: dt.date, units: Sequence[OrgUnit]) -> UnitLookupError:
    """The error for a code that names none of ``units`` (all the units carrying it) on ``on``."""
    if not units:
        return UnitLookupError(
            code, on, [], _("Unknown org unit '%(code)s'; check the code against the catalogue.") % {"code": code}
        )
    return UnitLookupError(
        code,
        on,
        units,
        _("No unit has code %(code)s on %(date)s: %(units)s.")
        % {"code": code, "date": day_text(on), "units": "; ".join(unit_history(units))},
    )


def unit_history(units: Sequence[OrgUnit]) -> list[str]:
    """Each unit in words with its validity and, once it ended, its successors:
    "Phường Phú Cường, hiệu lực đến 30/6/2025, từ 1/7/2025 thuộc Phường Thủ Dầu Một (25747)"."""
    onward: dict[int, list[Succession]] = defaultdict(list)
    for succession in (
        Succession.objects.filter(predecessor__in=[u.pk for u in units])
        .select_related("successor")
        .order_by("effective_date", "successor__code")
    ):
        onward[succession.predecessor_id].append(succession)
    texts = []
    for unit in units:
        parts = [unit.name, unit.validity_text()]
        parts += [
            _("from %(date)s part of %(name)s (%(code)s)")
            % {"date": day_text(s.effective_date), "name": s.successor.name, "code": s.successor.code}
            for s in onward.get(unit.pk, [])
        ]
        texts.append(", ".join(parts))
    return texts


# --- agencies through reorganisations ------------------------------------------------------------
#
# Provincial departments are merged too (in 2025, Planning and Investment into Finance): an
# agency's work (its directives, its scorecards, the indicators it answers for) goes on under the
# agency that took it over. The same successions as the units' say so: a whole, renamed or
# unchanged succession carries all of it from its effective date; a part (a department split)
# carries nothing until someone says where each piece of work goes.


@dataclass(frozen=True)
class AgencyAt:
    """Where the work recorded under ``recorded`` stands on a date.

    ``unit``: the agency in force that carries it (``recorded`` itself when nothing happened);
    None when the chain reaches an agency split in part (``split``, from ``since``): not carried.
    ``formerly``: the agencies it went through, recorded first, when it was carried.
    """

    recorded: OrgUnit
    unit: OrgUnit | None
    formerly: tuple[OrgUnit, ...] = ()
    split: OrgUnit | None = None
    since: dt.date | None = None

    @property
    def carried(self) -> bool:
        return self.unit is not None and self.unit.pk != self.recorded.pk

    @property
    def not_carried(self) -> bool:
        return self.unit is None

    def text(self) -> str:
        """In words: "Sở Tài chính (trước đây: Sở Kế hoạch và Đầu tư)", the agency itself when
        nothing happened, "Sở Y tế — chưa chuyển giao (chia tách từ 1/3/2025)" past a split."""
        if self.unit is None:
            return _("%(agency)s — not carried (split from %(date)s)") % {
                "agency": self.recorded.name,
                "date": day_text(self.since) if self.since else "–",
            }
        if not self.carried:
            return self.unit.name
        return _("%(agency)s (formerly: %(formerly)s)") % {
            "agency": self.unit.name,
            "formerly": ", ".join(u.name for u in self.formerly),
        }


class AgencySuccessions:
    """Every succession whose predecessor is an agency, read once (one query: a province has a few
    dozen), to say which agency carries a piece of work on a date (``at``) and which agencies' work
    a given agency carries (``carried_into``)."""

    def __init__(self) -> None:
        self.onward: dict[int, list[Succession]] = defaultdict(list)
        for succession in (
            Succession.objects.filter(predecessor__kind=OrgUnitKind.AGENCY)
            .select_related("predecessor", "successor")
            .order_by("effective_date", "successor__code")
        ):
            self.onward[succession.predecessor_id].append(succession)

    def __bool__(self) -> bool:
        return bool(self.onward)

    def at(self, unit: OrgUnit, on: dt.date) -> AgencyAt:
        """The agency carrying ``unit``'s work on ``on``: through whole, renamed and unchanged
        successions in force by then; none past a part succession (a split)."""
        current, seen = unit, {unit.pk}
        formerly: list[OrgUnit] = []
        while True:
            going = [s for s in self.onward.get(current.pk, []) if s.effective_date <= on]
            if not going:
                return AgencyAt(unit, current, tuple(formerly))
            if len(going) > 1 or any(s.merge_type == MergeType.PART for s in going):
                return AgencyAt(unit, None, tuple(formerly), split=current, since=min(s.effective_date for s in going))
            following = going[0].successor
            if following.pk in seen:  # a cycle in the catalogue: stop where it closes
                return AgencyAt(unit, current, tuple(formerly))
            formerly.append(current)
            seen.add(following.pk)
            current = following

    def at_id(self, unit_id: int, on: dt.date) -> int | None:
        """``at`` by id, for a caller holding ids (the scorecards): the id carrying it, or None."""
        going = self.onward.get(unit_id)
        if not going:
            return unit_id
        carrier = self.at(going[0].predecessor, on).unit
        return carrier.pk if carrier is not None else None

    def onward_ids(self, unit_ids: Iterable[int]) -> set[int]:
        """The agencies that ever follow any of ``unit_ids`` (not included), through any succession."""
        found: set[int] = set()
        frontier = list(unit_ids)
        while frontier:
            for s in self.onward.get(frontier.pop(), []):
                if s.successor_id not in found:
                    found.add(s.successor_id)
                    frontier.append(s.successor_id)
        return found

    def earlier_ids(self, unit_ids: Iterable[int]) -> set[int]:
        """The agencies that any of ``unit_ids`` ever follows (not included), through any succession."""
        before: dict[int, set[int]] = defaultdict(set)
        for successions in self.onward.values():
            for s in successions:
                before[s.successor_id].add(s.predecessor_id)
        found: set[int] = set()
        frontier = list(unit_ids)
        while frontier:
            for pk in before.get(frontier.pop(), ()):
                if pk not in found:
                    found.add(pk)
                    frontier.append(pk)
        return found

    def change_days(self, unit_id: int) -> list[dt.date]:
        """The days on which the agency carrying ``unit_id``'s work may change."""
        return sorted(
            {s.effective_date for pk in {unit_id, *self.onward_ids([unit_id])} for s in self.onward.get(pk, [])}
        )

    def carried_into(self, unit: OrgUnit, on: dt.date) -> list[OrgUnit]:
        """The agencies (``unit`` not included) whose work ``unit`` carries on ``on``."""
        before: dict[int, list[OrgUnit]] = defaultdict(list)
        for successions in self.onward.values():
            for s in successions:
                before[s.successor_id].append(s.predecessor)
        found: dict[int, OrgUnit] = {}
        frontier = [unit]
        while frontier:
            for predecessor in before.get(frontier.pop().pk, []):
                if predecessor.pk not in found and predecessor.pk != unit.pk and self.at(predecessor, on).unit == unit:
                    found[predecessor.pk] = predecessor
                    frontier.append(predecessor)
        return list(found.values())


def agency_at(unit: OrgUnit, *, on: dt.date | None = None) -> AgencyAt:
    """The agency carrying ``unit``'s work on ``on`` (default today); see ``AgencySuccessions``."""
    return AgencySuccessions().at(unit, on or today())
