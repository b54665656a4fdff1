"""The report's public-investment section: the year's plan and its disbursement against the milestones,
the slowest investors and projects, site clearance, and the obstacles open and overdue by the agency that
must resolve them — as the register stood at the end of the report's period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dieuhanh.analytics.readmodel.periods import ReportPeriod
from dieuhanh.projects.choices import ObstacleCategory
from dieuhanh.projects.services import SiteClearanceRow, obstacle_create, obstacle_resolve, site_clearance_write
from dieuhanh.reports.document import Paragraph, Section, Table
from dieuhanh.reports.services import report_make
from tests.projects.conftest import Register, disburse, project, register, today

pytestmark = pytest.mark.django_db

__all__ = ["register", "today"]

TITLE = "ĐẦU TƯ CÔNG"


def investment(register: Register, period: str, issued_on: dt.date) -> tuple[str, list[Table]]:
    report = report_make(org_unit=register.tree.province, period=ReportPeriod.parse(period), issued_on=issued_on)
    (section,) = [s for s in report.sections if s.title == TITLE]
    return text_of(section), [b for b in section.blocks if isinstance(b, Table)]


def text_of(section: Section) -> str:
    lines = [b.text for b in section.blocks if isinstance(b, Paragraph)]
    lines += [" | ".join(row) for b in section.blocks if isinstance(b, Table) for row in (b.header, *b.rows)]
    return "\n".join(lines)


@pytest.fixture
def year_2024(register: Register, today: dt.date) -> Register:
    """Three projects of 2024 (plans 40, 10 and 50 tỷ đồng) disbursed by 30/9 15 %, 70 % and 66 % of their
    plans; the road clearing its site in one commune; three obstacles: one resolved in April, one past its
    deadline on 30/9, one within it."""
    tree = register.tree
    road = project("GT-1", register.transport, locations=[tree.commune_a1], plan={"provincial": 40_000})
    clinic = project("YT-1", register.health, locations=[tree.commune_b1], plan={"provincial": 10_000})
    school = project("XD-1", register.construction, locations=[tree.commune_a2], plan={"provincial": 50_000})
    disburse(road, "202405", 6_000)
    disburse(clinic, "202406", 7_000)
    disburse(school, "202408", 33_000)
    site_clearance_write(
        rows=[
            SiteClearanceRow(road.pk, tree.commune_a1.pk, "202406", Decimal(200_000), Decimal(50_000), 80, 40, 20),
            SiteClearanceRow(road.pk, tree.commune_a1.pk, "202409", Decimal(200_000), Decimal(150_000), 80, 70, 60),
            SiteClearanceRow(road.pk, tree.commune_a1.pk, "202411", Decimal(200_000), Decimal(200_000), 80, 80, 80),
        ]
    )
    obstacle_create(
        project=road,
        category=ObstacleCategory.LAND,
        description="Chưa phê duyệt giá đất cụ thể để tính bồi thường.",
        reported_on=dt.date(2024, 6, 10),
        resolving_agency=register.natural,
        deadline=dt.date(2024, 8, 31),
    )
    obstacle_create(
        project=road,
        category=ObstacleCategory.DESIGN,
        description="Điều chỉnh thiết kế nút giao.",
        reported_on=dt.date(2024, 9, 2),
        resolving_agency=register.transport,
        deadline=dt.date(2024, 10, 31),
    )
    moved = obstacle_create(
        project=school,
        category=ObstacleCategory.PROCEDURE,
        description="Chưa thẩm định điều chỉnh dự án.",
        reported_on=dt.date(2024, 3, 1),
        resolving_agency=register.construction,
        deadline=dt.date(2024, 4, 30),
    )
    obstacle_resolve(obstacle=moved, resolved_on=dt.date(2024, 4, 20), resolution="Đã thẩm định.")
    return register


def test_the_section_states_the_disbursement_against_the_milestones(year_2024: Register) -> None:
    text, _tables = investment(year_2024, "2024Q3", issued_on=dt.date(2024, 12, 15))

    # 46 of 100 tỷ đồng: behind the 60 % due on 30/9.
    assert (
        "Kế hoạch vốn đầu tư công năm 2024 đã giao 100,0 tỷ đồng cho 3 dự án. Tính đến ngày 30/9/2024, "
        "đã giải ngân 46,0 tỷ đồng, đạt 46,0% kế hoạch; chậm so với tiến độ." in text
    )
    assert "30,0% đến ngày 30/6/2024; 60,0% đến ngày 30/9/2024; 95,0% đến ngày 31/1/2025" in text
    assert (
        "cần giải ngân 60,0% kế hoạch (mốc đã qua: 60,0%); có 1 dự án chậm so với mốc và 0 dự án có nguy cơ chậm"
        in text
    )


def test_the_section_names_the_slowest_investors_and_projects(year_2024: Register) -> None:
    _text, (investors, projects, _obstacles) = investment(year_2024, "2024Q3", issued_on=dt.date(2024, 12, 15))

    assert [row[1] for row in investors.rows] == [
        "Sở Giao thông vận tải",
        "Ban Quản lý dự án đầu tư xây dựng tỉnh",
        "Sở Y tế",
    ]
    assert investors.rows[0] == ("3", "Sở Giao thông vận tải", "1", "40,0", "6,0", "15,0", "1", "chậm so với tiến độ")
    # Only the road is behind (the others are past 60 %); its two obstacles are open.
    assert [(row[1], row[2], row[4], row[5]) for row in projects.rows] == [
        ("Dự án GT-1", "Sở Giao thông vận tải", "15,0", "2")
    ]


def test_the_section_states_site_clearance_as_at_the_periods_end(year_2024: Register) -> None:
    text, _tables = investment(year_2024, "2024Q3", issued_on=dt.date(2024, 12, 15))

    assert "(1 dự án): đã bàn giao 15,0/20,0 ha mặt bằng (75,0%); đã chi trả cho 60/80 hộ bị ảnh hưởng (75,0%)" in text


def test_the_obstacles_open_and_overdue_by_the_agency_that_must_resolve_them(year_2024: Register) -> None:
    text, (*_rest, obstacles) = investment(year_2024, "2024Q3", issued_on=dt.date(2024, 12, 15))

    assert "Tính đến ngày 30/9/2024, còn 2 vướng mắc của các dự án chưa được tháo gỡ, trong đó 1 vướng mắc" in text
    assert obstacles.rows == (("1", "Sở Tài nguyên và Môi trường", "1", "1"), ("2", "Sở Giao thông vận tải", "1", "0"))
    assert (
        "- Dự án GT-1: Chưa phê duyệt giá đất cụ thể để tính bồi thường (cơ quan xử lý: Sở Tài nguyên và Môi "
        "trường; hạn 31/8/2024, quá hạn 30 ngày)." in text
    )
    assert "Chưa thẩm định" not in text  # resolved before the period's end


def test_a_report_without_projects_of_the_year_or_below_the_province_has_no_such_section(
    year_2024: Register,
) -> None:
    earlier = report_make(
        org_unit=year_2024.tree.province, period=ReportPeriod.parse("2023"), issued_on=dt.date(2024, 12, 15)
    )
    district = report_make(
        org_unit=year_2024.tree.district_a, period=ReportPeriod.parse("2024Q3"), issued_on=dt.date(2024, 12, 15)
    )

    assert TITLE not in [s.title for s in earlier.sections]
    assert TITLE not in [s.title for s in district.sections]
