"""Guards that keep analytics from reading rollups that no longer match the figures.

The services refresh the rollups themselves; these receivers catch every other way
of changing what rollups depend on (the admin or API editing the unit tree, an
indicator's aggregation changing, a figure saved directly) and mark them invalid.
"""

from __future__ import annotations

from typing import Any

from dieuhanh.analytics.services import answers_changed, rollups_invalidate
from dieuhanh.figures.services import in_managed_write
from dieuhanh.indicators.models import Indicator
from dieuhanh.orgunits.models import OrgUnit

_ROLLUP_RULES = ("aggregation", "period_type", "collected_at")


def org_unit_pre_save(sender: type[OrgUnit], instance: OrgUnit, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    if instance.pk is None:
        # A new unit may turn a leaf into a parent. (Kept on the instance between the two signals.)
        instance.__dict__["_rollups_stale"] = True
        return
    old_parent = OrgUnit.objects.filter(pk=instance.pk).values_list("parent_id", flat=True).first()
    instance.__dict__["_rollups_stale"] = old_parent != instance.parent_id


def org_unit_post_save(sender: type[OrgUnit], instance: OrgUnit, **kwargs: Any) -> None:
    if getattr(instance, "_rollups_stale", False):
        rollups_invalidate(reason=f"org unit {instance.code} added or moved")
    answers_changed()


def org_unit_post_delete(sender: type[OrgUnit], instance: OrgUnit, **kwargs: Any) -> None:
    rollups_invalidate(reason=f"org unit {instance.code} deleted")


def succession_changed(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    """A succession added, changed or deleted: the re-based figures of its successor change."""
    if kwargs.get("raw"):
        return
    rollups_invalidate(reason=f"succession {instance.predecessor_id} → {instance.successor_id} changed")
    answers_changed()


def indicator_pre_save(sender: type[Indicator], instance: Indicator, **kwargs: Any) -> None:
    if kwargs.get("raw") or instance.pk is None:
        return
    old = Indicator.objects.filter(pk=instance.pk).values(*_ROLLUP_RULES).first()
    if old is not None and any(old[f] != getattr(instance, f) for f in _ROLLUP_RULES):
        instance.__dict__["_rollups_stale"] = True


def indicator_post_save(sender: type[Indicator], instance: Indicator, **kwargs: Any) -> None:
    if getattr(instance, "_rollups_stale", False):
        rollups_invalidate(reason=f"indicator {instance.code} changed how it aggregates")
    answers_changed()


def catalogue_changed(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    """A target or an indicator deleted: answers that showed it are out of date."""
    answers_changed()


def data_value_changed(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    if not in_managed_write():
        rollups_invalidate(reason="a figure was written outside the import services")
