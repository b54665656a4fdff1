"""Status as at a date: the register, the API and a directive's page answer for any past day, and a
completion report sent in time waits for the office without going overdue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from dieuhanh.accounts.services import api_token_create
from dieuhanh.directives.choices import SourceKind
from dieuhanh.directives.models import Directive, SourceDocument
from dieuhanh.directives.services import progress_report, progress_review
from tests.directives.conftest import Clock, Province
from tests.directives.helpers import add, complete, table_by_row

pytestmark = pytest.mark.django_db


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def api_for(user: object) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user).key}")
    return client


def document(province: Province, day: dt.date, number: str) -> SourceDocument:
    return SourceDocument.objects.create(
        kind=SourceKind.CONCLUSION_NOTICE, number=number, date=day, org_unit=province.province
    )


def send_in_time(directive: Directive, on: dt.date) -> None:
    """A completion report the office has not looked at yet."""
    progress_report(directive=directive, percent=100, text="Đã trình phê duyệt đủ 9 đồ án.", reported_on=on)


@pytest.fixture
def autumn(clock: Clock, source: SourceDocument, province: Province) -> dict[str, Directive]:
    """A directive of 12/9/2024 due 30/9, done late on 1/12; one of 20/10 due 30/11, open; today 10/1/2025."""
    september = add(source, "Việc giao tháng 9.", lead="SYT", deadline=dt.date(2024, 9, 30))
    october = add(
        document(province, dt.date(2024, 10, 20), "500/TB-UBND"),
        "Việc giao tháng 10.",
        lead="STC",
        deadline=dt.date(2024, 11, 30),
    )
    clock.move_to(dt.date(2025, 1, 10))
    complete(september, on=dt.date(2024, 12, 1))
    return {"september": september, "october": october}


def test_the_register_as_at_a_date_lists_what_was_assigned_by_then_with_its_status_then(
    autumn: dict[str, Directive], outsider: object
) -> None:
    page = signed_in(outsider).get("/directives/", {"as_of": "2024-10-15"}).content.decode()

    assert "tính đến ngày 15/10/2024" in page
    rows = table_by_row(page)
    assert list(rows) == ["Việc giao tháng 9."]
    assert rows["Việc giao tháng 9."]["Tình trạng"] == "Đang thực hiện quá hạn"
    assert "quá hạn 15 ngày" in rows["Việc giao tháng 9."]["Thời hạn"]


def test_the_register_states_todays_date_in_its_heading_by_default(
    autumn: dict[str, Directive], outsider: object
) -> None:
    page = signed_in(outsider).get("/directives/").content.decode()

    assert "tính đến ngày 10/1/2025" in page
    assert table_by_row(page)["Việc giao tháng 9."]["Tình trạng"] == "Hoàn thành quá hạn"


@pytest.mark.parametrize(("as_of", "message"), [("2024-13-01", "2024-06-30"), ("2025-01-11", "sau hôm nay")])
def test_a_date_the_register_cannot_answer_for_is_explained(
    autumn: dict[str, Directive], outsider: object, as_of: str, message: str
) -> None:
    page = signed_in(outsider).get("/directives/", {"as_of": as_of})
    api = api_for(outsider).get("/api/v1/directives/", {"as_of": as_of})

    assert page.status_code == 400
    assert message in page.content.decode()
    assert api.status_code == 400
    assert message in str(api.json()["as_of"])


def test_the_api_answers_status_and_days_overdue_as_at_the_date_asked(
    autumn: dict[str, Directive], outsider: object
) -> None:
    api = api_for(outsider)
    september = autumn["september"]

    listed = api.get("/api/v1/directives/", {"as_of": "2024-10-15"}).json()["results"]
    then = api.get(f"/api/v1/directives/{september.pk}/", {"as_of": "2024-10-15"}).json()
    now = api.get(f"/api/v1/directives/{september.pk}/").json()

    assert [(d["content"], d["status"], d["days_overdue"]) for d in listed] == [("Việc giao tháng 9.", "overdue", 15)]
    assert (then["status"], then["days_overdue"], then["as_of"]) == ("overdue", 15, "2024-10-15")
    assert (now["status"], now["days_overdue"], now["as_of"]) == ("done_late", 62, "2025-01-10")


def test_the_api_counts_the_register_as_at_a_date(autumn: dict[str, Directive], outsider: object) -> None:
    api = api_for(outsider)

    october = api.get("/api/v1/directives/summary/", {"as_of": "2024-10-15"}).json()
    december = api.get("/api/v1/directives/summary/", {"as_of": "2024-12-31"}).json()

    assert october == {
        "as_of": "2024-10-15",
        "total": 1,
        "counts": {"done_on_time": 0, "done_late": 0, "in_progress": 0, "overdue": 1, "no_deadline": 0},
        "awaiting_confirmation": 0,
    }
    assert december["counts"] == {"done_on_time": 0, "done_late": 1, "in_progress": 0, "overdue": 1, "no_deadline": 0}


def test_a_directives_page_states_its_status_as_at_a_date(autumn: dict[str, Directive], outsider: object) -> None:
    page = signed_in(outsider).get(f"/directives/{autumn['september'].pk}/", {"as_of": "2024-10-15"}).content.decode()

    assert "tính đến ngày 15/10/2024" in page
    assert "Đang thực hiện quá hạn" in page
    assert "quá hạn 15 ngày" in page


def test_a_completion_report_sent_before_the_deadline_waits_for_the_office_instead_of_going_overdue(
    clock: Clock, source: SourceDocument, province: Province, outsider: object, reporter: object
) -> None:
    directive = add(source, "Trình phê duyệt quy hoạch chung.", lead="SYT", deadline=dt.date(2024, 12, 31))
    clock.move_to(dt.date(2024, 12, 28))
    send_in_time(directive, clock.today)
    clock.move_to(dt.date(2026, 12, 5))

    api = api_for(outsider).get(f"/api/v1/directives/{directive.pk}/").json()
    register = table_by_row(signed_in(outsider).get("/directives/").content.decode())
    inbox = table_by_row(signed_in(reporter).get("/directives/inbox/SYT/").content.decode())

    assert (api["status"], api["days_overdue"], api["awaiting_confirmation"]) == ("in_progress", 0, True)
    (inbox_row,) = (row for header, row in inbox.items() if header.startswith("Trình phê duyệt quy hoạch chung."))
    for row in (register["Trình phê duyệt quy hoạch chung."], inbox_row):
        assert "Chờ xác nhận hoàn thành" in row["Tình trạng"]
        assert "quá hạn" not in " ".join(row.values())


def test_once_confirmed_the_report_date_is_the_completion_date_and_once_returned_the_clock_runs_from_the_deadline(
    clock: Clock, source: SourceDocument, province: Province, outsider: object
) -> None:
    confirmed = add(source, "Được xác nhận.", lead="SYT", deadline=dt.date(2024, 12, 31))
    returned = add(source, "Bị trả lại.", lead="SYT", deadline=dt.date(2024, 12, 31))
    clock.move_to(dt.date(2024, 12, 28))
    send_in_time(confirmed, clock.today)
    send_in_time(returned, clock.today)
    clock.move_to(dt.date(2025, 1, 20))

    progress_review(update=confirmed.updates.get(), accept=True)
    progress_review(update=returned.updates.get(), accept=False, note="Thiếu biên bản.")
    api = api_for(outsider)

    assert api.get(f"/api/v1/directives/{confirmed.pk}/").json()["status"] == "done_on_time"
    assert api.get(f"/api/v1/directives/{confirmed.pk}/").json()["completed_on"] == "2024-12-28"
    late = api.get(f"/api/v1/directives/{returned.pk}/").json()
    assert (late["status"], late["days_overdue"], late["awaiting_confirmation"]) == ("overdue", 20, False)


def test_a_completion_report_sent_after_the_deadline_leaves_the_directive_overdue_until_confirmed(
    clock: Clock, source: SourceDocument, province: Province, outsider: object
) -> None:
    directive = add(source, lead="SYT", deadline=dt.date(2024, 9, 30))
    clock.move_to(dt.date(2024, 10, 3))
    progress_report(directive=directive, percent=100, text="Xong.", reported_on=clock.today)
    clock.move_to(dt.date(2024, 10, 10))

    body = api_for(outsider).get(f"/api/v1/directives/{directive.pk}/").json()

    assert (body["status"], body["days_overdue"], body["awaiting_confirmation"]) == ("overdue", 10, True)


def test_an_occurrence_reported_in_time_waits_while_the_next_one_can_go_overdue(
    clock: Clock, source: SourceDocument, province: Province, outsider: object
) -> None:
    monthly = add(source, "Báo cáo thu, chi ngân sách.", lead="STC", recurrence="monthly", recurrence_day=20)
    clock.move_to(dt.date(2024, 9, 19))
    send_in_time(monthly, clock.today)  # September's report, not yet confirmed
    api = api_for(outsider)

    clock.move_to(dt.date(2024, 10, 10))
    waiting = api.get(f"/api/v1/directives/{monthly.pk}/").json()
    clock.move_to(dt.date(2024, 10, 25))
    october_missed = api.get(f"/api/v1/directives/{monthly.pk}/").json()

    assert (waiting["status"], waiting["days_overdue"], waiting["awaiting_confirmation"]) == ("in_progress", 0, True)
    assert (october_missed["status"], october_missed["days_overdue"]) == ("overdue", 5)


def test_a_groups_directive_is_overdue_as_at_a_date_while_one_of_its_units_is(
    clock: Clock, source: SourceDocument, province: Province, outsider: object
) -> None:
    parent = add(source, "Giải phóng mặt bằng.", lead="group:districts", deadline=dt.date(2024, 10, 31))
    first, second = parent.children.order_by("id")
    clock.move_to(dt.date(2024, 12, 20))
    complete(first, on=dt.date(2024, 10, 30))
    complete(second, on=dt.date(2024, 12, 15))
    api = api_for(outsider)

    november = api.get(f"/api/v1/directives/{parent.pk}/", {"as_of": "2024-11-30"}).json()
    now = api.get(f"/api/v1/directives/{parent.pk}/").json()

    assert (november["status"], november["days_overdue"]) == ("overdue", 30)
    assert (now["status"], now["days_overdue"]) == ("done_late", 45)
