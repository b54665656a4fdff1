"""The indicator catalogue: sectors, indicators (chỉ tiêu) and targets (kế hoạch)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from dieuhanh.indicators.choices import Aggregation, CollectionLevel, Direction, IndicatorPeriodType
from dieuhanh.indicators.fields import ExactDecimalField
from dieuhanh.indicators.periods import PeriodType
from dieuhanh.orgunits.models import figure_text, stored_values_of


class Sector(models.Model):
    """A field of the socio-economic report (Công nghiệp, Thương mại, Tài chính …)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    sort_order = models.IntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """A figure the province watches (chỉ tiêu), and how it adds up across units and time.

    A ratio indicator is never stored: it is ``factor × numerator / denominator``,
    each side aggregated by its own rule (a ratio of sums, not a mean of ratios).
    """

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit of measure"), max_length=50, blank=True)
    unit_en = models.CharField(_("unit of measure (English)"), max_length=50, blank=True)
    period_type = models.CharField(
        _("period type"), max_length=16, choices=IndicatorPeriodType.choices, default=IndicatorPeriodType.MONTHLY
    )
    aggregation = models.CharField(
        _("aggregation"), max_length=16, choices=Aggregation.choices, default=Aggregation.SUM
    )
    numerator = models.ForeignKey(
        "self",
        verbose_name=_("numerator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    denominator = models.ForeignKey(
        "self",
        verbose_name=_("denominator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    factor = models.DecimalField(_("factor"), max_digits=20, decimal_places=6, default=1)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices, default=Direction.UP)
    # A figure is stored with 6 decimals: more could never be shown.
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=1, validators=[MaxValueValidator(6)])
    min_value = models.DecimalField(_("minimum value"), max_digits=24, decimal_places=6, null=True, blank=True)
    max_value = models.DecimalField(_("maximum value"), max_digits=24, decimal_places=6, null=True, blank=True)
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), null=True, blank=True, on_delete=models.SET_NULL, related_name="indicators"
    )
    responsible_agency = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("responsible agency"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsible_for",
    )
    is_rate = models.BooleanField(
        _("rate"),
        default=False,
        help_text=_(
            "A rate is compared in percentage points, never as a relative change. "
            "An indicator whose unit is % is always a rate."
        ),
    )
    collected_at = models.CharField(
        _("collected at"),
        max_length=16,
        blank=True,
        choices=CollectionLevel.choices,
        help_text=_(
            "The level of the units that report this indicator: completeness counts how many of them have. "
            "Empty: the units directly below the unit shown."
        ),
    )
    is_public = models.BooleanField(_("public"), default=True, help_text=_("Visible to anonymous users and open data."))
    legal_source = models.CharField(_("legal source"), max_length=300, blank=True)
    sort_order = models.IntegerField(_("sort order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(aggregation="ratio") | (Q(numerator__isnull=False) & Q(denominator__isnull=False)),
                name="indicator_ratio_has_operands",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        self.__dict__.pop("_stored", None)  # as read, no longer

    @property
    def period_type_enum(self) -> PeriodType:
        return PeriodType(self.period_type)

    @property
    def is_ratio(self) -> bool:
        return self.aggregation == Aggregation.RATIO

    @property
    def in_points(self) -> bool:
        """Whether changes of this indicator are percentage points: a rate, or any indicator in %."""
        return self.is_rate or self.unit.strip() == "%"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.is_ratio:
            if self.numerator_id is None:
                errors["numerator"] = str(_("A ratio indicator needs a numerator."))
            if self.denominator_id is None:
                errors["denominator"] = str(_("A ratio indicator needs a denominator."))
            for field in ("numerator", "denominator"):
                operand = getattr(self, field) if getattr(self, f"{field}_id") else None
                if operand is None:
                    continue
                problem = ratio_operand_problem(
                    ratio_code=self.code,
                    period_type=self.period_type,
                    operand_code=operand.code,
                    operand_aggregation=operand.aggregation,
                    operand_period_type=operand.period_type,
                )
                if problem is None and self.pk is not None and operand.pk == self.pk:
                    problem = str(_("a ratio cannot use itself."))
                if problem is not None:
                    errors[field] = problem
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            errors["max_value"] = str(_("The maximum is below the minimum."))
        for field, problem in self.publicity_problems().items():
            errors.setdefault(field, problem)
        if not errors:
            # Only a record valid in itself is held against the stored figures (a query or two).
            errors.update(self.figures_problems())
        if errors:
            raise ValidationError(errors)

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Indicator:
        instance = super().from_db(db, field_names, values)
        instance._stored = dict(  # type: ignore[attr-defined]
            zip(field_names, values, strict=True)
        )
        return instance

    def publicity_problems(self) -> dict[str, str]:
        """A public indicator may not be computed from one that is not (a public ratio over a
        non-public part would reveal it exactly), and a part may not stop being public while a
        public indicator uses it. By field; empty if nothing is wrong."""
        problems: dict[str, str] = {}
        if self.is_public and self.is_ratio:
            for field in INPUT_FIELDS:
                operand = getattr(self, field) if getattr(self, f"{field}_id") else None
                if operand is not None and not operand.is_public:
                    problems[field] = str(
                        _(
                            "'%(code)s' is not public, and a public indicator would reveal it: make '%(code)s' "
                            "public first, or make this indicator non-public."
                        )
                        % {"code": operand.code}
                    )
        if not self.is_public and self.pk is not None and not _USERS_CHECKED_LATER.get():
            user = public_users_of([self.pk]).first()
            if user is not None:
                problems["is_public"] = public_user_problem(user.code)
        return problems

    def figures_problems(self) -> dict[str, str]:
        """What a change of a stored indicator contradicts among its stored figures (its period type,
        a ratio, which is never stored, its minimum or maximum), by field; empty if nothing. A query,
        and two for a change that touches its figures."""
        if self.pk is None:
            return {}
        stored = stored_values_of(self, ("period_type", "aggregation", "min_value", "max_value"))
        if stored is None:
            return {}
        figures = self.data_values.all()
        if stored["period_type"] != self.period_type:
            field = "period_type"
            advice = _(
                "%(n)s figure(s) of this indicator are stored by its period type (%(old)s), e.g. %(example)s. "
                "Delete those figures first, or create a new indicator with the new period type."
            )
        elif stored["aggregation"] != Aggregation.RATIO and self.is_ratio:
            field = "aggregation"
            advice = _(
                "A ratio is computed, never stored, but %(n)s figure(s) of this indicator are stored, e.g. "
                "%(example)s. Delete those figures first, or create a new indicator for the ratio."
            )
        else:
            raised = self.min_value is not None and (
                stored["min_value"] is None or self.min_value > stored["min_value"]
            )
            lowered = self.max_value is not None and (
                stored["max_value"] is None or self.max_value < stored["max_value"]
            )
            if not (raised or lowered):
                return {}
            outside = Q(pk__in=[])
            if raised:
                outside |= Q(value__lt=self.min_value)
            if lowered:
                outside |= Q(value__gt=self.max_value)
            figures = figures.filter(outside)
            field = "min_value" if raised else "max_value"
            advice = _(
                "%(n)s stored figure(s) lie outside %(range)s, e.g. %(example)s. Correct or delete those figures "
                "first, or widen the range."
            )
        example = (
            figures.order_by("period_start", "org_unit__code")
            .values("org_unit__code", "org_unit__name", "period", "value")
            .first()
        )
        if example is None:
            return {}
        if field == "min_value" and self.max_value is not None and example["value"] > self.max_value:
            field = "max_value"
        return {
            field: str(advice)
            % {
                "n": number_format(figures.count(), force_grouping=True),
                "old": IndicatorPeriodType(stored["period_type"]).label,
                "range": range_text(self.min_value, self.max_value),
                "example": _("%(unit)s (%(code)s), %(period)s: %(value)s")
                % {
                    "unit": example["org_unit__name"],
                    "code": example["org_unit__code"],
                    "period": example["period"],
                    "value": figure_text(example["value"]),
                },
            }
        }


# The fields by which an indicator is computed from others: a ratio's parts.
INPUT_FIELDS = ("numerator", "denominator")

# Set by a caller that saves several indicators at once (the catalogue loader) and checks, once all
# are saved, that no public indicator is computed from one that is not (``public_users_of``): an
# indicator made non-public in the same file as the ratio that uses it is then not refused for the
# ratio as it was.
_USERS_CHECKED_LATER: ContextVar[bool] = ContextVar("indicator_users_checked_later", default=False)


@contextmanager
def public_users_checked_later() -> Iterator[None]:
    token = _USERS_CHECKED_LATER.set(True)
    try:
        yield
    finally:
        _USERS_CHECKED_LATER.reset(token)


def public_users_of(pks: Iterable[int]) -> QuerySet[Indicator]:
    """The public indicators computed from any of the indicators ``pks``."""
    pks = list(pks)
    return Indicator.objects.filter(Q(numerator__in=pks) | Q(denominator__in=pks), is_public=True).order_by("code")


def public_user_problem(code: str) -> str:
    return str(
        _(
            "the public indicator '%(code)s' is computed from this one and would reveal it: make '%(code)s' "
            "non-public first, or keep this indicator public."
        )
        % {"code": code}
    )


def range_text(low: Decimal | None, high: Decimal | None) -> str:
    if low is not None and high is not None:
        return _("the range %(min)s – %(max)s") % {"min": figure_text(low), "max": figure_text(high)}
    if low is not None:
        return _("the minimum %(min)s") % {"min": figure_text(low)}
    return _("the maximum %(max)s") % {"max": figure_text(high)} if high is not None else ""


def ratio_operand_problem(
    *, ratio_code: str, period_type: str, operand_code: str, operand_aggregation: str, operand_period_type: str
) -> str | None:
    """What is wrong with an indicator as the numerator or denominator of a ratio; None if nothing.

    The one statement of the rule, asked by the model's validation: by the admin's form, and by the
    API's serializer, through which the catalogue loader checks each indicator of a file too.
    """
    if operand_code == ratio_code:
        return str(_("a ratio cannot use itself."))
    if operand_aggregation == Aggregation.RATIO:
        return str(_("'%(code)s' is itself a ratio; use its parts.") % {"code": operand_code})
    if operand_period_type != period_type:
        return str(
            _("'%(code)s' has period type %(theirs)s but this ratio is %(ours)s.")
            % {"code": operand_code, "theirs": operand_period_type, "ours": period_type}
        )
    return None


YEAR_RANGE = [MinValueValidator(1900), MaxValueValidator(2200)]


class Target(models.Model):
    """A planned value (chỉ tiêu kế hoạch) for an indicator at a unit.

    Annual targets have ``year_from == year_to`` (the HĐND's yearly resolution);
    a plan period (2021–2025) spans several years.
    """

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("org unit"), on_delete=models.CASCADE, related_name="targets"
    )
    year_from = models.PositiveSmallIntegerField(_("from year"), validators=YEAR_RANGE)
    year_to = models.PositiveSmallIntegerField(_("to year"), validators=YEAR_RANGE)
    value = ExactDecimalField(_("value"), max_digits=24, decimal_places=6)
    note = models.CharField(_("note"), max_length=300, blank=True)
    source = models.CharField(_("source document"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator__code", "org_unit__code", "year_from", "year_to"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "org_unit", "year_from", "year_to"], name="target_unique"),
            models.CheckConstraint(condition=Q(year_to__gte=models.F("year_from")), name="target_year_order"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} @ {self.org_unit.code} {self.years_label}: {self.value}"

    def clean(self) -> None:
        if self.year_from is not None and self.year_to is not None and self.year_to < self.year_from:
            raise ValidationError({"year_to": _("The plan period ends before it starts.")})

    @property
    def is_annual(self) -> bool:
        return self.year_from == self.year_to

    @property
    def years_label(self) -> str:
        return str(self.year_from) if self.is_annual else f"{self.year_from}-{self.year_to}"
