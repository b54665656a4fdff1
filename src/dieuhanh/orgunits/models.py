"""Org units: administrative units and agencies, in one tree with validity intervals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from dieuhanh.orgunits.choices import ChangeAction, ChangeWay, MergeType, OrgUnitKind, ShareMethod


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def valid_on(self, day: dt.date) -> OrgUnitQuerySet:
        """Units that existed on ``day``."""
        return self.valid_between(day, day)

    def valid_between(self, start: dt.date, end: dt.date) -> OrgUnitQuerySet:
        """Units that existed for at least one day of [start, end]."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=end)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=start)
        )

    def descendants_of(self, unit: OrgUnit, *, include_self: bool = True) -> OrgUnitQuerySet:
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)


def stored_values_of(instance: models.Model, names: tuple[str, ...]) -> dict[str, Any] | None:
    """``names`` of a saved record as the database holds them: as they were read, kept by ``from_db``
    (a checked record is a copy of one read, and most are checked unchanged: no query), else asked."""
    stored: dict[str, Any] | None = getattr(instance, "_stored", None)
    if stored is not None and all(name in stored for name in names):
        return {name: stored[name] for name in names}
    return type(instance)._default_manager.filter(pk=instance.pk).values(*names).first()


# The length in months of each period type of an indicator (``indicators.periods.PeriodType``, which
# this app, below indicators, does not import): how a unit's figures are placed in time.
PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "semiannual": 6, "yearly": 12}


def figure_text(value: Decimal) -> str:
    """A stored figure in a message, the Vietnamese way (1.234,5)."""
    return number_format(value.normalize(), force_grouping=True)


def day_text(day: dt.date) -> str:
    """A date as Vietnamese documents write it: 1/7/2025."""
    return f"{day.day}/{day.month}/{day.year}"


def validity_text(valid_from: dt.date | None, valid_to: dt.date | None) -> str:
    if valid_from and valid_to:
        return _("valid %(start)s – %(end)s") % {"start": day_text(valid_from), "end": day_text(valid_to)}
    if valid_from:
        return _("valid from %(date)s") % {"date": day_text(valid_from)}
    if valid_to:
        return _("valid until %(date)s") % {"date": day_text(valid_to)}
    return str(_("valid at all times"))


class OrgUnitGroup(models.Model):
    """A named set of units across the tree (e.g. "Các huyện phía Bắc", "Khối kinh tế")."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("org unit group")
        verbose_name_plural = _("org unit groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class OrgUnit(models.Model):
    """An administrative unit (tỉnh, huyện, xã) or an agency (sở, ban, ngành).

    Units form one tree through ``parent``. ``path`` is the materialised chain of
    primary keys from the root ("/1/4/27/"), kept by ``save()``, so a whole subtree
    is one indexed prefix query. A unit exists from ``valid_from`` to ``valid_to``
    inclusive (either open); the 1 July 2025 reform ended many of them.
    """

    # Not unique: since 1 July 2025 a merged unit may carry a predecessor's code (Decision
    # 19/2025/QĐ-TTg), so a code names a unit only together with a date. Units sharing a code
    # have disjoint validity intervals (clean(); the constraints below hold what a database can).
    code = models.CharField(
        _("code"),
        max_length=32,
        db_index=True,
        help_text=_("GSO code for administrative units; a code may be reused by a later unit, never at the same time."),
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OrgUnitKind.choices, default=OrgUnitKind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    sort_order = models.IntegerField(_("sort order"), default=0)
    groups = models.ManyToManyField(OrgUnitGroup, verbose_name=_("groups"), blank=True, related_name="members")

    objects = OrgUnitQuerySet.as_manager()

    # Set by the resolver (orgunits.selectors) when another unit carries the same code at another
    # time, so that whoever shows the unit says which one it is.
    code_shared: bool = False

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="orgunit_valid_interval",
            ),
            models.UniqueConstraint(fields=["code", "valid_from"], name="orgunit_unique_code_from"),
            # NULLs are distinct in a unique index (PostgreSQL, SQLite): one open start per code.
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_from__isnull=True), name="orgunit_unique_code_open_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The path is structure, not business logic: it must follow every change of
        # parent, whoever makes it (admin, API, loader), or subtree queries go wrong.
        with transaction.atomic():
            old_path = self.path
            super().save(*args, **kwargs)
            self.__dict__.pop("_stored", None)  # as read, no longer
            parent_path = self.parent.path if self.parent_id and self.parent else "/"
            new_path = f"{parent_path}{self.pk}/"
            if new_path != old_path:
                depth = new_path.count("/") - 2
                OrgUnit.objects.filter(pk=self.pk).update(path=new_path, depth=depth)
                self.path, self.depth = new_path, depth
                if old_path:
                    for child in (
                        OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).order_by("depth")
                    ):
                        child_path = new_path + child.path[len(old_path) :]
                        OrgUnit.objects.filter(pk=child.pk).update(path=child_path, depth=child_path.count("/") - 2)

    def clean(self) -> None:
        if self.parent_id is not None and self.pk is not None:
            parent = self.parent
            if parent is not None and (parent.pk == self.pk or parent.path.startswith(self.path or "\0")):
                raise ValidationError({"parent": _("A unit cannot be placed under itself or one of its descendants.")})
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end of validity is before its start.")})
        if self.code:
            # The few units with the code, compared here: a plain query costs less than one with the
            # interval's conditions, and the catalogue loader checks every unit it loads.
            overlapping = min(
                (
                    unit
                    for unit in OrgUnit.objects.filter(code=self.code)
                    if unit.pk != self.pk
                    and unit.is_valid_between(self.valid_from or dt.date.min, self.valid_to or dt.date.max)
                ),
                key=lambda unit: unit.valid_from or dt.date.min,
                default=None,
            )
            if overlapping is not None:
                raise ValidationError(
                    {
                        "valid_from": _(
                            "Code %(code)s is already used by %(name)s, %(validity)s; units sharing a code "
                            "must not be valid at the same time: end one before the other starts."
                        )
                        % {"code": self.code, "name": overlapping.name, "validity": overlapping.validity_text()}
                    }
                )

        problem = self.figures_outside_problem()
        if problem is not None:
            raise ValidationError({"valid_from" if problem[0] == "start" else "valid_to": problem[1]})

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> OrgUnit:
        instance = super().from_db(db, field_names, values)
        instance._stored = dict(  # type: ignore[attr-defined]
            zip(field_names, values, strict=True)
        )
        return instance

    def figures_outside_problem(self) -> tuple[str, str] | None:
        """What is wrong with narrowing a stored unit's validity so that figures it holds fall outside it:
        ("start" or "end", the message); None if nothing is. One query unless there is a problem."""
        if self.pk is None:
            return None
        stored = stored_values_of(self, ("valid_from", "valid_to"))
        if stored is None:
            return None
        later_start = self.valid_from is not None and (
            stored["valid_from"] is None or self.valid_from > stored["valid_from"]
        )
        earlier_end = self.valid_to is not None and (stored["valid_to"] is None or self.valid_to < stored["valid_to"])
        if not (later_start or earlier_end):
            return None
        # A figure's period must share a day with the unit's validity (an import's rule): it is
        # outside when it starts after the end, or ends before the start, i.e. starts before the
        # first day of the period of its type that holds the start.
        outside = Q(pk__in=[])
        if earlier_end:
            outside |= Q(period_start__gt=self.valid_to)
        if later_start and self.valid_from is not None:
            for period_type, months in PERIOD_MONTHS.items():
                first = dt.date(self.valid_from.year, (self.valid_from.month - 1) // months * months + 1, 1)
                outside |= Q(indicator__period_type=period_type, period_start__lt=first)
        figures = self.data_values.filter(outside)
        example = figures.order_by("period_start", "indicator__code").values(
            "indicator__code", "period", "value", "period_start"
        )[:1]
        if not example:
            return None
        first_figure = example[0]
        side = (
            "end"
            if earlier_end and (self.valid_to is not None and first_figure["period_start"] > self.valid_to)
            else "start"
        )
        message = _(
            "%(n)s stored figure(s) of this unit would fall outside its validity (%(validity)s), e.g. "
            "%(indicator)s, %(period)s: %(value)s. Delete or correct those figures first, or keep the "
            "validity (a unit that changed is a new unit with a succession)."
        ) % {
            "n": number_format(figures.count(), force_grouping=True),
            "validity": validity_text(self.valid_from, self.valid_to),
            "indicator": first_figure["indicator__code"],
            "period": first_figure["period"],
            "value": figure_text(first_figure["value"]),
        }
        return side, message

    def validity_text(self) -> str:
        """The validity interval in words: "hiệu lực từ 1/7/2025", "hiệu lực đến 30/6/2025"."""
        return validity_text(self.valid_from, self.valid_to)

    def label(self) -> str:
        """Name and code, with the validity when the code is shared (``code_shared``, set by the resolver)."""
        if self.code_shared:
            return f"{self.name} ({self.code}, {self.validity_text()})"
        return f"{self.name} ({self.code})"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.is_valid_between(day, day)

    def is_valid_between(self, start: dt.date, end: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= end) and (self.valid_to is None or self.valid_to >= start)


class Succession(models.Model):
    """An old unit's continuation in a new one after a re-organisation.

    ``merge_type`` says how it went: whole, unchanged or renamed (all of it, a share of 1), or
    in part. For a part, ``share`` is the part of the old unit that went to the successor, or
    empty while it is not known; it lets history be carried onto the new map comparably, and a
    re-based value that needs an unknown share is missing, never guessed.
    """

    predecessor = models.ForeignKey(
        OrgUnit, verbose_name=_("predecessor"), on_delete=models.CASCADE, related_name="successions"
    )
    successor = models.ForeignKey(
        OrgUnit, verbose_name=_("successor"), on_delete=models.CASCADE, related_name="predecessions"
    )
    effective_date = models.DateField(_("effective date"))
    merge_type = models.CharField(_("merge type"), max_length=16, choices=MergeType.choices, default=MergeType.WHOLE)
    share = models.DecimalField(_("share"), max_digits=7, decimal_places=6, null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique_pair"),
            models.CheckConstraint(
                condition=Q(share__isnull=True) | (Q(share__gt=0) & Q(share__lte=1)), name="succession_share_range"
            ),
            models.CheckConstraint(
                condition=Q(merge_type=MergeType.PART) | Q(share__isnull=True) | Q(share=1),
                name="succession_share_of_a_part",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"

    def clean(self) -> None:
        if self.share is not None and not (0 < self.share <= 1):
            raise ValidationError({"share": _("The share must be greater than 0 and at most 1.")})
        if self.merge_type != MergeType.PART and self.share is not None and self.share != 1:
            raise ValidationError(
                {"share": _("Only a unit merged in part has a share below 1; set the merge type to 'part'.")}
            )
        if self.merge_type == MergeType.PART and self.share is not None and self.predecessor_id is not None:
            others = parts_total(predecessor_id=self.predecessor_id, excluding=self.pk)
            count = Succession.objects.filter(predecessor_id=self.predecessor_id, merge_type=MergeType.PART)
            if parts_exceed(others + self.share, parts=count.exclude(pk=self.pk).count() + 1):
                raise ValidationError(
                    {
                        "share": _(
                            "The shares of %(name)s's parts would add up to %(total)s, more than 1: "
                            "its other successors already hold %(others)s."
                        )
                        % {
                            "name": self.predecessor.name,
                            "total": share_text(others + self.share),
                            "others": share_text(others),
                        }
                    }
                )

    @property
    def effective_share(self) -> Decimal | None:
        """The part of the predecessor carried to the successor: 1 unless merged in part; None when
        a part's share is not known yet."""
        return self.share if self.merge_type == MergeType.PART else Decimal(1)


def parts_total(*, predecessor_id: int, excluding: int | None = None) -> Decimal:
    """The shares recorded on a predecessor's parts (those not known count 0), but ``excluding``'s."""
    shares = Succession.objects.filter(predecessor_id=predecessor_id, merge_type=MergeType.PART, share__isnull=False)
    if excluding is not None:
        shares = shares.exclude(pk=excluding)
    return sum((s for s in shares.values_list("share", flat=True) if s is not None), Decimal(0))


# A share is kept to six places, each rounded by at most half the last: the parts of a unit split
# three ways (0,333334 × 3) may add up to a little more than 1 by their rounding alone.
ROUNDING = Decimal("0.0000005")


def parts_exceed(total: Decimal, *, parts: int) -> bool:
    """Whether ``parts`` shares adding up to ``total`` take more than all of the old unit, beyond
    what rounding each to six places can explain."""
    return total > 1 + ROUNDING * parts


def share_text(share: Decimal) -> str:
    """A share as the catalogue writes it, without trailing zeros: 0,6 (Vietnamese decimal comma)."""
    text = format(share.normalize(), "f")
    return text.replace(".", ",")


class ShareProposal(models.Model):
    """A share of a split unit computed for the operator, who accepts it or not.

    Nothing is applied by being proposed: accepting (``orgunits.shares.share_proposals_accept``,
    the admin's action, ``dieuhanh shares propose --accept``) sets ``Succession.share`` and records
    who accepted it, when, and the share it replaced. ``basis`` says what it was computed from
    (the boundaries; the indicator and period of a population).
    """

    succession = models.ForeignKey(
        Succession, verbose_name=_("succession"), on_delete=models.CASCADE, related_name="share_proposals"
    )
    method = models.CharField(_("method"), max_length=16, choices=ShareMethod.choices)
    share = models.DecimalField(_("proposed share"), max_digits=7, decimal_places=6)
    basis = models.CharField(_("basis"), max_length=200, blank=True)
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replaced_share = models.DecimalField(_("replaced share"), max_digits=7, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("share proposal")
        verbose_name_plural = _("share proposals")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(share__gte=0) & Q(share__lte=1), name="share_proposal_range"),
        ]

    def __str__(self) -> str:
        return f"{self.succession}: {share_text(self.share)} ({self.get_method_display()})"


class CatalogueChange(models.Model):
    """One create, change or deletion of a catalogue record (a sector, an indicator, a target, an org
    unit, a group, a succession): who made it, when, through which way, and each changed field's
    old and new value.

    The record is named by its model, id, code and a readable key rather than only linked, so that
    its history outlives it. Written by ``orgunits.history`` alone, which every way of writing the
    catalogue calls (the API, the admin, the catalogue loader, the commands, the demo).
    """

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    way = models.CharField(_("way"), max_length=8, choices=ChangeWay.choices)
    source = models.CharField(_("source"), max_length=255, blank=True)
    action = models.CharField(_("action"), max_length=8, choices=ChangeAction.choices)
    model = models.CharField(_("record type"), max_length=64)
    object_id = models.BigIntegerField(_("record id"), null=True, blank=True)
    code = models.CharField(_("code"), max_length=64, blank=True)
    key = models.CharField(_("record"), max_length=300, blank=True)
    # {field: [old, new]}: a value as text, a related record by its code; a creation has no old
    # values, a deletion no new ones.
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("catalogue change")
        verbose_name_plural = _("catalogue changes")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["model", "code"], name="cataloguechange_model_code"),
            models.Index(fields=["model", "key"], name="cataloguechange_model_key"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.key} ({self.get_way_display()})"
