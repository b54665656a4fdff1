"""The authorization matrix: every page and API endpoint of the URL conf × method × actor.

The cases are generated from ``get_resolver().url_patterns`` (the admin's pages left out but its
login), so a new URL cannot be forgotten: one missing from ``MATRIX`` fails with "add <name> to the
authorization matrix". URL modules mounted only under a setting (single sign-on's) are walked too
and their cases run with the setting on (``OPTIONAL_URLS``). Each actor acts on a target: a viewer
and a reporter of district 718 on district 718's objects (in scope), the same reporter on district
719's (out of scope), everyone else on district 719's. A request is *allowed* when it gets past
the gate (2xx, 3xx other than to the login page, or 400/409 for a body the gate let through) and
*denied* when it gets 401, 403, 404 or a redirect to the login page.

The world is built once for the module, inside a transaction rolled back at its end; each case
runs in a savepoint of its own (pytest-django's ``db``), so a write leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.services import membership_add
from dieuhanh.directives.choices import SourceKind
from dieuhanh.directives.models import Directive, EvidenceFile, SourceDocument
from dieuhanh.directives.services import DirectiveInput, directives_create, progress_report, source_document_create
from dieuhanh.figures.models import DataValue, ImportBatch
from dieuhanh.indicators.models import Indicator, Target
from dieuhanh.orgunits.models import CatalogueChange, OrgUnit, OrgUnitGroup, Succession
from dieuhanh.projects.models import (
    CapitalAllocation,
    CapitalTransfer,
    DisbursementMilestone,
    Obstacle,
    Project,
    ProjectImport,
)
from dieuhanh.reporting.models import DataSet, DataSetReport
from dieuhanh.reports.models import GeneratedReport
from tests.accounts.sso import oidc_enabled
from tests.factories import IndicatorFactory, OrgUnitFactory, SectorFactory, UserFactory, put

# ---- actors --------------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
NO_ROLE = "signed_in_without_role"
VIEWER = "viewer_of_718"
REPORTER_IN = "reporter_of_718_in_scope"
REPORTER_OUT = "reporter_of_718_out_of_scope"
APPROVER = "approver_of_province"
OPERATOR = "operator"
ADMINISTRATOR = "administrator"
ACTORS = (ANONYMOUS, NO_ROLE, VIEWER, REPORTER_IN, REPORTER_OUT, APPROVER, OPERATOR, ADMINISTRATOR)

# Which district's objects each actor acts on.
TARGET = {VIEWER: "718", REPORTER_IN: "718"}

EVERYONE = frozenset(ACTORS)
SIGNED_IN = EVERYONE - {ANONYMOUS}
WITH_ROLE = SIGNED_IN - {NO_ROLE}
# Those who read the target in full (every indicator, its directives): in scope, leaders, all-readers.
READS_TARGET = frozenset({VIEWER, REPORTER_IN, APPROVER, OPERATOR, ADMINISTRATOR})
# Those who write the target's figures.
WRITES_TARGET = frozenset({REPORTER_IN, ADMINISTRATOR})
# Those holding the import permission (reporters, administrators); the file's units are checked
# row by row (tests/accounts/test_scoped_writes.py).
IMPORTERS = frozenset({REPORTER_IN, REPORTER_OUT, ADMINISTRATOR})
# Leaders, operators and administrators: they read everything.
READ_ALL = frozenset({APPROVER, OPERATOR, ADMINISTRATOR})
CATALOGUE = frozenset({OPERATOR, ADMINISTRATOR})
NOBODY: frozenset[str] = frozenset()

WRITES = ("POST", "PUT", "PATCH", "DELETE")

# What only those who read district 719 in full may see anywhere (a page, an API answer): its
# non-public figure and the province's total of it (as the API and as the pages write them), its
# directive and its evidence file.
SECRET_VALUE = {"718": 718718, "719": 719719}
DIRECTIVE_MARK = {"718": "NV-718-NOIBO", "719": "NV-719-NOIBO"}
MARKS_OF_719 = ("719719", "719.719", "1438437", "1.438.437", DIRECTIVE_MARK["719"], "bao-cao-719")
BLIND_TO_719 = frozenset({ANONYMOUS, NO_ROLE, VIEWER, REPORTER_IN, REPORTER_OUT})


# ---- the world -----------------------------------------------------------------------------------


@dataclass
class Side:
    """A district's objects: what an actor targeting it names in the URL and the body."""

    district: OrgUnit
    commune: OrgUnit
    figure: DataValue
    directive: Directive
    source: SourceDocument
    evidence: EvidenceFile
    report: GeneratedReport
    batch: ImportBatch
    target: Target


@dataclass
class World:
    province: OrgUnit
    public: Indicator
    secret: Indicator
    group: OrgUnitGroup
    succession: Succession
    change: CatalogueChange
    data_set: DataSet
    sides: dict[str, Side]
    users: dict[str, Any] = field(default_factory=dict)
    # Each district's report of the data set for January 2023, submitted (data entry with approval).
    entered: dict[str, DataSetReport] = field(default_factory=dict)


def _side(code: str, district: OrgUnit, commune: OrgUnit, *, secret: Indicator, creator: Any, office: Any) -> Side:
    # A value no other number of the world makes: seen anywhere, it is this figure.
    figure = put(secret, district, "202301", SECRET_VALUE[code])
    put(secret, commune, "202301", 4)
    source = source_document_create(
        kind=SourceKind.CONCLUSION_NOTICE, date=dt.date(2024, 9, 12), number=f"{code}/TB-UBND", user=office
    )
    (directive,) = directives_create(
        source=source, items=[DirectiveInput(content=f"Nhiệm vụ {DIRECTIVE_MARK[code]}", lead=code)], user=office
    )
    update = progress_report(
        directive=directive,
        percent=40,
        text="Đang làm",
        reported_on=dt.date(2024, 10, 1),
        files=[SimpleUploadedFile(f"bao-cao-{code}.pdf", b"%PDF-1.4 evidence")],
        user=office,
    )
    report = GeneratedReport(org_unit=district, period="2023", file_format="pdf", created_by=office)
    report.file.save(f"bao-cao-{code}.pdf", ContentFile(b"%PDF-1.4 report"), save=False)
    report.save()
    batch = ImportBatch.objects.create(
        source_name=f"{code}.csv", file_format="csv", status="succeeded", channel="web", created_by=creator
    )
    target = Target.objects.create(indicator=secret, org_unit=district, year_from=2023, year_to=2023, value=100)
    return Side(
        district=district,
        commune=commune,
        figure=figure,
        directive=directive,
        source=source,
        evidence=update.evidence.get(),
        report=report,
        batch=batch,
        target=target,
    )


def _build_world() -> World:
    province = OrgUnitFactory(code="74", name="Tỉnh Bình Dương", kind="province")
    a = OrgUnitFactory(code="718", name="Thành phố Thủ Dầu Một", kind="district", parent=province)
    b = OrgUnitFactory(code="719", name="Huyện Bàu Bàng", kind="district", parent=province)
    a1 = OrgUnitFactory(code="25741", name="Phường Hiệp Thành", parent=a)
    b1 = OrgUnitFactory(code="25816", name="Xã Trừ Văn Thố", parent=b)
    sector = SectorFactory(code="KT")
    public = IndicatorFactory(code="REV", is_public=True, sector=sector)
    secret = IndicatorFactory(code="SECRET", is_public=False, sector=sector)
    put(public, a, "202301", 7)
    put(public, b, "202301", 8)

    users: dict[str, Any] = {NO_ROLE: UserFactory(username="no_role")}
    for name, role, unit in (
        (VIEWER, Role.VIEWER, a),
        (REPORTER_IN, Role.REPORTER, a),
        (APPROVER, Role.APPROVER, province),
        (OPERATOR, Role.OPERATOR, None),
        (ADMINISTRATOR, Role.ADMINISTRATOR, None),
    ):
        users[name] = UserFactory(username=name)
        membership_add(user=users[name], role=role, org_unit=unit)
    users[REPORTER_OUT] = users[REPORTER_IN]
    reporter_b = UserFactory(username="reporter_of_719")
    membership_add(user=reporter_b, role=Role.REPORTER, org_unit=b)
    office = users[ADMINISTRATOR]

    sides = {
        "718": _side("718", a, a1, secret=secret, creator=users[REPORTER_IN], office=office),
        "719": _side("719", b, b1, secret=secret, creator=reporter_b, office=office),
    }
    group = OrgUnitGroup.objects.create(code="DISTRICTS", name="Các huyện")
    group.members.add(a, b)
    succession = Succession.objects.create(predecessor=b1, successor=a1, effective_date=dt.date(2025, 7, 1))
    change = CatalogueChange.objects.create(way="api", action="update", model="indicators.indicator", code="SECRET")
    data_set = DataSet.objects.create(
        code="BC_THANG", name="Báo cáo tháng", period_type="monthly", org_unit_kind="district"
    )
    data_set.indicators.add(public, secret)
    entered = {
        code: DataSetReport.objects.create(
            data_set=data_set, org_unit=side.district, period="202301", status="submitted", submitted_at=timezone.now()
        )
        for code, side in sides.items()
    }
    return World(province, public, secret, group, succession, change, data_set, sides, users, entered)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock(), transaction.atomic():
        built = _build_world()
        yield built
        transaction.set_rollback(True)


# ---- what each URL expects -----------------------------------------------------------------------

Kwargs = Callable[[World, Side], dict[str, Any]]


@dataclass(frozen=True)
class Rule:
    """Who gets past the gate of one URL, per method; the URL's kwargs, query and bodies."""

    allowed: dict[str, frozenset[str]]
    kwargs: Kwargs = lambda w, s: {}
    query: Callable[[World, Side], str] = lambda w, s: ""
    body: Callable[[World, Side, str], dict[str, Any]] = lambda w, s, m: {}
    # A view whose methods the URL conf cannot tell (a plain function).
    methods: tuple[str, ...] = ()
    # Bodies sent as a form (multipart), not JSON.
    form: bool = False
    # An answer of 400 for a thing the actor may not see (an indicator unknown to the public) is a denial.
    hidden_is_400: bool = False


def _figure_body(w: World, s: Side, method: str) -> dict[str, Any]:
    period = "202301" if method in ("PUT", "PATCH") else "202302"
    return {"indicator": "SECRET", "org_unit": s.district.code, "period": period, "value": "12"}


def _read(who: frozenset[str], **extra: Any) -> Rule:
    return Rule(allowed={"GET": who}, **extra)


def _catalogue(read: frozenset[str] = EVERYONE, **extra: Any) -> Rule:
    return Rule(allowed={"GET": read, **dict.fromkeys(WRITES, CATALOGUE)}, **extra)


def _code(attribute: str) -> Kwargs:
    return lambda w, s: {"code": getattr(w, attribute).code if hasattr(w, attribute) else getattr(s, attribute).code}


def _pk(attribute: str) -> Kwargs:
    return lambda w, s: {"pk": getattr(s, attribute).pk if hasattr(s, attribute) else getattr(w, attribute).pk}


def _register(w: World, s: Side) -> dict[str, Any]:
    """The public-investment register's objects a URL names (made in the case's own savepoint)."""
    defaults = {"name": "Dự án", "investor": w.province, "group": "C", "sector": "health", "total_investment": 100}
    giver, _made = Project.objects.get_or_create(code="DA-1", defaults=defaults)
    taker, _made = Project.objects.get_or_create(code="DA-2", defaults=defaults)
    day = dt.date(2024, 1, 1)
    allocation, _made = CapitalAllocation.objects.get_or_create(
        project=giver, year=2024, source="provincial", kind="initial", defaults={"amount": 50, "effective_on": day}
    )
    transfer, _made = CapitalTransfer.objects.get_or_create(
        year=2024,
        source="provincial",
        from_project=giver,
        to_project=taker,
        defaults={"amount": 1, "effective_on": day, "decision_number": "1", "decision_date": day},
    )
    obstacle, _made = Obstacle.objects.get_or_create(
        project=giver,
        category="land",
        defaults={"description": "Đất", "reported_on": day, "resolving_agency": s.district},
    )
    milestone, _made = DisbursementMilestone.objects.get_or_create(year=2024, due_on=dt.date(2024, 6, 30), percent=30)
    return {
        "project": giver,
        "allocation": allocation,
        "transfer": transfer,
        "obstacle": obstacle,
        "milestone": milestone,
    }


def _project_import() -> ProjectImport:
    """An import of the register by nobody in particular (a command's): only its readers see it."""
    found, _made = ProjectImport.objects.get_or_create(
        source_name="du-an.csv", defaults={"kind": "register", "file_format": "csv", "status": "committed"}
    )
    return found


def _of_register(name: str, key: str = "pk") -> Kwargs:
    def kwargs(w: World, s: Side) -> dict[str, Any]:
        found = _register(w, s)[name]
        return {key: found.code if key == "code" else found.pk}

    return kwargs


MATRIX: dict[str, Rule] = {
    # -- the catalogue's API: public to read, kept by operators ------------------------------------
    "orgunit-list": _catalogue(),
    "orgunit-detail": _catalogue(kwargs=lambda w, s: {"code": s.commune.code}),
    "orgunitgroup-list": _catalogue(),
    "orgunitgroup-detail": _catalogue(kwargs=_code("group")),
    "succession-list": _catalogue(),
    "succession-detail": _catalogue(kwargs=_pk("succession")),
    "cataloguechange-list": _read(READ_ALL),
    "cataloguechange-detail": _read(READ_ALL, kwargs=_pk("change")),
    "sector-list": _catalogue(),
    "sector-detail": _catalogue(kwargs=lambda w, s: {"code": "KT"}),
    "indicator-list": _catalogue(),
    # A non-public indicator: those holding a role see it (with its targets).
    "indicator-detail": _catalogue(read=WITH_ROLE, kwargs=lambda w, s: {"code": "SECRET"}),
    "target-list": _catalogue(),
    "target-detail": _catalogue(read=WITH_ROLE, kwargs=_pk("target")),
    # -- figures ----------------------------------------------------------------------------------
    "datavalue-list": Rule(allowed={"GET": EVERYONE, "POST": WRITES_TARGET}, body=_figure_body),
    "datavalue-detail": Rule(
        allowed={"GET": READS_TARGET, **dict.fromkeys(WRITES[1:], WRITES_TARGET)},
        kwargs=_pk("figure"),
        body=_figure_body,
    ),
    # Anyone lists imports (their own; none for the public); the file's units are checked per row.
    "import-list": Rule(allowed={"GET": EVERYONE, "POST": IMPORTERS}, form=True),
    "import-detail": _read(frozenset({REPORTER_IN, *READ_ALL}), kwargs=_pk("batch")),
    "import-errors-csv": _read(frozenset({REPORTER_IN, *READ_ALL}), kwargs=_pk("batch")),
    # A non-public indicator: unknown to the public (400), refused outside the reader's scope (403).
    "api-analytics": _read(
        READS_TARGET,
        query=lambda w, s: f"?indicator=REV,SECRET&org_unit={s.district.code}&period=2023",
        hidden_is_400=True,
    ),
    # The ranking of the province's districts: for those who read them all.
    "api-ranking": _read(READ_ALL, query=lambda w, s: "?indicator=SECRET&org_unit=74&period=2023", hidden_is_400=True),
    # -- directives: signed-in users, each the directives of their scope ----------------------------
    "directive-source-list": Rule(allowed={"GET": SIGNED_IN, "POST": CATALOGUE}),
    "directive-source-detail": Rule(
        allowed={"GET": READS_TARGET, "PUT": CATALOGUE, "PATCH": CATALOGUE, "DELETE": CATALOGUE},
        kwargs=_pk("source"),
    ),
    "directive-list": Rule(allowed={"GET": SIGNED_IN, "POST": CATALOGUE}),
    "directive-detail": Rule(
        allowed={"GET": READS_TARGET, "PUT": CATALOGUE, "PATCH": CATALOGUE, "DELETE": CATALOGUE},
        kwargs=_pk("directive"),
    ),
    "directive-summary": _read(SIGNED_IN),
    # Progress is read with the directive; reported by the lead agency's contacts and the office.
    "directive-progress": Rule(allowed={"GET": READS_TARGET, "POST": CATALOGUE}, kwargs=_pk("directive")),
    "directive-review": Rule(
        allowed={"POST": CATALOGUE},
        kwargs=_pk("directive"),
        body=lambda w, s, m: {"update": s.evidence.update_id, "accept": False, "note": "Bổ sung"},
    ),
    "api-directives-extract": Rule(allowed={"POST": CATALOGUE}),
    "api-directives-scorecards": _read(SIGNED_IN, query=lambda w, s: "?period=2024"),
    # -- the reporting calendar ---------------------------------------------------------------------
    "dataset-list": Rule(allowed={"GET": SIGNED_IN, "POST": CATALOGUE}),
    "dataset-detail": _catalogue(read=SIGNED_IN, kwargs=_code("data_set")),
    "api-reporting-obligations": _read(SIGNED_IN, query=lambda w, s: f"?period=2024&org_unit={s.district.code}"),
    # Data entry with approval: reports of the units read; submitted by the unit's reporters,
    # approved or returned by the level above (an empty return is a 400), reopened by operators
    # (a report not approved is a 400).
    "datasetreport-list": _read(SIGNED_IN),
    "datasetreport-detail": _read(READS_TARGET, kwargs=lambda w, s: {"pk": w.entered[s.district.code].pk}),
    "datasetreport-submit": Rule(
        allowed={"POST": WRITES_TARGET}, kwargs=lambda w, s: {"pk": w.entered[s.district.code].pk}
    ),
    "datasetreport-approve": Rule(
        allowed={"POST": frozenset({APPROVER, ADMINISTRATOR})},
        kwargs=lambda w, s: {"pk": w.entered[s.district.code].pk},
    ),
    "datasetreport-return": Rule(
        allowed={"POST": frozenset({APPROVER, ADMINISTRATOR})},
        kwargs=lambda w, s: {"pk": w.entered[s.district.code].pk},
    ),
    "datasetreport-reopen": Rule(
        allowed={"POST": CATALOGUE}, kwargs=lambda w, s: {"pk": w.entered[s.district.code].pk}
    ),
    # -- public investment: public to read (its obstacles internal), kept by operators ----------------
    "project-list": _catalogue(),
    "project-detail": _catalogue(kwargs=_of_register("project", "code")),
    "project-progress": _read(EVERYONE, kwargs=_of_register("project", "code")),
    "project-allocation-list": _catalogue(),
    "project-allocation-detail": _catalogue(kwargs=_of_register("allocation")),
    "project-transfer-list": _catalogue(),
    "project-transfer-detail": _catalogue(kwargs=_of_register("transfer")),
    # The obstacles are internal, as on the register's pages: read by those signed in.
    "project-obstacle-list": _catalogue(SIGNED_IN),
    "project-obstacle-detail": _catalogue(SIGNED_IN, kwargs=_of_register("obstacle")),
    "project-obstacle-resolve": Rule(allowed={"POST": CATALOGUE}, kwargs=_of_register("obstacle")),
    "project-milestone-list": _catalogue(),
    "project-milestone-detail": _catalogue(kwargs=_of_register("milestone")),
    "api-projects-disbursements": _catalogue(),
    "api-projects-site-clearance": _catalogue(),
    "api-projects-investors": _read(EVERYONE),
    "api-projects-proposals": _read(EVERYONE),
    "api-projects-map": _read(EVERYONE),
    # The register's exchange: imports by those who keep the register, their history to its readers
    # (an empty upload gets past the gate: 400), the OC4IDS package open to anyone.
    "projectimport-list": Rule(allowed={"GET": SIGNED_IN, "POST": CATALOGUE}, form=True),
    "projectimport-detail": _read(READ_ALL, kwargs=lambda w, s: {"pk": _project_import().pk}),
    "projectimport-errors-csv": _read(READ_ALL, kwargs=lambda w, s: {"pk": _project_import().pk}),
    "projectimport-template": _read(SIGNED_IN, query=lambda w, s: "?kind=register&file_format=csv"),
    "projects-oc4ids": _read(EVERYONE),
    # The register's pages: for those signed in (its obstacles and directives are internal).
    "projects:list": _read(SIGNED_IN),
    "projects:investors": _read(SIGNED_IN),
    "projects:map": _read(SIGNED_IN),
    "projects:detail": _read(SIGNED_IN, kwargs=_of_register("project", "code")),
    # -- the API's front page and its schema --------------------------------------------------------
    "api-root": _read(EVERYONE),
    "schema": _read(EVERYONE),
    "api-docs": _read(EVERYONE),
    "api-redoc": _read(EVERYONE),
    # -- signing in ---------------------------------------------------------------------------------
    "admin:login": Rule(allowed={"GET": EVERYONE, "POST": EVERYONE}),
    "login": Rule(allowed={"GET": EVERYONE, "POST": EVERYONE, "PUT": EVERYONE}),
    "logout": Rule(allowed={"POST": EVERYONE}),
    "admin_logout": Rule(allowed={"POST": EVERYONE}),
    "set_language": Rule(allowed={"GET": EVERYONE, "POST": EVERYONE}, methods=("GET", "POST")),
    # Single sign-on (only when configured): anyone is sent on to the provider; coming back without
    # the provider's code and the state it was given, nobody gets past: back to the sign-in page.
    "oidc_authentication_init": _read(EVERYONE),
    "oidc_authentication_callback": _read(NOBODY),
    # -- directives' pages --------------------------------------------------------------------------
    "directives:register": _read(SIGNED_IN),
    "directives:detail": Rule(
        # Reporting progress: the lead agency's contacts and the office.
        allowed={"GET": READS_TARGET, "POST": CATALOGUE},
        kwargs=_pk("directive"),
    ),
    "directives:extract": Rule(allowed={"GET": CATALOGUE, "POST": CATALOGUE}),
    "directives:inbox_choose": _read(SIGNED_IN),
    "directives:inbox": _read(READS_TARGET, kwargs=lambda w, s: {"code": s.district.code}),
    "directives:scorecards": _read(SIGNED_IN, query=lambda w, s: "?period=2024"),
    "directives:evidence": _read(READS_TARGET, kwargs=_pk("evidence")),
    "directives:notifications_read": Rule(allowed={"POST": SIGNED_IN}),
    # -- reports: for those who read the unit in full -----------------------------------------------
    "reports:index": Rule(allowed={"GET": WITH_ROLE, "POST": CATALOGUE}),
    "reports:download": _read(READS_TARGET, kwargs=_pk("report")),
    "reports:preview": _read(READS_TARGET, query=lambda w, s: f"?org_unit={s.district.code}&period=2023"),
    # -- the reporting calendar's pages: leaders and operators every unit, others their scope ------
    "reporting:calendar": _read(SIGNED_IN),
    "reporting:unit": _read(READS_TARGET, kwargs=lambda w, s: {"code": s.district.code}),
    # A unit's report form: read where the unit is read, written by its reporters (an empty form
    # is a draft of nothing, 302); approvals for approvers, reopening for operators (an empty
    # decision is a 400).
    "reporting:entry": Rule(
        allowed={"GET": READS_TARGET, "POST": WRITES_TARGET},
        kwargs=lambda w, s: {"data_set": w.data_set.code, "code": s.district.code, "period": "202302"},
    ),
    "reporting:approvals": Rule(allowed={"GET": READ_ALL, "POST": READ_ALL}),
    # -- data entry ---------------------------------------------------------------------------------
    "ingest:imports": Rule(allowed={"GET": IMPORTERS, "POST": IMPORTERS}),
    # Any unit's template, with only the figures the importer reads there (a separate test).
    "ingest:template": _read(IMPORTERS, query=lambda w, s: f"?org_unit={s.district.code}&year=2023"),
    "ingest:batch": _read(frozenset({REPORTER_IN, *READ_ALL}), kwargs=_pk("batch")),
    "ingest:errors_csv": _read(frozenset({REPORTER_IN, *READ_ALL}), kwargs=_pk("batch")),
    # -- the dashboards: public figures for all, a non-public indicator where it is read -----------
    "dashboard:overview": _read(EVERYONE, query=lambda w, s: f"?org_unit={s.district.code}&period=2023"),
    "dashboard:indicator": _read(
        READS_TARGET, kwargs=lambda w, s: {"code": "SECRET"}, query=lambda w, s: f"?org_unit={s.district.code}"
    ),
    "dashboard:indicator-export": _read(
        READS_TARGET,
        kwargs=lambda w, s: {"code": "SECRET", "file_format": "csv"},
        query=lambda w, s: f"?org_unit={s.district.code}&period=2023",
    ),
    "dashboard:scorecard": _read(EVERYONE, query=lambda w, s: f"?org_unit={s.district.code}&period=2023"),
    "dashboard:offtrack": _read(EVERYONE),
    "dashboard:wall": _read(EVERYONE),
    "dashboard:wall-panels": _read(EVERYONE),
    "dashboard:boundaries": _read(EVERYONE, kwargs=lambda w, s: {"code": s.district.code}),
    "dashboard:palette": _read(EVERYONE),
}


# ---- the URL conf --------------------------------------------------------------------------------

HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str
    methods: tuple[str, ...]


def _function_methods(view: Any) -> tuple[str, ...]:
    """The methods a function view's ``require_http_methods`` lets through (found in its closure)."""
    while view is not None:
        for cell in getattr(view, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if isinstance(value, list | tuple | set | frozenset) and value and set(value) <= HTTP_METHODS | {"HEAD"}:
                return tuple(m for m in ("GET", *WRITES) if m in value)
        view = getattr(view, "__wrapped__", None)
    return ()


def _methods(callback: Any) -> tuple[str, ...]:
    actions = getattr(callback, "actions", None)
    if actions:  # a viewset's route
        return tuple(m for m in ("GET", *WRITES) if m.lower() in actions)
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return tuple(
            m for m in ("GET", *WRITES) if m.lower() in view_class.http_method_names and hasattr(view_class, m.lower())
        )
    return _function_methods(callback)


def _walk(patterns: list[Any], route: str = "", namespace: str = "") -> Iterator[Endpoint]:
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                # The admin's pages are Django's, behind is_staff and model permissions: only its login.
                yield Endpoint("admin:login", route + str(p.pattern) + "login/", ("GET", "POST"))
                continue
            inner = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            yield from _walk(p.url_patterns, route + str(p.pattern), inner or "")
            continue
        assert isinstance(p, URLPattern)
        full = route + str(p.pattern)
        if "format" in p.pattern.converters or "(?P<format>" in full:
            continue  # the same view with a format suffix (/api/v1/org-units.json)
        name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or full)
        yield Endpoint(name, full, _methods(p.callback))


# URL modules that dieuhanh.urls mounts only under a setting (prefix → module, and what turns the
# setting on): walked as if mounted, and each case of theirs requested with the setting on, so that
# an optional endpoint cannot be forgotten either.
OPTIONAL_URLS: dict[str, tuple[str, Callable[[], AbstractContextManager[None]]]] = {
    "oidc/": ("dieuhanh.accounts.urls", oidc_enabled),
}
# The endpoints of OPTIONAL_URLS → what turns them on.
OPTIONAL: dict[str, Callable[[], AbstractContextManager[None]]] = {}


def _endpoints() -> dict[str, Endpoint]:
    found: dict[str, Endpoint] = {}
    walks = [(_walk(get_resolver().url_patterns), None)]
    walks += [(_walk(import_module(module).urlpatterns, prefix), on) for prefix, (module, on) in OPTIONAL_URLS.items()]
    for endpoints, on in walks:
        for endpoint in endpoints:
            if on is not None and endpoint.name in found:
                continue  # mounted already (the setting is on in this run)
            # A second route under a name already seen is its own line of the matrix, not a shadow.
            key = endpoint.name if endpoint.name not in found else f"{endpoint.name} {endpoint.route}"
            found.setdefault(key, endpoint)
            if on is not None:
                OPTIONAL[key] = on
    return found


ENDPOINTS = _endpoints()


def _cases() -> Iterator[Any]:
    for name, endpoint in ENDPOINTS.items():
        rule = MATRIX.get(name)
        methods = (rule.methods if rule is not None and rule.methods else endpoint.methods) or ("GET",)
        for method in methods:
            for actor in ACTORS:
                yield pytest.param(name, method, actor, id=f"{name}-{method}-{actor}")


# ---- the test ------------------------------------------------------------------------------------


def _client(world: World, actor: str) -> Client:
    client = Client()
    if actor != ANONYMOUS:
        client.force_login(world.users[actor])
    return client


def _denied(response: Any, rule: Rule) -> bool:
    if response.status_code in (401, 403, 404) or (rule.hidden_is_400 and response.status_code == 400):
        return True
    return response.status_code in (301, 302) and "/login/" in response.get("Location", "")


def _passed(response: Any) -> bool:
    if response.status_code in (400, 409):  # the gate let the request through to its checks
        return True
    login = response.status_code in (301, 302) and "/login/" in response.get("Location", "")
    return response.status_code < 400 and not login


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "actor"), list(_cases()))
def test_each_url_lets_through_exactly_the_actors_the_matrix_names(
    world: World, name: str, method: str, actor: str
) -> None:
    rule = MATRIX.get(name)
    if rule is None:
        pytest.fail(f"add {name} to the authorization matrix ({ENDPOINTS[name].route})")
    side = world.sides[TARGET.get(actor, "719")]
    with OPTIONAL.get(name, nullcontext)():
        url = reverse(name, kwargs=rule.kwargs(world, side)) + rule.query(world, side)
        body = rule.body(world, side, method)
        client = _client(world, actor)

        if method == "GET":
            response = client.get(url)
        elif rule.form:
            response = client.post(url, body)
        else:
            response = client.generic(method, url, json.dumps(body), content_type="application/json")

    expected = actor in rule.allowed.get(method, NOBODY)
    outcome = f"{method} {url} as {actor}: {response.status_code} {response.get('Location', '')}"
    if expected:
        assert _passed(response), f"expected allowed, got {outcome}"
    else:
        assert _denied(response, rule), f"expected denied, got {outcome}"
    if method == "GET" and actor in BLIND_TO_719 and not response.streaming:
        text = response.content.decode(errors="replace")
        shown = [mark for mark in MARKS_OF_719 if mark in text]
        assert not shown, f"{method} {url} shows {shown} of district 719 to {actor}"


def test_every_url_of_the_url_conf_is_in_the_matrix() -> None:
    missing = [f"add {name} to the authorization matrix" for name in ENDPOINTS if name not in MATRIX]
    assert not missing, "; ".join(missing)


def test_every_method_the_url_conf_answers_has_a_line_in_the_matrix() -> None:
    missing = [
        f"{name} {method}"
        for name, endpoint in ENDPOINTS.items()
        if name in MATRIX
        for method in (MATRIX[name].methods or endpoint.methods)
        if method not in MATRIX[name].allowed
    ]
    assert not missing, f"add these methods to the authorization matrix: {missing}"


def test_the_matrix_names_no_url_the_url_conf_lacks() -> None:
    assert sorted(set(MATRIX) - set(ENDPOINTS)) == []


@pytest.mark.parametrize("prefix", list(OPTIONAL_URLS))
def test_each_optional_url_module_is_mounted_by_the_url_conf_only_under_its_setting(prefix: str) -> None:
    module, on = OPTIONAL_URLS[prefix]
    expected = {endpoint.name: endpoint.route for endpoint in _walk(import_module(module).urlpatterns, prefix)}

    without = {endpoint.name for endpoint in _walk(get_resolver().url_patterns)}
    with on():
        mounted = {endpoint.name: endpoint.route for endpoint in _walk(get_resolver().url_patterns)}

    assert not set(expected) & without
    assert {name: mounted.get(name) for name in expected} == expected
