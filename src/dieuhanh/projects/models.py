"""The public-investment register: projects, their capital plans and disbursement, site
clearance, decisions and the obstacles that block them.

Amounts are in million đồng (*triệu đồng*), as the State Treasury reports them; areas in square
metres. A period is a month code ``YYYYMM``, as figures have. A project's figures reach the
indicator core through the figures service (``services.projects_figures_refresh``), never here.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from dieuhanh.accounts.models import acting_user_field
from dieuhanh.figures.choices import ImportStatus
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.projects.choices import (
    AllocationKind,
    CapitalSource,
    DecisionKind,
    ObstacleCategory,
    ProjectGroup,
    ProjectImportFormat,
    ProjectImportKind,
    ProjectSector,
    ProjectStage,
)

GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")


def period_problem(value: str) -> str | None:
    """Why ``value`` is not a month code ``YYYYMM`` (None when it is)."""
    if len(value) != 6 or not value.isascii() or not value.isdigit() or not 1 <= int(value[4:]) <= 12:
        return str(_("“%(value)s” is not a month: write it YYYYMM, e.g. 202406.") % {"value": value})
    return None


def geometry_problem(geometry: object) -> str | None:
    """Why ``geometry`` is not a GeoJSON geometry this register keeps (None when it is)."""
    if geometry is None:
        return None
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
        return str(_("The location must be a GeoJSON geometry: a point, line or polygon."))
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates:
        return str(_("The location's GeoJSON geometry has no coordinates."))

    def positions(value: object) -> bool:
        if isinstance(value, list) and value and all(isinstance(c, int | float) for c in value):
            return len(value) >= 2 and -180 <= value[0] <= 180 and -90 <= value[1] <= 90
        return isinstance(value, list) and bool(value) and all(positions(item) for item in value)

    if not positions(coordinates):
        return str(_("The location's coordinates must be longitude and latitude in degrees."))
    return None


class Project(models.Model):
    """One public-investment project (*dự án đầu tư công*), as the national public-investment
    system registers it: who invests, where, with which capital, at which stage."""

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("The project's code in the national public-investment system."),
    )
    name = models.CharField(_("name"), max_length=500)
    investor = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("investor"),
        on_delete=models.PROTECT,
        related_name="invested_projects",
        help_text=_("The investor (chủ đầu tư): a unit or an agency of the catalogue."),
    )
    managing_agency = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("managing agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_projects",
    )
    group = models.CharField(_("group"), max_length=16, choices=ProjectGroup.choices)
    sector = models.CharField(_("sector"), max_length=32, choices=ProjectSector.choices)
    stage = models.CharField(
        _("stage"), max_length=32, choices=ProjectStage.choices, default=ProjectStage.IMPLEMENTATION
    )
    sources = models.JSONField(_("capital sources"), default=list, blank=True)
    total_investment = models.DecimalField(_("total investment (million đồng)"), max_digits=18, decimal_places=3)
    locations: models.ManyToManyField[OrgUnit, ProjectLocation] = models.ManyToManyField(
        "orgunits.OrgUnit", verbose_name=_("communes"), blank=True, through="ProjectLocation", related_name="projects"
    )
    geometry = models.JSONField(_("location on the map (GeoJSON)"), null=True, blank=True)
    # The geometry's JSON text, kept by the database beside it: the map of the register writes its
    # features from this text as it is (writing 50,000 geometries out of jsonb took a sixth of the
    # national map's query). Not serialised: a dump's loader would have to skip it.
    geometry_text = models.GeneratedField(
        expression=Cast("geometry", output_field=models.TextField()),
        output_field=models.TextField(),
        db_persist=True,
        serialize=False,
        verbose_name=_("location on the map (GeoJSON text)"),
    )
    start_on = models.DateField(_("start"), null=True, blank=True)
    planned_completion_on = models.DateField(_("planned completion"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    directives = models.ManyToManyField(
        "directives.Directive", verbose_name=_("directives"), blank=True, related_name="projects"
    )
    sample = models.BooleanField(_("sample data"), default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]
        indexes = [models.Index(fields=["investor"], name="project_investor")]
        constraints = [
            models.CheckConstraint(condition=Q(total_investment__gte=0), name="project_total_nonnegative"),
            models.CheckConstraint(
                condition=Q(start_on__isnull=True)
                | Q(planned_completion_on__isnull=True)
                | Q(planned_completion_on__gte=models.F("start_on")),
                name="project_completion_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        problems: dict[str, list[str]] = {}
        listed = self.sources if isinstance(self.sources, list) else []
        unknown = [s for s in listed if s not in CapitalSource.values]
        if not isinstance(self.sources, list) or unknown:
            problems["sources"] = [
                str(_("Unknown capital sources: %(names)s. Use: %(known)s."))
                % {"names": ", ".join(map(str, unknown or [self.sources])), "known": ", ".join(CapitalSource.values)}
            ]
        if (problem := geometry_problem(self.geometry)) is not None:
            problems["geometry"] = [problem]
        if self.start_on and self.planned_completion_on and self.planned_completion_on < self.start_on:
            problems["planned_completion_on"] = [str(_("The planned completion comes before the start."))]
        if self.total_investment is not None and self.total_investment < 0:
            problems["total_investment"] = [str(_("The total investment cannot be negative."))]
        if problems:
            raise ValidationError(problems)


class ProjectLocation(models.Model):
    """A commune a project lies in: the unit as it was when recorded; a page shows its successor
    at the date asked, as units through time are shown everywhere."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE)
    org_unit = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("commune"), on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("project location")
        verbose_name_plural = _("project locations")
        constraints = [models.UniqueConstraint(fields=["project", "org_unit"], name="project_location_unique")]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.org_unit}"


class ProjectDecision(models.Model):
    """A decision about a project: its investment policy, approval, adjustment, capital, settlement."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(_("kind"), max_length=32, choices=DecisionKind.choices)
    number = models.CharField(_("number"), max_length=64, help_text=_("e.g. 3679/QĐ-UBND"))
    date = models.DateField(_("date"))
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount (million đồng)"), null=True, blank=True, max_digits=18, decimal_places=3)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["project_id", "date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind", "number"], name="project_decision_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class CapitalTransfer(models.Model):
    """Capital of one year and source moved from one project to another by a decision: kept as
    a pair of allocations (minus on one, plus on the other), so the province's total is kept."""

    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("capital source"), max_length=16, choices=CapitalSource.choices)
    from_project = models.ForeignKey(
        Project, verbose_name=_("from project"), on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_project = models.ForeignKey(
        Project, verbose_name=_("to project"), on_delete=models.PROTECT, related_name="transfers_in"
    )
    amount = models.DecimalField(_("amount (million đồng)"), max_digits=18, decimal_places=3)
    effective_on = models.DateField(_("effective on"))
    decision_number = models.CharField(_("decision number"), max_length=64)
    decision_date = models.DateField(_("decision date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = acting_user_field(_("by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("capital transfer")
        verbose_name_plural = _("capital transfers")
        ordering = ["-effective_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="transfer_amount_positive"),
            models.CheckConstraint(condition=~Q(from_project=models.F("to_project")), name="transfer_two_projects"),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number}: {self.from_project.code} → {self.to_project.code}"


class CapitalAllocation(models.Model):
    """One change of a project's capital plan for a year and source, effective from a date. The
    plan as at a date is the sum of the allocations effective by then; a carry-over is the
    previous year's funds extended, kept apart from the year's plan (``kind``)."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="allocations"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("capital source"), max_length=16, choices=CapitalSource.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=AllocationKind.choices, default=AllocationKind.INITIAL)
    amount = models.DecimalField(_("amount (million đồng)"), max_digits=18, decimal_places=3)
    effective_on = models.DateField(_("effective on"))
    decision_number = models.CharField(_("decision number"), max_length=64, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    transfer = models.ForeignKey(
        CapitalTransfer,
        verbose_name=_("transfer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="allocations",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("capital allocation")
        verbose_name_plural = _("capital allocations")
        ordering = ["project_id", "year", "effective_on", "id"]
        # A year's plan as at a date, by project, read from the index alone.
        indexes = [
            models.Index(fields=["year", "project", "effective_on", "kind", "amount"], name="allocation_year_project")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["adjustment", "transfer"]) | Q(amount__gte=0),
                name="allocation_initial_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.year} {self.source} {self.amount}"

    def clean(self) -> None:
        assigned = self.kind in (AllocationKind.INITIAL, AllocationKind.CARRYOVER)
        if assigned and self.amount is not None and self.amount < 0:
            raise ValidationError({"amount": str(_("A plan assigned or carried over cannot be negative."))})
        if self.year and self.effective_on and self.effective_on.year not in (self.year - 1, self.year):
            raise ValidationError(
                {
                    "effective_on": str(_("A plan for %(year)s takes effect in %(year)s or in the year before."))
                    % {"year": self.year}
                }
            )


class Disbursement(models.Model):
    """Capital of a year's plan (``plan_year``) disbursed in one month, for one project and
    source, as the State Treasury reports it. A year's plan may be disbursed until 31 January of
    the next year, so ``period`` may fall in the year after ``plan_year``."""

    # No index of its own: the unique key's leading column serves every look-up by project.
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="disbursements", db_index=False
    )
    plan_year = models.PositiveSmallIntegerField(_("plan year"))
    source = models.CharField(_("capital source"), max_length=16, choices=CapitalSource.choices)
    period = models.CharField(_("month"), max_length=6, help_text=_("YYYYMM"))
    amount = models.DecimalField(_("amount (million đồng)"), max_digits=18, decimal_places=3)

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["project_id", "plan_year", "period", "source"]
        # A year's disbursement as at a month, by project, read from the index alone and in the
        # projects' order (a national register's progress is summed project after project, without
        # hashing; a province's projects are each one range of it: bench/projects_run.py).
        indexes = [models.Index(fields=["plan_year", "project", "period", "amount"], name="disbursement_year_project")]
        constraints = [
            models.UniqueConstraint(fields=["project", "plan_year", "source", "period"], name="disbursement_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.period} {self.source} {self.amount}"

    def clean(self) -> None:
        if (problem := period_problem(self.period or "")) is not None:
            raise ValidationError({"period": problem})
        year, month = int(self.period[:4]), int(self.period[4:])
        if self.plan_year and not (year == self.plan_year or (year == self.plan_year + 1 and month == 1)):
            message = _("Capital of the %(year)s plan is disbursed in %(year)s or by 31 January of the next year.")
            raise ValidationError({"period": str(message) % {"year": self.plan_year}})


# The months of a year's plan: January to December of the plan year, then January of the next.
PLAN_MONTHS = 13


def _through_field(k: int) -> models.DecimalField[Decimal, Decimal]:
    return models.DecimalField(
        format_lazy(_("disbursed through month {k} of the plan"), k=k),
        max_digits=21,
        decimal_places=3,
        default=Decimal(0),
    )


class DisbursementToDate(models.Model):
    """A project's disbursement of a plan year summed over its sources and months, as at the end
    of each month the plan may be disbursed in (``through_01`` … ``through_12``: January to
    December of the plan year; ``through_13``: January of the next), one row a project and year.

    Derived from ``Disbursement`` and rebuilt with the register's figures (``todate.refresh``); a
    year's rows are read only while ``DisbursementToDateYear`` says they are current — every write
    of the year's disbursement says they are not — and otherwise the questions sum the monthly
    rows as before. A national year's progress then reads 25,000 rows, not 480,000
    (docs/public-investment.md, "Disbursement to date")."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+", db_index=False)
    plan_year = models.PositiveSmallIntegerField(_("plan year"))
    through_01 = _through_field(1)
    through_02 = _through_field(2)
    through_03 = _through_field(3)
    through_04 = _through_field(4)
    through_05 = _through_field(5)
    through_06 = _through_field(6)
    through_07 = _through_field(7)
    through_08 = _through_field(8)
    through_09 = _through_field(9)
    through_10 = _through_field(10)
    through_11 = _through_field(11)
    through_12 = _through_field(12)
    through_13 = _through_field(13)

    class Meta:
        verbose_name = _("disbursement to date")
        verbose_name_plural = _("disbursement to date")
        constraints = [models.UniqueConstraint(fields=["plan_year", "project"], name="disbursement_to_date_unique")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.plan_year}"


class DisbursementToDateYear(models.Model):
    """A plan year whose ``DisbursementToDate`` rows are current: equal to the sums of its
    disbursement. Deleted by every write of the year's disbursement, made by ``todate.refresh``."""

    plan_year = models.PositiveSmallIntegerField(_("plan year"), unique=True)
    refreshed_at = models.DateTimeField(_("refreshed at"), auto_now=True)

    class Meta:
        verbose_name = _("plan year with current disbursement to date")
        verbose_name_plural = _("plan years with current disbursement to date")

    def __str__(self) -> str:
        return str(self.plan_year)


class SiteClearance(models.Model):
    """Site clearance (*bồi thường, hỗ trợ, tái định cư*) of a project in one commune, as at the
    end of a month: each figure is the running total then (a stock), not the month's work."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="site_clearance"
    )
    org_unit = models.ForeignKey("orgunits.OrgUnit", verbose_name=_("commune"), on_delete=models.PROTECT)
    period = models.CharField(_("month"), max_length=6, help_text=_("YYYYMM"))
    area_total = models.DecimalField(_("area to recover (m²)"), max_digits=16, decimal_places=1)
    area_handed_over = models.DecimalField(
        _("area handed over (m²)"), default=Decimal(0), max_digits=16, decimal_places=1
    )
    households_total = models.PositiveIntegerField(_("households affected"), default=0)
    households_approved = models.PositiveIntegerField(_("households with an approved plan"), default=0)
    households_paid = models.PositiveIntegerField(_("households paid"), default=0)
    compensation_approved = models.DecimalField(
        _("compensation approved (million đồng)"), default=Decimal(0), max_digits=18, decimal_places=3
    )
    compensation_paid = models.DecimalField(
        _("compensation paid (million đồng)"), default=Decimal(0), max_digits=18, decimal_places=3
    )
    plots_needed = models.PositiveIntegerField(_("resettlement plots needed"), default=0)
    plots_allocated = models.PositiveIntegerField(_("resettlement plots allocated"), default=0)

    class Meta:
        verbose_name = _("site clearance")
        verbose_name_plural = _("site clearance")
        ordering = ["project_id", "period", "org_unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "org_unit", "period"], name="site_clearance_unique"),
            models.CheckConstraint(
                condition=Q(area_handed_over__lte=models.F("area_total")), name="clearance_area_within"
            ),
            models.CheckConstraint(
                condition=Q(households_paid__lte=models.F("households_total")), name="clearance_households_within"
            ),
            models.CheckConstraint(
                condition=Q(plots_allocated__lte=models.F("plots_needed")), name="clearance_plots_within"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.org_unit} {self.period}"

    def clean(self) -> None:
        problems: dict[str, list[str]] = {}
        if (problem := period_problem(self.period or "")) is not None:
            problems["period"] = [problem]
        pairs = (
            ("area_handed_over", "area_total", _("The area handed over exceeds the area to recover.")),
            ("households_approved", "households_total", _("More households have an approved plan than are affected.")),
            ("households_paid", "households_total", _("More households are paid than are affected.")),
            ("compensation_paid", "compensation_approved", _("More compensation is paid than approved.")),
            ("plots_allocated", "plots_needed", _("More resettlement plots are allocated than needed.")),
        )
        for part, whole, message in pairs:
            a, b = getattr(self, part), getattr(self, whole)
            if a is not None and b is not None and a > b:
                problems.setdefault(part, []).append(str(message))
        if problems:
            raise ValidationError(problems)


class Obstacle(models.Model):
    """What blocks a project (*vướng mắc*), the agency that must resolve it and by when.

    Its follow-up is a directive (``directive``): the task "resolve this obstacle" given to the
    resolving agency with the deadline, so its status as at a date, reminders, progress reports
    and the agencies' scorecards are the directives' own. Resolving the obstacle is reporting
    that directive done."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="obstacles")
    category = models.CharField(_("category"), max_length=32, choices=ObstacleCategory.choices)
    description = models.TextField(_("description"))
    reported_on = models.DateField(_("reported on"))
    resolving_agency = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("agency to resolve it"), on_delete=models.PROTECT, related_name="obstacles"
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Where the obstacle lies, when it is in one commune."),
    )
    directive = models.OneToOneField(
        "directives.Directive",
        verbose_name=_("follow-up directive"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="obstacle",
    )
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    created_by = acting_user_field(_("by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("obstacle")
        verbose_name_plural = _("obstacles")
        ordering = ["project_id", "reported_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(deadline__gte=models.F("reported_on")),
                name="obstacle_deadline_after_report",
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=models.F("reported_on")),
                name="obstacle_resolved_after_report",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code}: {self.get_category_display()}"

    def clean(self) -> None:
        if self.deadline and self.reported_on and self.deadline < self.reported_on:
            raise ValidationError({"deadline": str(_("The deadline comes before the obstacle was reported."))})
        if self.resolved_on and self.reported_on and self.resolved_on < self.reported_on:
            raise ValidationError({"resolved_on": str(_("The obstacle is resolved before it was reported."))})


class DisbursementMilestone(models.Model):
    """The share of a year's capital plan the province requires disbursed by a date (e.g. 30 %
    by 30 June, 60 % by 30 September, 95 % by 31 January of the next year). A year with no
    milestones of its own uses the default ones (setting ``DIEUHANH_PI_MILESTONES``)."""

    year = models.PositiveSmallIntegerField(_("plan year"))
    due_on = models.DateField(_("by"))
    percent = models.DecimalField(_("share of the plan (%)"), max_digits=5, decimal_places=2)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("disbursement milestone")
        verbose_name_plural = _("disbursement milestones")
        ordering = ["year", "due_on"]
        constraints = [
            models.UniqueConstraint(fields=["year", "due_on"], name="milestone_unique"),
            models.CheckConstraint(condition=Q(percent__gt=0) & Q(percent__lte=100), name="milestone_percent_range"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.percent} % / {self.due_on:%d/%m/%Y}"

    def clean(self) -> None:
        if (
            self.year
            and self.due_on
            and not (self.due_on.year == self.year or (self.due_on.year == self.year + 1 and self.due_on.month == 1))
        ):
            raise ValidationError(
                {
                    "due_on": str(
                        _("A milestone of the %(year)s plan falls in %(year)s or in January of the next year.")
                    )
                    % {"year": self.year}
                }
            )


class ProjectImport(models.Model):
    """One attempt to bring a file of the register in (the projects, or the Treasury's monthly
    disbursement): kept when it is refused too, with every error, so that an operator sees what
    was tried, by whom, and can send the list of errors back."""

    kind = models.CharField(_("kind"), max_length=16, choices=ProjectImportKind.choices)
    source_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=16, choices=ProjectImportFormat.choices)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices)
    channel = models.CharField(_("channel"), max_length=16, default="cli")
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_by = acting_user_field(_("by"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_created = models.PositiveIntegerField(_("created"), default=0)
    rows_updated = models.PositiveIntegerField(_("updated"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.source_name} ({self.get_status_display()})"
