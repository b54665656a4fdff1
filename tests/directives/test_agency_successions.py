"""Agencies reorganise too: a merged department's directives, scorecards and reminders go on under
its successor from the merger's date; a split department's directives wait, "chưa chuyển giao",
until the office hands each over (docs/directives.md, "When agencies are reorganised")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from dieuhanh.directives.models import AgencyContact, Directive, DirectiveTransfer, SourceDocument
from dieuhanh.directives.reminders import reminders_send
from dieuhanh.directives.selectors import DirectiveFilters, directive_list, directive_may_report
from dieuhanh.directives.services import DirectiveError, directive_transfer
from dieuhanh.figures.models import DataValue
from dieuhanh.orgunits.choices import MergeType
from dieuhanh.orgunits.models import OrgUnit, Succession
from tests.directives.conftest import Clock, Province
from tests.directives.helpers import add
from tests.factories import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

MERGER = dt.date(2025, 3, 1)
PLANNING = "Sở Kế hoạch và Đầu tư tỉnh Bình Dương"
FINANCE = "Sở Tài chính tỉnh Bình Dương"


def values(unit: OrgUnit, period: str) -> dict[str, Decimal]:
    return dict(
        DataValue.objects.filter(org_unit=unit, period=period, indicator__code__startswith="DIR_").values_list(
            "indicator__code", "value"
        )
    )


def listed(agency: OrgUnit, on: dt.date, role: str = "") -> list[str]:
    return [d.content for d in directive_list(filters=DirectiveFilters(agency=agency, role=role), on=on)]


@pytest.fixture
def merged(clock: Clock, source: SourceDocument, province: Province) -> Directive:
    """Planning and Investment's open directive (due 30/6/2025); Planning merged whole into Finance on 1/3/2025."""
    directive = add(source, "Lập kế hoạch đầu tư công trung hạn.", lead="SKHDT", deadline=dt.date(2025, 6, 30))
    OrgUnit.objects.filter(pk=province.planning.pk).update(valid_to=MERGER - dt.timedelta(days=1))
    Succession.objects.create(
        predecessor=province.planning, successor=province.finance, effective_date=MERGER, merge_type=MergeType.WHOLE
    )
    return directive


@pytest.fixture
def split(clock: Clock, source: SourceDocument, province: Province) -> tuple[Directive, OrgUnit, OrgUnit]:
    """Health's open directive; Health split on 1/3/2025 between a new Sở Y tế and a Sở An toàn thực phẩm."""
    directive = add(source, "Kiểm tra an toàn thực phẩm.", lead="SYT", deadline=dt.date(2025, 6, 30))
    OrgUnit.objects.filter(pk=province.health.pk).update(valid_to=MERGER - dt.timedelta(days=1))
    health = OrgUnitFactory(code="SYT2", name="Sở Y tế (mới)", kind="agency", valid_from=MERGER)
    food = OrgUnitFactory(code="SATTP", name="Sở An toàn thực phẩm", kind="agency", valid_from=MERGER)
    for successor in (health, food):
        Succession.objects.create(
            predecessor=province.health, successor=successor, effective_date=MERGER, merge_type=MergeType.PART
        )
    return directive, health, food


def test_the_successor_lists_its_predecessors_directives_from_the_merger_and_not_before(
    merged: Directive, province: Province
) -> None:
    assert listed(province.finance, dt.date(2025, 4, 10)) == [merged.content]
    assert listed(province.finance, dt.date(2025, 4, 10), role="lead") == [merged.content]
    assert listed(province.finance, dt.date(2025, 2, 15)) == []
    assert listed(province.planning, dt.date(2025, 2, 15)) == [merged.content]
    assert listed(province.planning, dt.date(2025, 4, 10), role="lead") == []  # it is Finance's work now


def test_the_register_and_the_directives_page_name_the_successor_with_the_former_agency(
    clock: Clock, merged: Directive, province: Province, office_user: object
) -> None:
    clock.move_to(dt.date(2025, 4, 10))
    client = Client()
    client.force_login(office_user)  # type: ignore[arg-type]

    response = client.get("/directives/", {"agency": "STC"})
    assert response.status_code == 200, response
    register = response.content.decode()
    detail = client.get(f"/directives/{merged.pk}/").content.decode()
    before = client.get(f"/directives/{merged.pk}/", {"as_of": "2025-02-15"}).content.decode()

    assert f"{FINANCE} (trước đây: {PLANNING})" in register
    assert f"{FINANCE} (trước đây: {PLANNING})" in detail
    assert "trước đây" not in before
    assert PLANNING in before


def test_the_scorecards_count_the_directive_at_the_predecessor_before_and_at_the_successor_after(
    clock: Clock, merged: Directive, province: Province
) -> None:
    clock.move_to(dt.date(2025, 4, 10))
    call_command("directives", "collect", stdout=StringIO())

    assert values(province.planning, "202502")["DIR_STATUS_IN_PROGRESS"] == 1
    assert values(province.finance, "202502").get("DIR_STATUS_IN_PROGRESS", 0) == 0
    assert values(province.finance, "202503")["DIR_STATUS_IN_PROGRESS"] == 1
    assert values(province.finance, "202504")["DIR_STATUS_IN_PROGRESS"] == 1
    assert values(province.planning, "202503") == {}  # Planning no longer exists: no figure at all
    assert values(province.province, "202503")["DIR_STATUS_IN_PROGRESS"] == 1  # the province counts it once


def test_the_successors_people_are_reminded_and_may_report_after_the_merger(
    clock: Clock, merged: Directive, province: Province
) -> None:
    finance_person = UserFactory(username="taichinh", email="taichinh@example.org")
    AgencyContact.objects.create(org_unit=province.finance, user=finance_person)
    planning_person = UserFactory(username="khdt", email="khdt@example.org")
    AgencyContact.objects.create(org_unit=province.planning, user=planning_person)
    clock.move_to(dt.date(2025, 6, 27))

    run = reminders_send(today=clock.today)

    assert [r.directive_id for r in run.sent] == [merged.pk]
    assert mail.outbox[0].to == ["taichinh@example.org"]
    assert directive_may_report(user=finance_person, directive=merged)
    assert not directive_may_report(user=planning_person, directive=merged)


def test_a_split_agencys_directive_is_not_carried_until_the_office_hands_it_over(
    clock: Clock, split: tuple[Directive, OrgUnit, OrgUnit], province: Province, office_user: object
) -> None:
    directive, health, food = split
    clock.move_to(dt.date(2025, 4, 10))
    client = Client()
    client.force_login(office_user)  # type: ignore[arg-type]

    register = client.get("/directives/").content.decode()
    assert "chưa chuyển giao" in register
    assert "Sở Y tế tỉnh Bình Dương được chia tách ngày 1/3/2025" in register
    assert listed(food, clock.today) == []
    assert listed(health, clock.today) == []
    assert listed(province.health, clock.today) == [directive.content]  # still under the split agency

    transfer = directive_transfer(
        directive=directive, to_unit=food, effective_date=MERGER, note="Theo Quyết định phân công", user=office_user
    )

    assert (transfer.from_unit, transfer.to_unit, transfer.created_by) == (province.health, food, office_user)
    assert listed(food, clock.today) == [directive.content]
    assert listed(food, dt.date(2025, 2, 15)) == []
    assert "chưa chuyển giao" not in client.get("/directives/").content.decode()
    assert values(food, "202503")["DIR_STATUS_IN_PROGRESS"] == 1
    assert values(province.health, "202502")["DIR_STATUS_IN_PROGRESS"] == 1


def test_a_hand_over_to_an_agency_not_in_force_or_already_leading_is_refused(
    clock: Clock, split: tuple[Directive, OrgUnit, OrgUnit], merged: Directive, province: Province
) -> None:
    directive, _health, food = split
    with pytest.raises(DirectiveError, match="không có hiệu lực vào ngày 15/2/2025"):
        directive_transfer(directive=directive, to_unit=food, effective_date=dt.date(2025, 2, 15))
    with pytest.raises(DirectiveError, match="đã chủ trì nhiệm vụ này vào ngày 1/3/2025"):
        directive_transfer(directive=merged, to_unit=province.finance, effective_date=MERGER)
    assert not DirectiveTransfer.objects.exists()


def test_the_api_lists_the_directive_under_the_successor_and_says_who_leads_it_then(
    clock: Clock, merged: Directive, province: Province, office_user: object
) -> None:
    from rest_framework.test import APIClient

    clock.move_to(dt.date(2025, 4, 10))
    client = APIClient()
    client.force_authenticate(office_user)  # type: ignore[arg-type]

    after = client.get("/api/v1/directives/", {"agency": "STC"}).json()
    before = client.get("/api/v1/directives/", {"agency": "STC", "as_of": "2025-02-15"}).json()
    rows = after.get("results", after)

    assert [(r["lead_agency"], r["lead_agency_in_force"]) for r in rows] == [("SKHDT", "STC")]
    assert before.get("results", before) == []


def test_the_office_hands_a_directive_over_in_the_admin_through_the_service(
    clock: Clock, split: tuple[Directive, OrgUnit, OrgUnit]
) -> None:
    directive, health, _food = split
    clock.move_to(dt.date(2025, 4, 10))
    admin_client = Client()
    admin_client.force_login(_superuser())  # type: ignore[arg-type]

    refused = admin_client.post(
        "/admin/directives/directivetransfer/add/",
        {"directive": directive.pk, "to_unit": health.pk, "effective_date": "15/02/2025", "note": ""},
    )
    assert refused.status_code == 200
    assert "không có hiệu lực" in refused.content.decode()

    admin_client.post(
        "/admin/directives/directivetransfer/add/",
        {"directive": directive.pk, "to_unit": health.pk, "effective_date": "01/03/2025", "note": "Phân công lại"},
    )
    transfer = DirectiveTransfer.objects.get()
    assert (transfer.to_unit, transfer.from_unit.code, transfer.created_by.username) == (health, "SYT", "boss")
    assert values(health, "202503")["DIR_STATUS_IN_PROGRESS"] == 1


def _superuser() -> object:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("boss", "boss@example.org", "x")


def test_the_provinces_summary_and_report_list_the_directive_under_the_successor_after_the_merger(
    merged: Directive, province: Province
) -> None:
    from dieuhanh.directives.selectors import directive_summary

    after = directive_summary(org_unit=province.province, on=dt.date(2025, 4, 10))
    before = directive_summary(org_unit=province.province, on=dt.date(2025, 2, 15))
    finance = directive_summary(org_unit=province.finance, on=dt.date(2025, 4, 10))

    assert [lead.name for lead in after.leads] == [f"{FINANCE} (trước đây: {PLANNING})"]
    assert [lead.name for lead in before.leads] == [PLANNING]
    assert finance.counts.total == 1


def test_an_indicators_responsible_agency_resolves_to_the_agency_in_force_on_the_page_and_in_the_api(
    clock: Clock, merged: Directive, province: Province, office_user: object
) -> None:
    from rest_framework.test import APIClient

    from tests.factories import IndicatorFactory

    IndicatorFactory(code="FDI", name="Vốn FDI đăng ký", responsible_agency=province.planning, is_public=True)
    clock.move_to(dt.date(2025, 4, 10))
    api = APIClient()

    now = api.get("/api/v1/indicators/FDI/").json()
    then = api.get("/api/v1/indicators/FDI/", {"on": "2025-02-15"}).json()
    page = Client().get("/indicators/FDI/").content.decode()

    assert (now["responsible_agency"], now["responsible_agency_in_force"]) == ("SKHDT", "STC")
    assert then["responsible_agency_in_force"] == "SKHDT"
    assert f"{FINANCE} (trước đây: {PLANNING})" in page


def test_the_command_hands_a_split_agencys_directive_over_and_refuses_in_vietnamese(
    clock: Clock, split: tuple[Directive, OrgUnit, OrgUnit]
) -> None:
    from django.core.management import CommandError

    directive, _health, food = split
    clock.move_to(dt.date(2025, 4, 10))
    with pytest.raises(CommandError, match="Ngày 15/2/2025 không có đơn vị nào mang mã SATTP"):
        call_command("directives", "transfer", str(directive.pk), "--to", "SATTP", "--on", "2025-02-15")
    out = StringIO()

    call_command("directives", "transfer", str(directive.pk), "--to", "SATTP", "--on", "2025-03-01", stdout=out)

    assert f"do {food.name} chủ trì từ ngày 1/3/2025" in out.getvalue()
    assert DirectiveTransfer.objects.get().to_unit == food
