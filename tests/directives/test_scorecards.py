"""Scorecards as indicator values: kept current by every directive write and the daily run, read back
through analytics by the page and the API, in agreement with the register at every month's end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from dieuhanh.accounts.services import api_token_create
from dieuhanh.analytics.selectors import analytics_measures
from dieuhanh.directives.choices import SourceKind
from dieuhanh.directives.models import SourceDocument
from dieuhanh.directives.scorecards import scorecard_periods, scorecards_collect
from dieuhanh.directives.services import DirectiveInput, directive_update, progress_report, progress_review
from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.models import DataValue, DataValueChange, ImportBatch
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period
from dieuhanh.ingest.services import data_value_set
from dieuhanh.orgunits.models import OrgUnit
from tests.directives.conftest import Clock, Province
from tests.directives.helpers import add, complete, table_by_row

pytestmark = pytest.mark.django_db

STATUS_COLUMNS = {
    "done_on_time": "DIR_STATUS_DONE_ONTIME",
    "done_late": "DIR_STATUS_DONE_LATE",
    "in_progress": "DIR_STATUS_IN_PROGRESS",
    "overdue": "DIR_STATUS_OVERDUE",
    "no_deadline": "DIR_STATUS_NO_DEADLINE",
}


def values(unit: str, period: str) -> dict[str, Decimal]:
    return dict(
        DataValue.objects.filter(org_unit__code=unit, period=period, indicator__code__startswith="DIR_").values_list(
            "indicator__code", "value"
        )
    )


def collect(period: str | None = None) -> str:
    out = StringIO()
    args = ["directives", "collect"] + (["--period", period] if period else [])
    call_command(*args, stdout=out)
    return out.getvalue()


def api_for(user: object) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user).key}")
    return client


def scorecard_page(user: object, period: str) -> dict[str, dict[str, str]]:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get("/directives/scorecards/", {"period": period})
    assert response.status_code == 200
    return table_by_row(response.content.decode())


@pytest.fixture
def year(clock: Clock, source: SourceDocument, province: Province) -> Province:
    """Four directives of 12/9/2024: the health department's, on time, late, open; finance's monthly report."""
    on_time = add(source, "A", lead="SYT", deadline=dt.date(2024, 10, 31))
    late = add(source, "B", lead="SYT", deadline=dt.date(2024, 10, 15))
    add(source, "C", lead="SYT", deadline=dt.date(2024, 10, 20))
    monthly = add(source, "D", lead="STC", recurrence="monthly", recurrence_day=20)
    clock.move_to(dt.date(2024, 10, 25))
    complete(on_time, on=dt.date(2024, 10, 10))
    complete(late, on=dt.date(2024, 10, 25))
    complete(monthly, on=dt.date(2024, 9, 20))
    complete(monthly, on=dt.date(2024, 10, 22))
    return province


@pytest.fixture
def monthly_report(clock: Clock, source: SourceDocument, province: Province) -> Province:
    """Finance's one monthly report of 2024: September, October and December in time, November late."""
    monthly = add(source, "Báo cáo thu, chi ngân sách.", lead="STC", recurrence="monthly", recurrence_day=20)
    clock.move_to(dt.date(2024, 12, 31))
    for day in (dt.date(2024, 9, 18), dt.date(2024, 10, 19), dt.date(2024, 11, 25), dt.date(2024, 12, 19)):
        complete(monthly, on=day)
    return province


def test_every_directive_write_keeps_the_stored_figures_current(
    clock: Clock, source: SourceDocument, province: Province
) -> None:
    directive = add(source, lead="SYT", deadline=dt.date(2024, 9, 30))
    assigned = values("SYT", "202409")
    clock.move_to(dt.date(2024, 10, 3))
    update = progress_report(directive=directive, percent=100, text="Xong.", reported_on=clock.today)
    sent_late = values("SYT", "202410")
    progress_review(update=update, accept=True)
    confirmed = values("SYT", "202410")
    directive_update(
        directive=directive,
        item=DirectiveInput(content=directive.content, lead="SKHDT", deadline=dt.date(2024, 10, 31)),
    )

    assert (assigned["DIR_ASSIGNED"], assigned["DIR_STATUS_IN_PROGRESS"]) == (1, 1)
    assert (sent_late["DIR_OVERDUE"], sent_late["DIR_STATUS_OVERDUE"]) == (1, 1)  # as at today, 3/10
    assert (confirmed["DIR_OVERDUE"], confirmed["DIR_DONE_LATE"], confirmed["DIR_STATUS_DONE_LATE"]) == (0, 1, 1)
    assert values("SYT", "202410")["DIR_DONE"] == 0  # moved away with its lead
    assert values("SYT", "202409")["DIR_ASSIGNED"] == 0
    moved = values("SKHDT", "202410")
    assert (moved["DIR_DONE_ONTIME"], moved["DIR_STATUS_DONE_ONTIME"]) == (1, 1)  # the deadline was extended
    assert values("74", "202410")["DIR_DONE_ONTIME"] == 1


def test_a_deleted_directive_leaves_no_figure_behind(clock: Clock, source: SourceDocument, province: Province) -> None:
    from dieuhanh.directives.services import directive_delete

    directive = add(source, lead="SYT", deadline=dt.date(2024, 9, 30))

    directive_delete(directive=directive)

    assert values("SYT", "202409")["DIR_ASSIGNED"] == 0
    assert values("74", "202409")["DIR_STATUS_IN_PROGRESS"] == 0


def test_the_daily_run_brings_the_month_under_way_up_to_today(
    clock: Clock, source: SourceDocument, province: Province
) -> None:
    add(source, lead="SYT", deadline=dt.date(2024, 11, 30))

    clock.move_to(dt.date(2024, 11, 30))
    call_command("directives", "remind", stdout=StringIO())
    on_the_day = values("SYT", "202411")
    clock.move_to(dt.date(2024, 12, 1))
    out = StringIO()
    call_command("directives", "remind", stdout=out)

    assert (on_the_day["DIR_OVERDUE"], on_the_day["DIR_STATUS_IN_PROGRESS"]) == (0, 1)
    assert (values("SYT", "202412")["DIR_OVERDUE"], values("SYT", "202412")["DIR_STATUS_OVERDUE"]) == (1, 1)
    assert values("SYT", "202411")["DIR_OVERDUE"] == 0  # due on 30/11: not overdue at November's end
    assert "202412" in out.getvalue()


def test_a_completion_report_sent_in_time_is_not_overdue_in_the_scorecards(
    clock: Clock, source: SourceDocument, province: Province
) -> None:
    directive = add(source, lead="SYT", deadline=dt.date(2024, 12, 31))
    clock.move_to(dt.date(2024, 12, 28))
    progress_report(directive=directive, percent=100, text="Đã trình.", reported_on=clock.today)
    clock.move_to(dt.date(2025, 2, 3))
    call_command("directives", "remind", stdout=StringIO())

    january = values("SYT", "202501")

    assert (january["DIR_OVERDUE"], january["DIR_STATUS_OVERDUE"], january["DIR_STATUS_IN_PROGRESS"]) == (0, 0, 1)
    assert january["DIR_DONE"] == 0


def test_a_recurring_directive_counts_once_as_a_directive_and_once_per_occurrence(
    monthly_report: Province, outsider: object
) -> None:
    page = scorecard_page(outsider, "2024")
    (card,) = [c for c in api_for(outsider).get("/api/v1/directives/scorecards/", {"period": "2024"}).json()
               if c["org_unit"] == "STC"]  # fmt: skip

    row = page["Sở Tài chính tỉnh Bình Dương"]
    assert row["Nhiệm vụ được giao"] == "1"
    assert row["Nhiệm vụ đang thực hiện trong hạn"] == "1"
    assert row["Lượt đến hạn hoàn thành đúng hạn"] == "3"
    assert row["Lượt đến hạn hoàn thành quá hạn"] == "1"
    assert row["Tỷ lệ lượt đến hạn hoàn thành đúng hạn (%)"] == "75,0"
    assert (card["directives_assigned"], card["directives_in_progress"]) == (1, 1)
    assert (card["occurrences_done_on_time"], card["occurrences_done_late"], card["occurrences_on_time_rate"]) == (
        3,
        1,
        75.0,
    )


def test_the_scorecard_page_and_api_read_the_stored_figures_as_the_dashboards_do(
    monthly_report: Province, outsider: object
) -> None:
    finance = OrgUnit.objects.get(code="STC")
    assigned = Indicator.objects.get(code="DIR_ASSIGNED")
    # A figure written over the collected ones, approved (nothing awaits approval for a count of the register).
    data_value_set(
        indicator=assigned, org_unit=finance, period="202410", value=Decimal(4), status=DataValueStatus.APPROVED
    )

    page = scorecard_page(outsider, "2024")
    cards = api_for(outsider).get("/api/v1/directives/scorecards/", {"period": "2024"}).json()
    (dashboard,) = analytics_measures(indicators=[assigned], org_units=[finance], periods=[Period.parse("2024")])

    assert dashboard.value == 5
    assert page["Sở Tài chính tỉnh Bình Dương"]["Nhiệm vụ được giao"] == "5"
    assert {c["org_unit"]: c["directives_assigned"] for c in cards}["STC"] == 5


@pytest.fixture
def busy_province(clock: Clock, source: SourceDocument, province: Province) -> Province:
    """Half a year of a province: one-offs done on time, late, overdue, awaiting confirmation, without a
    deadline; a monthly report; a group directive; a second document in November."""
    done = add(source, "Đúng hạn.", lead="SYT", deadline=dt.date(2024, 10, 31))
    late = add(source, "Quá hạn rồi xong.", lead="SYT", deadline=dt.date(2024, 10, 15))
    add(source, "Quá hạn.", lead="SKHDT", deadline=dt.date(2024, 11, 20))
    waiting = add(source, "Chờ xác nhận.", lead="SKHDT", deadline=dt.date(2024, 12, 31))
    add(source, "Không thời hạn.", lead="VPUBND")
    add(source, "Thường xuyên.", lead="SYT", recurrence="continuous")
    monthly = add(source, "Báo cáo tháng.", lead="STC", recurrence="monthly", recurrence_day=20)
    group = add(source, "Giải phóng mặt bằng.", lead="group:districts", deadline=dt.date(2024, 11, 30))
    november = SourceDocument.objects.create(
        kind=SourceKind.DIRECTIVE, number="20/CT-UBND", date=dt.date(2024, 11, 8), org_unit=province.province
    )
    add(november, "Việc tháng 11.", lead="SYT", deadline=dt.date(2024, 12, 15))
    clock.move_to(dt.date(2025, 2, 10))
    complete(done, on=dt.date(2024, 10, 30))
    complete(late, on=dt.date(2024, 12, 2))
    complete(monthly, on=dt.date(2024, 9, 19))
    complete(monthly, on=dt.date(2024, 10, 28))
    first, _second = group.children.order_by("id")
    complete(first, on=dt.date(2024, 11, 29))
    progress_report(directive=waiting, percent=100, text="Đã xong.", reported_on=dt.date(2024, 12, 20))
    call_command("directives", "remind", stdout=StringIO())  # the daily run, for units no write touched
    return province


MONTHS = ["202409", "202410", "202411", "202412", "202501", "202502"]


@pytest.mark.parametrize("period", MONTHS)
def test_the_province_row_counts_what_the_register_counts_at_the_months_end(
    busy_province: Province, clock: Clock, outsider: object, period: str
) -> None:
    api = api_for(outsider)
    as_of = min(Period.parse(period).end_date, clock.today)

    register = api.get("/api/v1/directives/summary/", {"as_of": as_of.isoformat()}).json()
    cards = {c["org_unit"]: c for c in api.get("/api/v1/directives/scorecards/", {"period": period}).json()}

    assert {s: cards["74"][f"directives_{s}"] for s in STATUS_COLUMNS} == register["counts"]
    assert {s: values("74", period)[code] for s, code in STATUS_COLUMNS.items()} == register["counts"]


@pytest.mark.parametrize("period", MONTHS)
@pytest.mark.parametrize("agency", ["SYT", "SKHDT", "STC", "718"])
def test_an_agencys_row_counts_what_the_register_counts_for_its_lead_at_the_months_end(
    busy_province: Province, clock: Clock, outsider: object, period: str, agency: str
) -> None:
    api = api_for(outsider)
    as_of = min(Period.parse(period).end_date, clock.today)

    register = api.get(
        "/api/v1/directives/summary/", {"as_of": as_of.isoformat(), "agency": agency, "role": "lead"}
    ).json()
    cards = {c["org_unit"]: c for c in api.get("/api/v1/directives/scorecards/", {"period": period}).json()}

    assert {s: cards[agency][f"directives_{s}"] for s in STATUS_COLUMNS} == register["counts"]


def test_a_year_reads_the_stocks_at_its_end_and_adds_up_its_flows(busy_province: Province, outsider: object) -> None:
    page = scorecard_page(outsider, "2024")

    province = page["Tỉnh Bình Dương"]
    assert province["Nhiệm vụ được giao"] == "9"  # the group's directive once
    # "Quá hạn.", the monthly report (November's missing), the group (one district late), "Việc tháng 11."
    assert province["Nhiệm vụ đang thực hiện quá hạn"] == "4"
    assert province["Lượt đến hạn quá hạn chưa hoàn thành"] == "5"  # the monthly report's November and December
    assert page["Huyện Bàu Bàng"]["Nhiệm vụ đang thực hiện quá hạn"] == "1"


def test_a_unit_with_nothing_by_the_periods_end_is_not_listed(
    clock: Clock, source: SourceDocument, province: Province, outsider: object
) -> None:
    add(source, lead="SYT", deadline=dt.date(2024, 10, 31))
    clock.move_to(dt.date(2025, 1, 20))
    later = SourceDocument.objects.create(
        kind=SourceKind.DIRECTIVE, number="1/CT-UBND", date=dt.date(2025, 1, 15), org_unit=province.province
    )
    add(later, lead="STC", deadline=dt.date(2025, 3, 31))

    rows_2024 = scorecard_page(outsider, "2024")
    rows_2025 = scorecard_page(outsider, "2025")

    assert "Sở Tài chính tỉnh Bình Dương" not in rows_2024
    assert "Sở Y tế tỉnh Bình Dương" in rows_2024
    assert "Sở Tài chính tỉnh Bình Dương" in rows_2025


def test_collecting_again_changes_nothing_and_writes_nothing(year: Province, clock: Clock) -> None:
    collect()
    before = (
        ImportBatch.objects.count(),
        DataValueChange.objects.count(),
        list(DataValue.objects.values_list("pk", "value")),
    )

    again = collect()

    assert (
        ImportBatch.objects.count(),
        DataValueChange.objects.count(),
        list(DataValue.objects.values_list("pk", "value")),
    ) == before
    assert "đã cập nhật" in again


def test_the_figures_are_written_as_audited_data_values_of_the_directives_channel(year: Province, clock: Clock) -> None:
    october = values("SYT", "202410")

    assert {k: october[k] for k in ("DIR_ASSIGNED", "DIR_DONE", "DIR_DONE_ONTIME", "DIR_DONE_LATE", "DIR_OVERDUE")} == {
        "DIR_ASSIGNED": 0,
        "DIR_DONE": 2,
        "DIR_DONE_ONTIME": 1,
        "DIR_DONE_LATE": 1,
        "DIR_OVERDUE": 1,
    }
    assert values("74", "202409")["DIR_ASSIGNED"] == 4
    assert values("74", "202410")["DIR_DONE"] == 3
    assert not DataValue.objects.filter(period="202411").exists()  # the clock is in October
    assert set(ImportBatch.objects.values_list("channel", "status")) == {("directives", "committed")}
    assert DataValueChange.objects.filter(indicator__code="DIR_DONE", org_unit__code="SYT", period="202410").exists()


def test_the_on_time_rate_flows_through_analytics_as_a_ratio_of_sums(year: Province, clock: Clock) -> None:
    rate = Indicator.objects.select_related("numerator", "denominator").get(code="DIR_ONTIME_RATE")

    (health,) = analytics_measures(indicators=[rate], org_units=[year.health], periods=[Period.parse("2024")])
    (province,) = analytics_measures(indicators=[rate], org_units=[year.province], periods=[Period.parse("2024")])

    assert health.value == Decimal(50)  # 1 of 2
    assert province.value == Decimal(50)  # 2 of 4


def test_collect_rebuilds_figures_changed_by_hand(year: Province, clock: Clock) -> None:
    DataValue.objects.filter(indicator__code="DIR_DONE", org_unit__code="SYT", period="202410").update(value=9)

    out = collect("2024")

    assert values("SYT", "202410")["DIR_DONE"] == 2
    assert "1 thay đổi" in out


def test_a_bad_period_gets_a_message_that_says_how_to_write_one(clock: Clock) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2023Q2"):
        call_command("directives", "collect", "--period", "2024-10")


def test_with_no_directive_there_is_nothing_to_collect(clock: Clock, province: Province) -> None:
    assert scorecard_periods(period=None, today=clock.today) == []
    assert "Không có gì" in collect()


def test_a_dry_run_writes_nothing(year: Province, clock: Clock) -> None:
    DataValue.objects.filter(indicator__code="DIR_DONE").update(value=9)

    result = scorecards_collect(periods=[Period.parse("202410")], today=clock.today, dry_run=True)

    assert result.rows > 0
    assert values("SYT", "202410")["DIR_DONE"] == 9


def test_the_scorecards_write_typed_rows_through_the_figures_service(
    clock: Clock, source: SourceDocument, province: Province
) -> None:
    from dieuhanh.figures.signals import figures_written

    add(source, lead="SYT", deadline=dt.date(2024, 9, 30))
    clock.move_to(dt.date(2024, 10, 3))
    heard: list[int] = []

    def listener(sender: object, *, count: int, **_: object) -> None:
        heard.append(count)

    figures_written.connect(listener, dispatch_uid="test_scorecards_heard")
    try:
        first = scorecards_collect(periods=[Period.parse("202410")], today=clock.today, reason="kiem-tra")
        again = scorecards_collect(periods=[Period.parse("202410")], today=clock.today, reason="kiem-tra")
    finally:
        figures_written.disconnect(dispatch_uid="test_scorecards_heard")
    assert first.batch is not None
    assert (first.batch.source_name, first.batch.file_format) == ("kiem-tra", "api")
    assert heard == [first.batch.rows_created + first.batch.rows_updated]
    assert again.batch is None  # nothing changed: nothing written, nothing announced
    assert values("SYT", "202410")["DIR_STATUS_OVERDUE"] == 1
