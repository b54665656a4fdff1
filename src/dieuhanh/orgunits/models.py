"""Org units: administrative units and agencies, in one tree with validity intervals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dieuhanh.orgunits.choices import MergeType, OrgUnitKind


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def valid_between(self, start: dt.date, end: dt.date) -> OrgUnitQuerySet:
        """Units that existed for at least one day of [start, end]."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=end)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=start)
        )

    def descendants_of(self, unit: OrgUnit, *, include_self: bool = True) -> OrgUnitQuerySet:
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)


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

    code = models.CharField(_("code"), max_length=32, unique=True, help_text=_("GSO code for administrative units."))
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
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The path is structure, not business logic: it must follow every change of
        # parent, whoever makes it (admin, API, loader), or subtree queries go wrong.
        with transaction.atomic():
            old_path = self.path
            super().save(*args, **kwargs)
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

    @property
    def effective_share(self) -> Decimal | None:
        """The part of the predecessor carried to the successor: 1 unless merged in part; None when
        a part's share is not known yet."""
        return self.share if self.merge_type == MergeType.PART else Decimal(1)
