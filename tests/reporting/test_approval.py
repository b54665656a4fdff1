"""Data entry with approval: a commune enters its monthly report, the district above approves or
returns it, approved figures are locked everywhere, an operator reopens; every step audited.

Actors: a reporter of Phường Hiệp Thành (25741, the owner), a reporter of Phường Phú Lợi (25744,
a colleague), an approver of Thành phố Thủ Dầu Một (718, the level above), an approver of the
commune itself, and an operator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.services import membership_add
from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.models import DataValue, DataValueChange, ImportBatch
from dieuhanh.figures.services import FigureLockedError, FigureRow, figures_write
from dieuhanh.indicators.periods import Period
from dieuhanh.ingest.services import import_file
from dieuhanh.reporting.choices import ReportStatus
from dieuhanh.reporting.models import DataSetReport, ReportStep
from dieuhanh.reporting.selectors import obligations, reports_to_approve
from dieuhanh.reporting.workflow import (
    ReportError,
    ReportForbiddenError,
    report_approve,
    report_reopen,
    report_return,
    report_save,
)
from tests.factories import IndicatorFactory, UserFactory
from tests.reporting.conftest import World, at

pytestmark = pytest.mark.django_db

JUNE = Period.parse("202506")
ENTRY = "/reporting/entry/XA_THANG/25741/202506/"


@dataclass
class People:
    owner: Any
    colleague: Any
    above: Any
    own_approver: Any
    operator: Any


@pytest.fixture
def people(world: World) -> People:
    made = {}
    for name, role, unit in (
        ("owner", Role.REPORTER, world.commune_a),
        ("colleague", Role.REPORTER, world.commune_b),
        ("above", Role.APPROVER, world.district),
        ("own_approver", Role.APPROVER, world.commune_a),
        ("operator", Role.OPERATOR, None),
    ):
        made[name] = UserFactory(username=name)
        membership_add(user=made[name], role=role, org_unit=unit)
    return People(**made)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _fields(a: str = "1.234,5", b: str = "12") -> dict[str, str]:
    return {"v-IND_A-202506": a, "v-IND_B-202506": b}


def _figures(world: World) -> dict[str, tuple[Decimal, str]]:
    return {
        v.indicator.code: (v.value, v.status)
        for v in DataValue.objects.filter(org_unit=world.commune_a, period="202506").select_related("indicator")
    }


def _report(world: World) -> DataSetReport:
    return DataSetReport.objects.get(data_set=world.data_set, org_unit=world.commune_a, period="202506")


def test_a_report_goes_from_draft_to_approved_and_back_through_an_operator(world: World, people: People) -> None:
    owner = _client(people.owner)

    # A draft: the figures are stored as drafts, typed the Vietnamese way.
    page = owner.post(ENTRY, {**_fields(), "action": "save"})
    assert page.status_code == 302
    assert _figures(world) == {
        "IND_A": (Decimal("1234.5"), DataValueStatus.DRAFT),
        "IND_B": (Decimal(12), DataValueStatus.DRAFT),
    }
    assert _report(world).status == ReportStatus.DRAFT

    # Submitted unchanged: the figures follow the report.
    owner.post(ENTRY, {**_fields(), "action": "submit"})
    assert {s for _v, s in _figures(world).values()} == {DataValueStatus.SUBMITTED}
    assert _report(world).status == ReportStatus.SUBMITTED
    assert _report(world).submitted_by == people.owner

    # The level above returns it with a comment, shown to the reporter.
    above = _client(people.above)
    waiting = above.get("/reporting/approvals/").content.decode()
    assert "Phường Hiệp Thành" in waiting
    page = above.post("/reporting/approvals/", {"report": _report(world).pk, "action": "return", "comment": ""})
    assert page.status_code == 400
    assert "cần có nhận xét" in page.content.decode()
    above.post(
        "/reporting/approvals/", {"report": _report(world).pk, "action": "return", "comment": "IND_B sai đơn vị"}
    )
    assert _report(world).status == ReportStatus.RETURNED
    assert {s for _v, s in _figures(world).values()} == {DataValueStatus.DRAFT}
    shown = owner.get(ENTRY).content.decode()
    assert "IND_B sai đơn vị" in shown

    # Corrected and submitted again, then approved: the figures are approved.
    owner.post(ENTRY, {**_fields(b="13"), "action": "submit"})
    assert _report(world).status == ReportStatus.SUBMITTED
    page = above.post("/reporting/approvals/", {"report": _report(world).pk, "action": "approve"})
    assert page.status_code == 302
    assert _figures(world) == {
        "IND_A": (Decimal("1234.5"), DataValueStatus.APPROVED),
        "IND_B": (Decimal(13), DataValueStatus.APPROVED),
    }
    assert _report(world).status == ReportStatus.APPROVED

    # Locked: the form refuses, naming the report and who can reopen it.
    page = owner.post(ENTRY, {**_fields(b="14"), "action": "save"})
    assert page.status_code == 400
    assert "đã khóa" in page.content.decode()
    assert _figures(world)["IND_B"] == (Decimal(13), DataValueStatus.APPROVED)

    # The approver cannot reopen; the operator can, with a reason.
    with pytest.raises(ReportForbiddenError):
        report_reopen(report=_report(world), user=people.above, reason="Sai")
    with pytest.raises(ReportError):
        report_reopen(report=_report(world), user=people.operator, reason=" ")
    operator = _client(people.operator)
    page = operator.post(
        "/reporting/approvals/", {"report": _report(world).pk, "action": "reopen", "comment": "Cục Thống kê đính chính"}
    )
    assert page.status_code == 302
    assert _report(world).status == ReportStatus.SUBMITTED
    assert {s for _v, s in _figures(world).values()} == {DataValueStatus.SUBMITTED}

    # Every step is in the report's history, every change of a figure in theirs.
    assert [(s.action, s.user.username, s.comment) for s in _report(world).steps.all()] == [
        ("save", "owner", ""),
        ("submit", "owner", ""),
        ("return", "above", "IND_B sai đơn vị"),
        ("submit", "owner", ""),
        ("approve", "above", ""),
        ("reopen", "operator", "Cục Thống kê đính chính"),
    ]
    history = DataValueChange.objects.filter(indicator=world.b, org_unit=world.commune_a, period="202506")
    assert {(c.old_status, c.new_status) for c in history} >= {
        ("draft", "submitted"),
        ("submitted", "draft"),
        ("submitted", "approved"),
        ("approved", "submitted"),
    }
    assert history.filter(old_value=12, new_value=13).exists()


def test_submitting_needs_every_figure_and_names_what_to_fix(world: World, people: People) -> None:
    owner = _client(people.owner)

    page = owner.post(ENTRY, {**_fields(b=""), "action": "submit"})

    html = page.content.decode()
    assert page.status_code == 400
    assert "Tháng 6/2025" in html
    assert world.b.name in html
    assert not DataValue.objects.exists()
    assert not DataSetReport.objects.exists()


def test_a_number_that_reads_two_ways_is_refused_never_guessed(world: World, people: People) -> None:
    page = _client(people.owner).post(ENTRY, {**_fields(a="2.500"), "action": "save"})

    html = page.content.decode()
    assert page.status_code == 400
    assert "2500" in html  # the message says how to write the whole number
    assert not DataValue.objects.exists()


def test_a_figure_outside_the_indicators_bounds_is_refused(world: World, people: People) -> None:
    world.a.max_value = Decimal(100)
    world.a.save()

    with pytest.raises(ReportError) as refused:
        report_save(
            data_set=world.data_set,
            org_unit=world.commune_a,
            period=JUNE,
            values=_fields(),
            user=people.owner,
            submit=True,
        )

    assert "v-IND_A-202506" in refused.value.problems
    assert not DataValue.objects.exists()


def test_a_reporter_enters_only_their_own_units_report(world: World, people: People) -> None:
    page = _client(people.colleague).post(ENTRY, {**_fields(), "action": "save"})

    assert page.status_code == 403
    assert not DataValue.objects.exists()
    assert _client(people.colleague).get(ENTRY).status_code == 403


def test_an_approver_reads_the_form_of_a_unit_below_but_does_not_write_it(world: World, people: People) -> None:
    above = _client(people.above)

    assert above.get(ENTRY).status_code == 200
    assert above.post(ENTRY, {**_fields(), "action": "save"}).status_code == 403


def test_an_approver_does_not_approve_their_own_units_report_nor_a_reporter_any(world: World, people: People) -> None:
    report_save(
        data_set=world.data_set, org_unit=world.commune_a, period=JUNE, values=_fields(), user=people.owner, submit=True
    )
    report = _report(world)

    with pytest.raises(ReportForbiddenError):
        report_approve(report=report, user=people.own_approver)
    with pytest.raises(ReportForbiddenError):
        report_return(report=report, user=people.owner, comment="Không")
    assert _client(people.owner).get("/reporting/approvals/").status_code == 403
    own = _client(people.own_approver)
    assert "Phường Hiệp Thành" not in own.get("/reporting/approvals/").content.decode()
    assert own.post("/reporting/approvals/", {"report": report.pk, "action": "approve"}).status_code == 403
    assert _report(world).status == ReportStatus.SUBMITTED


def test_an_approved_reports_figures_are_locked_for_imports_the_api_and_every_writer(
    world: World, people: People
) -> None:
    report_save(
        data_set=world.data_set, org_unit=world.commune_a, period=JUNE, values=_fields(), user=people.owner, submit=True
    )
    report_approve(report=_report(world), user=people.above)
    figure = DataValue.objects.get(indicator=world.a, org_unit=world.commune_a, period="202506")

    result = import_file(content=b"indicator,org_unit,period,value\nIND_A,25741,202506,7\n", filename="f.csv")
    assert not result.ok
    assert "đã được phê duyệt" in result.issues[0].message
    assert "above" in result.issues[0].message

    api = APIClient()
    api.force_authenticate(people.owner)
    patched = api.patch(f"/api/v1/data-values/{figure.pk}/", {"value": "8"}, format="json")
    assert patched.status_code == 409
    assert "mở lại" in patched.json()["detail"]
    assert api.delete(f"/api/v1/data-values/{figure.pk}/").status_code == 409

    with pytest.raises(FigureLockedError):
        figures_write(
            [FigureRow(world.b.pk, world.commune_a.pk, JUNE, Decimal(1))],
            batch=ImportBatch(source_name="x", file_format="api"),
        )
    figure.refresh_from_db()
    assert figure.value == Decimal("1234.5")

    # Another unit's figures of the same month are not locked.
    assert import_file(content=b"indicator,org_unit,period,value\nIND_A,25744,202506,7\n", filename="g.csv").ok


def test_a_figure_written_without_a_status_is_submitted_where_a_data_set_asks_for_approval(
    world: World, people: People
) -> None:
    other = IndicatorFactory(code="OTHER")
    content = (
        b"indicator,org_unit,period,value\n"
        b"IND_A,25741,202505,1\n"  # a commune's figure of the data set: waits for approval
        b"IND_A,718,202505,2\n"  # a district's: no data set asks the district for it
        b"OTHER,25741,202505,3\n"  # an indicator of no data set
    )

    assert import_file(content=content, filename="f.csv").ok

    statuses = {
        (v.indicator.code, v.org_unit.code): v.status
        for v in DataValue.objects.filter(period="202505").select_related("indicator", "org_unit")
    }
    assert statuses == {
        ("IND_A", "25741"): DataValueStatus.SUBMITTED,
        ("IND_A", "718"): DataValueStatus.APPROVED,
        ("OTHER", "25741"): DataValueStatus.APPROVED,
    }
    assert other.pk


def test_a_data_set_without_approval_leaves_its_figures_approved(world: World) -> None:
    world.data_set.approval = False
    world.data_set.save()

    assert import_file(content=b"indicator,org_unit,period,value\nIND_A,25741,202505,1\n", filename="f.csv").ok

    assert DataValue.objects.get().status == DataValueStatus.APPROVED


def test_an_explicit_status_is_kept_and_approved_only_by_an_administrator(world: World, people: People) -> None:
    content = b"indicator,org_unit,period,value\nIND_A,25741,202505,1\n"

    refused = import_file(content=content, filename="f.csv", user=people.owner, status=DataValueStatus.APPROVED)
    assert not refused.ok
    assert not DataValue.objects.exists()

    assert import_file(content=content, filename="f.csv", status=DataValueStatus.APPROVED).ok
    assert DataValue.objects.get().status == DataValueStatus.APPROVED

    api = APIClient()
    api.force_authenticate(people.owner)
    answer = api.post(
        "/api/v1/data-values/",
        {"indicator": "IND_B", "org_unit": "25741", "period": "202505", "value": "4", "status": "approved"},
        format="json",
    )
    assert answer.status_code == 403
    assert "phê duyệt" in answer.json()["detail"]
    answer = api.post(
        "/api/v1/data-values/",
        {"indicator": "IND_B", "org_unit": "25741", "period": "202505", "value": "4"},
        format="json",
    )
    assert answer.status_code == 201
    assert answer.json()["status"] == DataValueStatus.SUBMITTED


def test_the_import_command_keeps_its_status_and_the_policy_by_default(world: World, tmp_path: Any) -> None:
    path = tmp_path / "f.csv"
    path.write_text("indicator,org_unit,period,value\nIND_A,25741,202505,1\n")

    call_command("import", str(path))
    assert DataValue.objects.get().status == DataValueStatus.SUBMITTED

    path.write_text("indicator,org_unit,period,value\nIND_A,25741,202505,2\n")
    call_command("import", str(path), "--status", "approved")
    assert DataValue.objects.get().status == DataValueStatus.APPROVED


def test_the_calendar_reads_an_entered_reports_submission(world: World, people: People) -> None:
    report_save(
        data_set=world.data_set, org_unit=world.commune_a, period=JUNE, values=_fields(), user=people.owner, submit=True
    )
    report = _report(world)
    DataSetReport.objects.filter(pk=report.pk).update(
        submitted_at=dt.datetime(2025, 7, 25, 3, tzinfo=dt.UTC)  # after the due date, 18/7
    )

    found = {
        o.org_unit.code: o.state for o in obligations(data_set=world.data_set, periods=[JUNE], on=dt.date(2025, 8, 1))
    }
    assert found["25741"] == "late"

    report_return(report=_report(world), user=people.above, comment="Sai")
    found = {
        o.org_unit.code: o.state for o in obligations(data_set=world.data_set, periods=[JUNE], on=dt.date(2025, 8, 1))
    }
    assert found["25741"] == "missing"


def test_a_report_sent_as_a_file_waits_for_the_level_above_and_is_approved_there(world: World, people: People) -> None:
    content = b"indicator,org_unit,period,value\nIND_A,25741,202506,1\nIND_B,25741,202506,2\nIND_A,25744,202506,3\n"
    assert import_file(content=content, filename="f.csv", user=people.owner).ok is False  # 25744 is not theirs
    assert import_file(content=content, filename="f.csv").ok
    DataValue.objects.update(created_at=at(dt.date(2025, 7, 10)))

    waiting = reports_to_approve(user=people.above, on=dt.date(2025, 8, 1))
    # Only the whole report waits (25744 sent one figure of two); the commune's own approver sees none.
    assert [(r.org_unit.code, r.period, r.pk) for r in waiting] == [("25741", "202506", None)]
    assert reports_to_approve(user=people.own_approver, on=dt.date(2025, 8, 1)) == []

    page = _client(people.above).post(
        "/reporting/approvals/",
        {"data_set": "XA_THANG", "org_unit": world.commune_a.pk, "period": "202506", "action": "approve"},
    )

    assert page.status_code == 302
    assert _report(world).status == ReportStatus.APPROVED
    assert [(s.action, s.user) for s in _report(world).steps.all()] == [("submit", None), ("approve", people.above)]
    assert {s for _v, s in _figures(world).values()} == {DataValueStatus.APPROVED}
    assert reports_to_approve(user=people.above, on=dt.date(2025, 8, 1)) == []
    refused = _client(people.own_approver).post(
        "/reporting/approvals/",
        {"data_set": "XA_THANG", "org_unit": world.commune_b.pk, "period": "202506", "action": "approve"},
    )
    assert refused.status_code == 403


def test_the_api_takes_a_report_through_its_steps_each_by_its_role(world: World, people: People) -> None:
    report_save(
        data_set=world.data_set,
        org_unit=world.commune_a,
        period=JUNE,
        values=_fields(),
        user=people.owner,
        submit=False,
    )
    pk = _report(world).pk

    def api(user: Any) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    assert api(people.above).post(f"/api/v1/reporting/reports/{pk}/approve/").status_code == 400  # a draft
    submitted = api(people.owner).post(f"/api/v1/reporting/reports/{pk}/submit/")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == ReportStatus.SUBMITTED
    assert api(people.own_approver).post(f"/api/v1/reporting/reports/{pk}/approve/").status_code == 403
    assert api(people.colleague).get(f"/api/v1/reporting/reports/{pk}/").status_code == 404
    returned = api(people.above).post(f"/api/v1/reporting/reports/{pk}/return/", {"comment": ""}, format="json")
    assert returned.status_code == 400
    assert "comment" in returned.json()
    api(people.owner).post(f"/api/v1/reporting/reports/{pk}/submit/")
    approved = api(people.above).post(f"/api/v1/reporting/reports/{pk}/approve/")
    assert approved.json()["status"] == ReportStatus.APPROVED
    assert api(people.above).post(f"/api/v1/reporting/reports/{pk}/reopen/", {"comment": "x"}).status_code == 403
    reopened = api(people.operator).post(f"/api/v1/reporting/reports/{pk}/reopen/", {"comment": "Đính chính"})
    assert reopened.status_code == 200
    assert [s["action"] for s in reopened.json()["steps"]] == ["save", "submit", "submit", "approve", "reopen"]
    listed = api(people.owner).get("/api/v1/reporting/reports/").json()
    assert [r["org_unit"] for r in listed["results"]] == ["25741"]


def test_a_data_set_with_reports_entered_is_kept(world: World, people: People) -> None:
    report_save(
        data_set=world.data_set,
        org_unit=world.commune_a,
        period=JUNE,
        values=_fields(),
        user=people.owner,
        submit=False,
    )
    api = APIClient()
    api.force_authenticate(people.operator)

    answer = api.delete("/api/v1/data-sets/XA_THANG/")

    assert answer.status_code == 409
    assert "hiệu lực" in answer.json()["detail"]
    assert DataSetReport.objects.exists()


def test_the_approvals_page_writes_a_report_beyond_999_plainly(world: World, people: People) -> None:
    # With thousands separators on, a report 12345 was written "12.345" in the forms' hidden field:
    # approving or reopening it named no report.
    _client(people.owner).post(ENTRY, {**_fields(), "action": "submit"})
    old = _report(world).pk
    DataSetReport.objects.filter(pk=old).update(id=12345)
    ReportStep.objects.filter(report_id=old).update(report_id=12345)
    above = _client(people.above)

    waiting = above.get("/reporting/approvals/").content.decode()
    approved = above.post("/reporting/approvals/", {"report": "12345", "action": "approve"})
    listed = _client(people.operator).get("/reporting/approvals/").content.decode()

    assert 'name="report" value="12345"' in waiting
    assert "12.345" not in waiting
    assert approved.status_code == 302
    assert _report(world).status == ReportStatus.APPROVED
    assert 'id="reason-12345"' in listed
    assert "12.345" not in listed
