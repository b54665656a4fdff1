"""Shares of a split unit proposed to the operator: by area from boundaries, by population from a figure.

A part succession (a unit split between several successors) needs the share of the old unit each
successor took, or its re-based values stay missing (docs/analytics.md). The official table does
not say it; the product proposes one, and the operator accepts it or not:

- by area, where both the old and the new polygons exist: share(P→S) = area(P ∩ S) / area(P);
- by population, from a figure the operator names (an indicator and a period):
  share(P→Sᵢ) = pop(Sᵢ) / Σⱼ pop(Sⱼ) over P's successors. An approximation: it assumes the old
  unit's people went to its successors in the proportion the successors now hold, which is exact
  only when no successor took land from another unit as well.

Proposals are stored (``ShareProposal``), never applied by being computed. Accepting them sets
``Succession.share`` (which invalidates the rollups, as any edit of a succession does: analytics'
signals) and records who accepted, when, and the share replaced. Shares are rounded down to the
six places the catalogue keeps, so a predecessor's proposals never add up to more than 1.

Areas are computed in a local plane: longitudes are scaled by the cosine of the predecessor's
mean latitude, an equal-area approximation whose error on a ratio is far below the shares'
precision for units the size of a province or smaller (the scale varies by cos(lat) across the
unit only: about 0.1 % over a degree of latitude at 11° N).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.actors import acting_user
from dieuhanh.orgunits.choices import MergeType, ShareMethod
from dieuhanh.orgunits.history import catalogue_change_note, catalogue_snapshot
from dieuhanh.orgunits.models import OrgUnit, ShareProposal, Succession, parts_exceed, share_text

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

PLACES = Decimal("0.000001")
NOISE = Decimal("0.000000001")


class ShareError(ValueError):
    """A share that cannot be proposed or accepted; ``str()`` says why, in the user's language."""


# ---- computing --------------------------------------------------------------------------------


# shapely (and numpy under it) is imported where a share is computed, not with the module: the
# admin imports this module at every start, and a command that never computes a share (an import)
# must not pay for them (tests/test_startup.py).


def _planar(geometry: BaseGeometry, scale: float) -> BaseGeometry:
    """``geometry`` (longitude, latitude) with longitudes scaled by ``scale``: a local equal-area plane."""
    import shapely  # noqa: PLC0415 - see above

    return shapely.transform(geometry, lambda xy: xy * (scale, 1.0))


def _geometry(geojson: Mapping[str, Any], *, what: str) -> BaseGeometry:
    import shapely  # noqa: PLC0415 - see above
    from shapely.geometry import shape  # noqa: PLC0415 - see above

    try:
        geometry = shape(geojson)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise ShareError(_("The boundary of %(unit)s is not a GeoJSON geometry.") % {"unit": what}) from exc
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise ShareError(_("The boundary of %(unit)s is not a polygon.") % {"unit": what})
    # A ring drawn crossing itself (common in digitised boundaries) would make the intersection fail.
    return geometry if geometry.is_valid else shapely.make_valid(geometry)


def area_share(predecessor: Mapping[str, Any], successor: Mapping[str, Any]) -> Decimal:
    """area(P ∩ S) / area(P) of two GeoJSON geometries (longitude, latitude), rounded down to six
    places; raises ShareError for a geometry that is not a polygon or has no area."""
    old = _geometry(predecessor, what=_("the predecessor"))
    new = _geometry(successor, what=_("the successor"))
    scale = math.cos(math.radians(old.centroid.y))
    old_plane, new_plane = _planar(old, scale), _planar(new, scale)
    if old_plane.area <= 0:
        raise ShareError(_("The boundary of the predecessor has no area."))
    ratio = old_plane.intersection(new_plane).area / old_plane.area
    # Floating-point noise first (a quarter computed as 0.2499999999), then down to the six places kept.
    return Decimal(repr(min(ratio, 1.0))).quantize(NOISE).quantize(PLACES, rounding=ROUND_DOWN)


def population_shares(populations: Mapping[int, Decimal | None], *, names: Mapping[int, str]) -> dict[int, Decimal]:
    """pop(Sᵢ) / Σⱼ pop(Sⱼ) for each successor id of one predecessor, rounded down to six places;
    raises ShareError naming the successors without a figure (``names``: how to name them)."""
    missing = [names[pk] for pk, value in populations.items() if value is None]
    if missing:
        raise ShareError(
            _("No figure for %(units)s: a population share needs one for every successor.")
            % {"units": ", ".join(missing)}
        )
    total = sum((v for v in populations.values() if v is not None), Decimal(0))
    if total <= 0:
        raise ShareError(_("The successors' figures add up to zero: no share can be computed from them."))
    return {
        pk: (value / total).quantize(PLACES, rounding=ROUND_DOWN)
        for pk, value in populations.items()
        if value is not None
    }


# ---- reading ------------------------------------------------------------------------------------


def part_successions(*, predecessors: Sequence[OrgUnit] | None = None) -> dict[OrgUnit, list[Succession]]:
    """The part successions of each split unit (of ``predecessors`` only, when given), by
    predecessor, successors by code; one query."""
    qs = Succession.objects.filter(merge_type=MergeType.PART).select_related("predecessor", "successor")
    if predecessors is not None:
        qs = qs.filter(predecessor__in=[p.pk for p in predecessors])
    found: dict[OrgUnit, list[Succession]] = {}
    for succession in qs.order_by("predecessor__code", "predecessor_id", "successor__code"):
        found.setdefault(succession.predecessor, []).append(succession)
    return found


def pending_proposals(*, successions: Sequence[Succession] | None = None) -> list[ShareProposal]:
    """Proposals not accepted yet, the latest of each succession and method, oldest succession first."""
    qs = ShareProposal.objects.filter(accepted_at__isnull=True).select_related(
        "succession__predecessor", "succession__successor"
    )
    if successions is not None:
        qs = qs.filter(succession__in=[s.pk for s in successions])
    latest: dict[tuple[int, str], ShareProposal] = {}
    for proposal in qs.order_by("proposed_at", "id"):
        latest[proposal.succession_id, proposal.method] = proposal
    return sorted(latest.values(), key=lambda p: (p.succession.predecessor.code, p.succession.successor.code))


# ---- writing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposed:
    """A share to propose for a succession, and what it was computed from."""

    succession: Succession
    share: Decimal
    basis: str = ""


def share_proposals_store(*, proposals: Sequence[Proposed], method: str, user: Any = None) -> list[ShareProposal]:
    """Store ``proposals``; nothing else changes (a succession's share is set only by accepting)."""
    if method not in ShareMethod.values:
        raise ShareError(_("Unknown share method '%(method)s'.") % {"method": method})
    return ShareProposal.objects.bulk_create(
        [
            ShareProposal(
                succession=p.succession,
                method=method,
                share=p.share,
                basis=p.basis[:200],
                proposed_by=acting_user(user),
            )
            for p in proposals
        ]
    )


def share_proposals_accept(*, proposals: Sequence[ShareProposal], user: Any = None) -> list[Succession]:
    """Set each proposal's share on its succession, all or none, and record the acceptance.

    Proposals of one predecessor are accepted together: the shares its parts will hold (these, and
    the others already recorded) must not add up to more than 1. Raises ShareError (nothing changes).
    """
    chosen: dict[int, ShareProposal] = {}
    for proposal in proposals:
        if proposal.accepted_at is not None:
            raise ShareError(
                _("The proposal %(proposal)s was already accepted on %(date)s.")
                % {"proposal": proposal, "date": timezone.localtime(proposal.accepted_at).strftime("%d/%m/%Y")}
            )
        if proposal.succession_id in chosen:
            raise ShareError(
                _("Two proposals for %(succession)s: accept only one of them.") % {"succession": proposal.succession}
            )
        if proposal.share <= 0:
            raise ShareError(
                _(
                    "The proposed share of %(succession)s is 0: by this method the successor took nothing of "
                    "the old unit; check the succession rather than accept it."
                )
                % {"succession": proposal.succession}
            )
        chosen[proposal.succession_id] = proposal
    with transaction.atomic():
        successions = {
            s.pk: s
            for s in Succession.objects.select_for_update()
            .select_related("predecessor", "successor")
            .filter(pk__in=list(chosen))
        }
        for pk in chosen:
            if successions[pk].merge_type != MergeType.PART:
                raise ShareError(
                    _("%(succession)s is not a part succession: only a split unit's parts take a share.")
                    % {"succession": successions[pk]}
                )
        predecessors = {s.predecessor_id for s in successions.values()}
        for predecessor_id in predecessors:
            parts = list(Succession.objects.filter(predecessor_id=predecessor_id, merge_type=MergeType.PART))
            total = sum((chosen[s.pk].share if s.pk in chosen else (s.share or Decimal(0)) for s in parts), Decimal(0))
            if parts_exceed(total, parts=len(parts)):
                name = next(s.predecessor.name for s in successions.values() if s.predecessor_id == predecessor_id)
                raise ShareError(
                    _(
                        "The shares of %(name)s's parts would add up to %(total)s, more than 1; accept the "
                        "proposals of all its successors together, or correct the others first."
                    )
                    % {"name": name, "total": share_text(total)}
                )
        now, who = timezone.now(), acting_user(user)
        changed = []
        for pk, proposal in chosen.items():
            succession = successions[pk]
            proposal.replaced_share = succession.share
            proposal.accepted_at, proposal.accepted_by = now, who
            proposal.save(update_fields=["replaced_share", "accepted_at", "accepted_by"])
            before = catalogue_snapshot(succession)
            succession.share = proposal.share
            # save(), not update(): analytics' signal on a succession invalidates the rollups.
            succession.save(update_fields=["share"])
            catalogue_change_note(succession, before=before, after=catalogue_snapshot(succession))
            changed.append(succession)
    return changed
