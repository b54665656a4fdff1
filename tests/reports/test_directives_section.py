"""The report's directives section states the register as at the end of the report's period, whenever
the report is made: what was assigned by then, its status then, days overdue counted to then."""

from __future__ import annotations

import datetime as dt

import pytest

from dieuhanh.analytics.readmodel.periods import ReportPeriod
from dieuhanh.directives.choices import SourceKind
from dieuhanh.directives.models import SourceDocument
from dieuhanh.directives.services import progress_report
from dieuhanh.reports.document import Paragraph, Section, Table
from dieuhanh.reports.services import report_make
from tests.directives.conftest import Clock, Province, clock, province, source
from tests.directives.helpers import add, complete

pytestmark = pytest.mark.django_db

__all__ = ["clock", "province", "source"]


def directives_section(province: Province, period: str, issued_on: dt.date) -> tuple[str, list[Table]]:
    report = report_make(org_unit=province.province, period=ReportPeriod.parse(period), issued_on=issued_on)
    (section,) = [s for s in report.sections if s.title == "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"]
    return text_of(section), [b for b in section.blocks if isinstance(b, Table)]


def text_of(section: Section) -> str:
    lines = [b.text for b in section.blocks if isinstance(b, Paragraph)]
    lines += [" | ".join(row) for b in section.blocks if isinstance(b, Table) for row in (b.header, *b.rows)]
    return "\n".join(lines)


@pytest.fixture
def third_quarter(clock: Clock, source: SourceDocument, province: Province) -> Province:
    """Directives of 12/9/2024 (one due 20/9, done on 5/10; one due 31/12) and one of 20/10/2024."""
    hospital = add(source, "Đưa bệnh viện vào hoạt động.", lead="SYT", deadline=dt.date(2024, 9, 20))
    add(source, "Trình phê duyệt quy hoạch chung.", lead="SKHDT", deadline=dt.date(2024, 12, 31))
    later = SourceDocument.objects.create(
        kind=SourceKind.CONCLUSION_NOTICE, number="500/TB-UBND", date=dt.date(2024, 10, 20), org_unit=province.province
    )
    add(later, "Việc giao sau kỳ báo cáo.", lead="STC", deadline=dt.date(2024, 11, 30))
    clock.move_to(dt.date(2026, 12, 5))
    complete(hospital, on=dt.date(2024, 10, 5))
    return province


def test_a_report_on_a_past_period_states_the_directives_at_that_periods_end(
    third_quarter: Province, clock: Clock
) -> None:
    text, (table,) = directives_section(third_quarter, "2024Q3", issued_on=clock.today)

    assert "Tính đến ngày 30/9/2024, 2 nhiệm vụ" in text
    assert "5/12/2026" not in text
    assert "Việc giao sau kỳ báo cáo" not in text
    assert "Sở Tài chính" not in text
    assert "Đưa bệnh viện vào hoạt động (chủ trì: Sở Y tế tỉnh Bình Dương; hạn 20/9/2024, quá hạn 10 ngày)" in text
    assert [row[1:] for row in table.rows] == [
        ("Sở Kế hoạch và Đầu tư tỉnh Bình Dương", "1", "0", "0", "1", "0", "0"),
        ("Sở Y tế tỉnh Bình Dương", "1", "0", "0", "0", "1", "0"),
    ]


def test_a_report_made_before_its_period_ends_states_the_day_it_is_made(third_quarter: Province, clock: Clock) -> None:
    text, _tables = directives_section(third_quarter, "2024Q3", issued_on=dt.date(2024, 9, 25))

    assert "Tính đến ngày 25/9/2024" in text
    assert "quá hạn 5 ngày" in text


def test_a_completion_report_awaiting_confirmation_is_stated_as_such_not_as_overdue(
    clock: Clock, source: SourceDocument, province: Province
) -> None:
    plan = add(source, "Trình phê duyệt quy hoạch chung.", lead="SKHDT", deadline=dt.date(2024, 12, 31))
    clock.move_to(dt.date(2024, 12, 28))
    progress_report(directive=plan, percent=100, text="Đã trình phê duyệt đủ 9 đồ án.", reported_on=clock.today)
    clock.move_to(dt.date(2026, 12, 5))

    text, _tables = directives_section(province, "2024", issued_on=clock.today)

    assert "quá hạn chưa hoàn thành 0" in text
    assert "đang thực hiện trong hạn 1" in text
    assert "1 nhiệm vụ đã báo cáo hoàn thành, chờ xác nhận" in text
    assert "Các nhiệm vụ quá hạn" not in text


def test_a_groups_directive_counts_once_for_the_province_as_in_the_register(
    clock: Clock, source: SourceDocument, province: Province
) -> None:
    add(source, "Giải phóng mặt bằng.", lead="group:districts", deadline=dt.date(2024, 10, 31))
    add(source, "Đưa bệnh viện vào hoạt động.", lead="SYT", deadline=dt.date(2024, 12, 31))
    clock.move_to(dt.date(2024, 11, 5))

    text, (table,) = directives_section(province, "202410", issued_on=clock.today)

    assert "Tính đến ngày 31/10/2024, 2 nhiệm vụ" in text
    assert sum(int(row[2]) for row in table.rows) == 2
