"""The register as open data: an OC4IDS project package (Open Contracting for Infrastructure Data
Standard, schema 0.9.5), and such a package read back into the register.

A project becomes an OC4IDS project: its code an identifier, its investor the public authority
(a party with its roles), its communes locations (a gazetteer entry of the unit codes, the names of
the commune and its province) and its geometry a GeoJSON location, its total investment the
budget, its capital plan by year and source the budget's breakdowns, the Treasury's monthly
disbursement its transactions, its decisions documents (and approval milestones), the year's
disbursement milestones financing milestones with their status, its completion. Amounts are
in đồng (the register keeps million đồng). What OC4IDS has no field for — the project's group,
the register's own sector, stage and sources — goes in ``additionalClassifications`` under the
schemes named below, so that a package read back gives the same register.

The package is checked against the standard's own schema, shipped in ``oc4ids/`` with its notice
(Apache-2.0), offline: the package schema's reference to the project schema's published URL is
resolved to the file beside it; the formats ``date-time`` and ``uri`` are checked here.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.ingest.parsers import Issue, ParseError
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import today
from dieuhanh.projects.choices import (
    AllocationKind,
    CapitalSource,
    DecisionKind,
    ProjectSector,
    ProjectStage,
)
from dieuhanh.projects.imports import RegisterRow, Row, Table
from dieuhanh.projects.models import CapitalAllocation, Disbursement, Project, geometry_problem

SCHEMA_DIR = Path(__file__).with_name("oc4ids")
PACKAGE_SCHEMA_URL = "https://standard.open-contracting.org/infrastructure/schema/0__9__5/project-package-schema.json"
PROJECT_SCHEMA_URL = "https://standard.open-contracting.org/infrastructure/schema/0__9__5/project-schema.json"
VERSION = "0.9"
CURRENCY = "VND"
MILLION = Decimal(1_000_000)

# The prefix of a project's OC4IDS identifier (the standard asks for a registered one: set
# DIEUHANH_OC4IDS_PREFIX to the province's), and the schemes of dieuhanh's own codes.
DEFAULT_PREFIX = "oc4ids-dieuhanh"
PROJECT_SCHEME = "VN-DTC"  # the national public-investment system's project code
UNIT_SCHEME = "VN-DIEUHANH-UNIT"  # a unit's or agency's code in the catalogue
GAZETTEER = "VN-DVHC"  # the administrative units' codes (danh mục đơn vị hành chính)
GROUP_SCHEME = "dieuhanh:group"
SECTOR_SCHEME = "dieuhanh:sector"
STAGE_SCHEME = "dieuhanh:stage"
SOURCE_SCHEME = "dieuhanh:source"

# The register's sectors in the projectSector codelist (open: the nearest codes).
SECTORS: dict[str, list[str]] = {
    ProjectSector.TRANSPORT: ["transport"],
    ProjectSector.HEALTH: ["health"],
    ProjectSector.EDUCATION: ["education"],
    ProjectSector.IRRIGATION: ["economy"],
    ProjectSector.URBAN: ["transport", "transport.urban"],
    ProjectSector.ENVIRONMENT: ["waterAndWaste"],
    ProjectSector.CULTURE: ["cultureSportsAndRecreation"],
    ProjectSector.DIGITAL: ["communications"],
    ProjectSector.SECURITY: ["governance"],
    ProjectSector.GOVERNMENT: ["governance"],
    ProjectSector.OTHER: [],
}
# The register's stages in the projectStatus codelist (closed).
STATUSES: dict[str, str] = {
    ProjectStage.PREPARATION: "preparation",
    ProjectStage.IMPLEMENTATION: "implementation",
    ProjectStage.COMPLETED: "completion",
    ProjectStage.SETTLED: "completion",
}
STAGES: dict[str, str] = {
    "identification": ProjectStage.PREPARATION,
    "preparation": ProjectStage.PREPARATION,
    "implementation": ProjectStage.IMPLEMENTATION,
    "completion": ProjectStage.COMPLETED,
    "maintenance": ProjectStage.COMPLETED,
}
# Decisions as documents (the open documentType codelist).
DOCUMENT_TYPES: dict[str, str] = {
    DecisionKind.POLICY: "projectScope",
    DecisionKind.APPROVAL: "projectScope",
    DecisionKind.ADJUSTMENT: "projectScope",
    DecisionKind.CAPITAL: "budgetApproval",
    DecisionKind.TRANSFER: "budgetApproval",
    DecisionKind.SETTLEMENT: "finalAudit",
    DecisionKind.OTHER: "projectScope",
}
PLAN_PARTS = {"plan": (AllocationKind.INITIAL, AllocationKind.ADJUSTMENT, AllocationKind.TRANSFER)}
CARRYOVER = "carryover"


def prefix() -> str:
    return str(settings.DIEUHANH_OC4IDS_PREFIX or DEFAULT_PREFIX)


# ---------------------------------------------------------------------------------------------
# The schema, offline


@functools.cache
def _schemas() -> tuple[dict[str, Any], dict[str, Any]]:
    package = json.loads((SCHEMA_DIR / "project-package-schema.json").read_text(encoding="utf-8"))
    project = json.loads((SCHEMA_DIR / "project-schema.json").read_text(encoding="utf-8"))
    return package, project


_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")


def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", value):
        return False
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _uri(value: object) -> bool:
    return not isinstance(value, str) or bool(_URI.match(value))


@functools.cache
def _validator() -> Any:
    from jsonschema import Draft4Validator, FormatChecker  # noqa: PLC0415 - only an exchange needs it
    from referencing import Registry, Resource  # noqa: PLC0415
    from referencing.jsonschema import DRAFT4  # noqa: PLC0415

    package, project = _schemas()
    registry = Registry().with_resources(
        [
            (PACKAGE_SCHEMA_URL, Resource.from_contents(package, default_specification=DRAFT4)),
            (PROJECT_SCHEMA_URL, Resource.from_contents(project, default_specification=DRAFT4)),
        ]
    )
    checker = FormatChecker(formats=())
    checker.checks("date-time")(_date_time)
    checker.checks("uri")(_uri)
    return Draft4Validator(package, registry=registry, format_checker=checker)


def _path(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "/"


def oc4ids_problems(package: Any) -> list[Issue]:
    """Where ``package`` breaks the OC4IDS 0.9.5 package schema: each problem at its place (a path
    such as ``projects[2].budget.amount.currency``), in the file's order; none when it is valid."""
    errors = sorted(_validator().iter_errors(package), key=lambda e: [str(p) for p in e.absolute_path])
    issues = []
    for error in errors:
        where = _path(error.absolute_path)
        issues.append(
            Issue(
                _("Not valid OC4IDS 0.9.5 at %(where)s: %(problem)s") % {"where": where, "problem": error.message},
                column=where,
            )
        )
    return issues


# ---------------------------------------------------------------------------------------------
# Export


def _amount(million: Decimal) -> dict[str, Any]:
    vnd = (Decimal(million) * MILLION).quantize(Decimal(1))
    return {"amount": int(vnd), "currency": CURRENCY}


def _moment(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00+07:00"


def _month_end(period: str) -> dt.date:
    year, month = int(period[:4]), int(period[4:])
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _party_id(unit: OrgUnit) -> str:
    return f"{UNIT_SCHEME}-{unit.code}" + (f"-{unit.valid_from:%Y%m%d}" if unit.code_shared and unit.valid_from else "")


def _party(unit: OrgUnit, roles: list[str]) -> dict[str, Any]:
    return {
        "id": _party_id(unit),
        "name": unit.name,
        "identifier": {"scheme": UNIT_SCHEME, "id": unit.code, "legalName": unit.name},
        "roles": roles,
    }


def _provinces(units: Iterable[OrgUnit]) -> dict[int, OrgUnit]:
    """Each unit's province (itself, or an ancestor of kind province), in one query."""
    units = list(units)
    ancestor_ids = {int(part) for u in units for part in u.path.strip("/").split("/") if part}
    provinces = {u.pk: u for u in OrgUnit.objects.filter(pk__in=ancestor_ids, kind="province")}
    found: dict[int, OrgUnit] = {}
    for unit in units:
        for part in unit.path.strip("/").split("/"):
            if part and int(part) in provinces:
                found[unit.pk] = provinces[int(part)]
    return found


@dataclass
class _Figures:
    """What one project holds by year and source: plan, carry-over, disbursement."""

    plans: dict[tuple[int, str, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    approved: dict[tuple[int, str, str], dt.date] = field(default_factory=dict)
    disbursed: list[Disbursement] = field(default_factory=list)


def _figures(projects: list[Project], *, year: int | None, on: dt.date) -> dict[int, _Figures]:
    figures: dict[int, _Figures] = defaultdict(_Figures)
    allocations = CapitalAllocation.objects.filter(project__in=projects, effective_on__lte=on).order_by(
        "effective_on", "pk"
    )
    disbursements = Disbursement.objects.filter(project__in=projects, period__lte=f"{on:%Y%m}").order_by(
        "plan_year", "period", "source"
    )
    if year is not None:
        allocations = allocations.filter(year=year)
        disbursements = disbursements.filter(plan_year=year)
    for allocation in allocations:
        part = CARRYOVER if allocation.kind == AllocationKind.CARRYOVER else "plan"
        key = (allocation.year, allocation.source, part)
        figures[allocation.project_id].plans[key] += allocation.amount
        figures[allocation.project_id].approved.setdefault(key, allocation.effective_on)
    for disbursement in disbursements:
        figures[disbursement.project_id].disbursed.append(disbursement)
    return figures


def _milestones(
    project: Project, figures: _Figures, *, on: dt.date, schedule: Callable[[int], list[Any]]
) -> list[dict[str, Any]]:
    """The project's decisions met, and each year's disbursement milestones with their status as at
    ``on``: met when the disbursement of the year's plan by the due date reached the share required
    of the plan then."""
    milestones: list[dict[str, Any]] = []
    for decision in project.decisions.all():
        milestones.append(
            {
                "id": f"decision-{decision.kind}-{decision.number}",
                "title": f"{decision.get_kind_display()} {decision.number}",
                "type": "approval",
                "dateMet": _moment(decision.date),
                "status": "met",
            }
        )
    years = sorted({key[0] for key in figures.plans})
    for year in years:
        plan = sum((v for (y, _s, part), v in figures.plans.items() if y == year and part == "plan"), Decimal(0))
        if plan <= 0:
            continue
        for milestone in schedule(year):
            required = (plan * Decimal(milestone.percent) / 100).quantize(Decimal("0.001"))
            by = f"{milestone.due_on:%Y%m}"
            done = sum((d.amount for d in figures.disbursed if d.plan_year == year and d.period <= by), Decimal(0))
            if milestone.due_on > on:
                status = "scheduled"
            else:
                status = "met" if done >= required else ("partiallyMet" if done > 0 else "notMet")
            milestones.append(
                {
                    "id": f"disbursement-{year}-{milestone.due_on:%m%d}",
                    "title": _("%(percent)s %% of the %(year)s capital plan disbursed by %(date)s")
                    % {
                        "percent": f"{Decimal(milestone.percent).normalize():f}",
                        "year": year,
                        "date": f"{milestone.due_on:%d/%m/%Y}",
                    },
                    "type": "financing",
                    "dueDate": _moment(milestone.due_on),
                    "dateModified": _moment(min(on, milestone.due_on)),
                    "status": status,
                    "value": _amount(required),
                }
            )
    return milestones


def _schedule() -> Callable[[int], list[Any]]:
    """The province's disbursement milestones of a year (``selectors.milestones_for``), read once a year."""
    from dieuhanh.projects.selectors import milestones_for  # noqa: PLC0415 - the selectors import the models

    return functools.cache(milestones_for)


def oc4ids_project(
    project: Project,
    figures: _Figures,
    *,
    provinces: dict[int, OrgUnit],
    on: dt.date,
    schedule: Callable[[int], list[Any]] | None = None,
) -> dict[str, Any]:
    """One project as an OC4IDS project."""
    investor = project.investor
    parties: dict[int, dict[str, Any]] = {investor.pk: _party(investor, ["publicAuthority", "buyer"])}
    if project.managing_agency is not None:
        if project.managing_agency.pk in parties:
            parties[project.managing_agency.pk]["roles"].append("administrativeEntity")
        else:
            parties[project.managing_agency.pk] = _party(project.managing_agency, ["administrativeEntity"])
    item: dict[str, Any] = {
        "id": f"{prefix()}-{project.code}",
        "updated": project.updated_at.isoformat(),
        "language": "vi",
        "identifiers": [{"id": project.code, "scheme": PROJECT_SCHEME}],
        "title": project.name,
        "status": STATUSES[project.stage],
        "publicAuthority": {"id": parties[investor.pk]["id"], "name": investor.name},
        "parties": list(parties.values()),
    }
    if project.description:
        item["description"] = project.description
    if SECTORS.get(project.sector):
        item["sector"] = SECTORS[project.sector]
    classifications = [
        {"scheme": GROUP_SCHEME, "id": project.group, "description": str(project.get_group_display())},
        {"scheme": SECTOR_SCHEME, "id": project.sector, "description": str(project.get_sector_display())},
        {"scheme": STAGE_SCHEME, "id": project.stage, "description": str(project.get_stage_display())},
    ]
    classifications += [
        {"scheme": SOURCE_SCHEME, "id": s, "description": str(CapitalSource(s).label)} for s in project.sources or []
    ]
    item["additionalClassifications"] = classifications
    period = {}
    if project.start_on:
        period["startDate"] = _moment(project.start_on)
    if project.planned_completion_on:
        period["endDate"] = _moment(project.planned_completion_on)
    if period:
        item["period"] = period
    locations: list[dict[str, Any]] = []
    if project.geometry:
        locations.append({"id": "geometry", "description": project.name, "geometry": project.geometry})
    for unit in project.locations.all():
        address: dict[str, Any] = {"locality": unit.name, "countryName": "Việt Nam"}
        province = provinces.get(unit.pk)
        if province is not None and province.pk != unit.pk:
            address["region"] = province.name
        locations.append(
            {
                "id": f"unit-{unit.code}",
                "description": unit.name,
                "gazetteer": {"scheme": GAZETTEER, "identifiers": [unit.code]},
                "address": address,
            }
        )
    if locations:
        item["locations"] = locations
    budget: dict[str, Any] = {"amount": _amount(project.total_investment)}
    groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for (year, source, part), amount in sorted(figures.plans.items()):
        entry: dict[str, Any] = {
            "id": f"{year}/{source}/{part}",
            "description": (
                _("Capital plan %(year)s, %(source)s")
                if part == "plan"
                else _("Carried over into %(year)s, %(source)s")
            )
            % {"year": year, "source": CapitalSource(source).label},
            "amount": _amount(amount),
            "period": {"startDate": _moment(dt.date(year, 1, 1)), "endDate": _moment(dt.date(year, 12, 31))},
            "approvalDate": _moment(figures.approved[(year, source, part)]),
        }
        groups[year].append(entry)
    if groups:
        budget["budgetBreakdowns"] = [
            {
                "id": f"plan-{year}",
                "description": _("Capital plan of %(year)s by source (as at %(date)s)")
                % {"year": year, "date": f"{on:%d/%m/%Y}"},
                "budgetBreakdown": entries,
            }
            for year, entries in sorted(groups.items())
        ]
    item["budget"] = budget
    documents = [
        {
            "id": f"{decision.kind}:{decision.number}",
            "documentType": DOCUMENT_TYPES.get(decision.kind, "projectScope"),
            "title": f"{decision.get_kind_display()} {decision.number}",
            "datePublished": _moment(decision.date),
            **({"description": decision.issuer} if decision.issuer else {}),
            "format": "offline/print",
        }
        for decision in project.decisions.all()
    ]
    if documents:
        item["documents"] = documents
    milestones = _milestones(project, figures, on=on, schedule=schedule or _schedule())
    if milestones:
        item["milestones"] = milestones
    if figures.disbursed:
        item["transactions"] = [
            {
                "id": f"{d.plan_year}/{d.source}/{d.period}",
                "date": _moment(_month_end(d.period)),
                "value": _amount(d.amount),
                "payee": {"id": parties[investor.pk]["id"], "name": investor.name},
            }
            for d in figures.disbursed
        ]
    if project.completed_on:
        completion: dict[str, Any] = {"endDate": _moment(project.completed_on)}
        settled = [d for d in project.decisions.all() if d.kind == DecisionKind.SETTLEMENT and d.amount is not None]
        if settled:
            completion["finalValue"] = _amount(settled[-1].amount or Decimal(0))
        item["completion"] = completion
    return item


def oc4ids_projects(*, year: int | None = None) -> QuerySet[Project]:
    """The projects a package holds: all, or those with a plan or a disbursement in ``year``."""
    projects = Project.objects.select_related("investor", "managing_agency").prefetch_related("locations", "decisions")
    if year is not None:
        projects = projects.filter(
            pk__in=CapitalAllocation.objects.filter(year=year).values("project")
        ) | projects.filter(pk__in=Disbursement.objects.filter(plan_year=year).values("project"))
    return projects.distinct().order_by("code")


def _publisher() -> dict[str, Any]:
    name = str(settings.DIEUHANH_OC4IDS_PUBLISHER or "")
    if not name:
        on = today()
        roots = [
            u
            for u in OrgUnit.objects.filter(parent__isnull=True, kind="province")
            if (u.valid_from is None or u.valid_from <= on) and (u.valid_to is None or u.valid_to >= on)
        ]
        name = roots[0].name if len(roots) == 1 else "dieuhanh"
    return {"name": name}


def oc4ids_package(
    *,
    year: int | None = None,
    on: dt.date | None = None,
    uri: str | None = None,
    projects: Iterable[Project] | None = None,
) -> dict[str, Any]:
    """The register as an OC4IDS 0.9.5 project package (a dict ready for JSON): every project, or
    those of ``year`` with that year's budget and transactions only; figures as at ``on`` (today)."""
    on = on or today()
    chosen = list(projects if projects is not None else oc4ids_projects(year=year))
    figures = _figures(chosen, year=year, on=on)
    provinces = _provinces(unit for p in chosen for unit in p.locations.all())
    published = max((p.updated_at for p in chosen), default=None) or timezone.now()
    schedule = _schedule()
    return {
        "uri": uri or f"urn:dieuhanh:oc4ids:{prefix()}:{year or 'all'}:{on:%Y%m%d}",
        "publishedDate": published.isoformat(),
        "version": VERSION,
        "publisher": _publisher(),
        "projects": [oc4ids_project(p, figures[p.pk], provinces=provinces, on=on, schedule=schedule) for p in chosen],
    }


def oc4ids_json(package: dict[str, Any]) -> bytes:
    return json.dumps(package, ensure_ascii=False, indent=1).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Import


def _date_of(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()


def _million(value: dict[str, Any], where: str, issues: list[Issue]) -> Decimal | None:
    if value.get("currency") not in (None, CURRENCY):
        issues.append(
            Issue(
                _("The amount is in %(currency)s; the register keeps đồng (VND) only.")
                % {"currency": value["currency"]},
                column=where,
                value=str(value.get("currency")),
            )
        )
        return None
    amount = Decimal(str(value.get("amount", 0))) / MILLION
    if amount.quantize(Decimal("0.001")) != amount:
        issues.append(
            Issue(
                _(
                    "The amount %(amount)s đồng is not a whole thousand đồng; the register keeps million đồng "
                    "to three decimals."
                )
                % {"amount": value.get("amount")},
                column=where,
                value=str(value.get("amount")),
            )
        )
        return None
    return amount.quantize(Decimal("0.001"))


@dataclass
class PackageRows:
    """A package read: the projects as rows of the register, and their budgets and transactions to
    write once the projects are."""

    table: Table
    # project code → [(year, source, part, amount million, effective_on)]
    budgets: dict[str, list[tuple[int, str, str, Decimal, dt.date]]] = field(default_factory=dict)
    # project code → [(plan_year, source, period, amount million)]
    transactions: dict[str, list[tuple[int, str, str, Decimal]]] = field(default_factory=dict)
    geometries: dict[str, dict[str, Any]] = field(default_factory=dict)
    decisions: dict[str, list[tuple[str, str, dt.date]]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    def write_budgets(self, *, user: Any = None) -> list[Issue]:
        """Write each project's plans (as the change from what the register holds: importing the
        same package twice changes nothing) and transactions; the problems the services found."""
        from django.core.exceptions import ValidationError  # noqa: PLC0415

        from dieuhanh.projects.services import (  # noqa: PLC0415 - the services import this app's models
            DisbursementRow,
            allocation_add,
            disbursements_write,
        )

        issues: list[Issue] = []
        projects = {p.code: p for p in Project.objects.filter(code__in=set(self.budgets) | set(self.transactions))}
        for code, entries in self.budgets.items():
            project = projects[code]
            for year, source, part, amount, approved_on in entries:
                kinds = (AllocationKind.CARRYOVER,) if part == CARRYOVER else PLAN_PARTS["plan"]
                held = list(CapitalAllocation.objects.filter(project=project, year=year, source=source, kind__in=kinds))
                delta = amount - sum((a.amount for a in held), Decimal(0))
                if delta == 0:
                    continue
                if part == CARRYOVER:
                    kind = AllocationKind.CARRYOVER
                else:
                    kind = AllocationKind.INITIAL if not held and delta > 0 else AllocationKind.ADJUSTMENT
                if held:
                    # A change of a plan already held takes effect when it is read (within the plan's
                    # years), not back at the plan's first date: the plan as at earlier dates stays.
                    effective_on = min(max(today(), dt.date(year - 1, 1, 1)), dt.date(year, 12, 31))
                else:
                    effective_on = approved_on
                try:
                    allocation_add(
                        project=project,
                        year=year,
                        source=source,
                        kind=kind,
                        amount=delta,
                        effective_on=effective_on,
                        note=str(_("From an OC4IDS package")),
                        user=user,
                    )
                except ValidationError as exc:
                    issues.extend(
                        Issue(message, column=f"{code}.budget.{year}/{source}/{part}") for message in exc.messages
                    )
        rows = [
            DisbursementRow(projects[code].pk, plan_year, source, period, amount)
            for code, entries in self.transactions.items()
            for plan_year, source, period, amount in entries
        ]
        if rows:
            try:
                disbursements_write(rows=rows, user=user)
            except ValidationError as exc:
                issues.extend(Issue(message, column="transactions") for message in exc.messages)
        return issues


def _classification(item: dict[str, Any], scheme: str) -> list[str]:
    return [str(c.get("id")) for c in item.get("additionalClassifications", []) if c.get("scheme") == scheme]


def _project_cells(index: int, item: dict[str, Any], rows: PackageRows) -> Row:
    base = f"projects[{index}]"
    cells: dict[str, Any] = {}
    columns: dict[str, str] = {}

    def put(key: str, value: Any, where: str) -> None:
        cells[key] = value
        columns[key] = f"{base}.{where}"

    code = next(
        (i.get("id") for i in item.get("identifiers", []) if i.get("scheme") == PROJECT_SCHEME),
        str(item.get("id", "")).removeprefix(f"{prefix()}-"),
    )
    put("code", code, "identifiers")
    put("name", item.get("title", ""), "title")
    parties = {p.get("id"): p for p in item.get("parties", [])}
    authority = parties.get((item.get("publicAuthority") or {}).get("id"), {})
    put("investor", (authority.get("identifier") or {}).get("id", ""), "publicAuthority")
    agency = next((p for p in parties.values() if "administrativeEntity" in (p.get("roles") or [])), None)
    if agency is not None and agency is not authority:
        put("managing_agency", (agency.get("identifier") or {}).get("id", ""), "parties")
    group = _classification(item, GROUP_SCHEME)
    put("group", group[0] if group else "", f"additionalClassifications[{GROUP_SCHEME}]")
    sector = _classification(item, SECTOR_SCHEME)
    if not sector:
        written = item.get("sector") or []
        sector = [s for s, codes in SECTORS.items() if codes and codes[0] in written][:1] or [ProjectSector.OTHER]
    put("sector", sector[0], "sector")
    stage = _classification(item, STAGE_SCHEME) or [STAGES.get(str(item.get("status")), ProjectStage.IMPLEMENTATION)]
    put("stage", stage[0], "status")
    put("sources", ";".join(_classification(item, SOURCE_SCHEME)), f"additionalClassifications[{SOURCE_SCHEME}]")
    amount = (item.get("budget") or {}).get("amount")
    if amount:
        total = _million(amount, f"{base}.budget.amount", rows.issues)
        put("total_investment", "" if total is None else total, "budget.amount")
    else:
        put("total_investment", "", "budget.amount")
    communes = [
        identifier
        for location in item.get("locations", [])
        if (location.get("gazetteer") or {}).get("scheme") == GAZETTEER
        for identifier in location["gazetteer"].get("identifiers", [])
    ]
    put("communes", ";".join(communes), "locations")
    period = item.get("period") or {}
    put("start", _date_of(period.get("startDate")), "period.startDate")
    put("planned_completion", _date_of(period.get("endDate")), "period.endDate")
    put("completed", _date_of((item.get("completion") or {}).get("endDate")), "completion.endDate")
    put("description", item.get("description", ""), "description")
    geometry = next((loc["geometry"] for loc in item.get("locations", []) if loc.get("geometry")), None)
    if geometry is not None:
        problem = geometry_problem(geometry)
        if problem is not None:
            rows.issues.append(Issue(problem, column=f"{base}.locations"))
        else:
            rows.geometries[code] = geometry
    decisions = []
    for position, document in enumerate(item.get("documents", [])):
        kind, _colon, number = str(document.get("id", "")).partition(":")
        day = _date_of(document.get("datePublished"))
        if kind in DecisionKind.values and number and day is not None:
            decisions.append((kind, number, day))
        elif kind in DecisionKind.values and number:
            rows.issues.append(
                Issue(
                    _("The decision %(number)s needs its date (datePublished).") % {"number": number},
                    column=f"{base}.documents[{position}]",
                )
            )
    rows.decisions[code] = decisions
    budgets = []
    for group_item in (item.get("budget") or {}).get("budgetBreakdowns", []):
        for position, entry in enumerate(group_item.get("budgetBreakdown", [])):
            where = f"{base}.budget.budgetBreakdowns[{group_item.get('id')}].budgetBreakdown[{position}]"
            parts = str(entry.get("id", "")).split("/")
            if (
                len(parts) != 3
                or not parts[0].isdigit()
                or parts[1] not in CapitalSource.values
                or parts[2] not in ("plan", CARRYOVER)
            ):
                rows.issues.append(
                    Issue(
                        _(
                            "A budget entry's id must be year/source/plan or year/source/carryover (e.g. "
                            "2024/provincial/plan); the sources are %(sources)s."
                        )
                        % {"sources": ", ".join(CapitalSource.values)},
                        column=where,
                        value=str(entry.get("id", "")),
                    )
                )
                continue
            amount_million = _million(entry.get("amount") or {}, where, rows.issues)
            if amount_million is None:
                continue
            year = int(parts[0])
            effective_on = _date_of(entry.get("approvalDate")) or dt.date(year, 1, 1)
            budgets.append((year, parts[1], parts[2], amount_million, effective_on))
    if budgets:
        rows.budgets[code] = budgets
    transactions = []
    for position, transaction_item in enumerate(item.get("transactions", [])):
        where = f"{base}.transactions[{position}]"
        parts = str(transaction_item.get("id", "")).split("/")
        if (
            len(parts) != 3
            or not parts[0].isdigit()
            or parts[1] not in CapitalSource.values
            or not re.fullmatch(r"\d{6}", parts[2])
        ):
            rows.issues.append(
                Issue(
                    _("A transaction's id must be plan year/source/month (e.g. 2024/provincial/202406)."),
                    column=where,
                    value=str(transaction_item.get("id", "")),
                )
            )
            continue
        value = _million(transaction_item.get("value") or {}, where, rows.issues)
        if value is not None:
            transactions.append((int(parts[0]), parts[1], parts[2], value))
    if transactions:
        rows.transactions[code] = transactions
    return Row(line=0, cells=cells, columns=columns)


def oc4ids_rows(content: bytes) -> PackageRows:
    """A package's projects as rows of the register (checked as a register file is), or ParseError
    naming every place where it is not valid OC4IDS 0.9.5 or says what the register cannot keep."""
    try:
        package = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ParseError(
            [Issue(_("The file is not JSON an OC4IDS package can be read from: %(error)s") % {"error": exc})]
        ) from exc
    problems = oc4ids_problems(package)
    if problems:
        raise ParseError(problems)
    if str(package.get("version")) != VERSION:
        raise ParseError(
            [
                Issue(
                    _("The package is OC4IDS %(version)s; dieuhanh reads OC4IDS %(ours)s.")
                    % {"version": package.get("version"), "ours": VERSION},
                    column="version",
                )
            ]
        )
    rows = PackageRows(table=Table(rows=[], present=frozenset()))
    table_rows = [_project_cells(i, item, rows) for i, item in enumerate(package["projects"])]
    present = frozenset(key for row in table_rows for key in row.cells)
    rows.table = Table(rows=table_rows, present=present)
    if rows.issues:
        raise ParseError(rows.issues)
    return rows


def with_package_details(projects: list[RegisterRow], rows: PackageRows) -> list[RegisterRow]:
    """The register rows with what a package says beyond a register file: any geometry, every decision."""
    for project in projects:
        if project.code in rows.geometries:
            project.geometry = rows.geometries[project.code]
        project.decisions = rows.decisions.get(project.code, project.decisions)
    return projects
