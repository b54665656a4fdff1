"""The report across the change: the first half of 2026 of a unit that began on 1 July 2025 compares
with January–June 2025 re-based, and the document says so (DOCX, PDF, HTML); its ranking tables list
the units in force for the period — communes, where the new province has no districts."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from dieuhanh.analytics.readmodel.periods import ReportPeriod
from dieuhanh.reports.document import Report, Table
from dieuhanh.reports.render.docx import render_docx
from dieuhanh.reports.render.html import render_html
from dieuhanh.reports.render.pdf import render_pdf
from dieuhanh.reports.services import report_make
from tests.reform import Reform, reform

pytestmark = pytest.mark.django_db

__all__ = ["reform"]

NOTE = "số liệu cùng kỳ quy đổi theo địa giới hành chính mới"
ISSUED = dt.date(2026, 7, 10)


def make(reform: Reform, unit: str, period: str) -> Report:
    return report_make(org_unit=reform.units[unit], period=ReportPeriod.parse(period), issued_on=ISSUED)


def tables(report: Report) -> list[Table]:
    found: list[Table] = []

    def walk(section: object) -> None:
        found.extend(b for b in section.blocks if isinstance(b, Table))  # type: ignore[attr-defined]
        for sub in section.subsections:  # type: ignore[attr-defined]
            walk(sub)

    for section in [*report.sections, *report.annexes]:
        walk(section)
    return found


def test_the_report_says_last_year_s_figures_are_re_based_and_for_which_indicators(reform: Reform) -> None:
    report = make(reform, "N", "2026S1")

    notes = [p.text for p in report.intro if p.style == "note"]
    assert notes == [
        "Ghi chú: số liệu cùng kỳ quy đổi theo địa giới hành chính mới (từ số liệu của Tỉnh A (toàn bộ), "
        "Tỉnh B (toàn bộ)) đối với các chỉ tiêu: Thu ngân sách."
    ]
    # The plan table marks the change on last year, and its note says what the mark means
    plan = next(t for t in tables(report) if t.caption.startswith("Bảng 1."))
    revenue = next(r for r in plan.rows if r[1] == "Thu ngân sách")
    assert revenue[4] == "-20,0 (*)"
    assert "(*) Số liệu cùng kỳ quy đổi theo địa giới hành chính mới." in plan.note


def test_the_ranking_tables_list_the_communes_of_the_new_province(reform: Reform) -> None:
    report = make(reform, "N", "2026S1")

    ranking = next(t for t in tables(report) if "theo đơn vị" in t.caption)
    # n3 45, n2 35, n1 25, n4 15 a month over six months; each compared with its re-based past but n4
    assert [(r[1], r[2]) for r in ranking.rows] == [
        ("Xã Tân Ba", "270,0"),
        ("Phường Tân Hai", "210,0"),
        ("Phường Tân Một", "150,0"),
        ("Xã Tân Bốn", "90,0"),
    ]
    assert [r[3].endswith("(*)") for r in ranking.rows] == [True, True, True, False]
    assert "(*) Số liệu cùng kỳ quy đổi theo địa giới hành chính mới." in ranking.note


def test_the_docx_and_the_html_state_the_note(reform: Reform) -> None:
    report = make(reform, "N", "2026S1")

    document = Document(io.BytesIO(render_docx(report)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert NOTE in text
    assert "Thu ngân sách" in text[text.index(NOTE) :]
    html = render_html(report)
    assert NOTE in html
    assert "(*) Số liệu cùng kỳ quy đổi theo địa giới hành chính mới." in html


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed (poppler-utils)")
def test_the_pdf_states_the_note(reform: Reform, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_pdf(make(reform, "N", "2026S1")))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
    assert NOTE in " ".join(text.split())


def test_a_report_of_the_year_of_the_change_says_its_first_months_are_re_based(reform: Reform) -> None:
    report = make(reform, "N", "2025")

    notes = [p.text for p in report.intro if p.style == "note"]
    assert any(
        n.startswith("Ghi chú: số liệu năm 2025 gồm các tháng trước khi sắp xếp đơn vị hành chính") for n in notes
    )


def test_a_report_of_a_unit_that_never_changed_has_no_note(reform: Reform) -> None:
    report = make(reform, "A", "2025S1")

    assert [p for p in report.intro if p.style == "note"] == []
    assert all("(*)" not in t.note for t in tables(report))


def test_the_reports_page_takes_the_unit_a_shared_code_names_in_the_period(reform: Reform, reader: object) -> None:
    # Given an old province that carried the new one's code until 30/6/2025
    from django.test import Client
    from django.urls import reverse

    from dieuhanh.orgunits.models import OrgUnit

    OrgUnit.objects.create(code="N", name="Tỉnh Cũ", kind="province", valid_to=dt.date(2025, 6, 30))
    client = Client()
    client.force_login(reader)  # type: ignore[arg-type]

    # When the first half of 2026 is previewed for that code, then it is the new province's report
    response = client.get(reverse("reports:preview"), {"org_unit": "N", "period": "2026S1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "TỈNH MỚI" in html
    assert NOTE in html
    # And the first half of 2025 is the old one's
    response = client.get(reverse("reports:preview"), {"org_unit": "N", "period": "2025S1"})
    assert response.status_code == 200
    assert "TỈNH CŨ" in response.content.decode()


def test_on_the_demo_a_whole_merged_city_s_note_counts_its_many_indicators_and_the_tables_mark_them(
    demo: object,
) -> None:
    from dieuhanh.orgunits.selectors import unit_at

    city = unit_at("79", on=dt.date(2026, 6, 30))
    report = report_make(org_unit=city, period=ReportPeriod.parse("2026S1"), issued_on=ISSUED)

    notes = [p.text for p in report.intro if p.style == "note"]
    assert len(notes) == 1
    # Every figure of 2025 of the new city is re-based: the note counts them rather than naming
    # seventy indicators, and points to the marks.
    assert notes[0].startswith(
        "Ghi chú: số liệu cùng kỳ quy đổi theo địa giới hành chính mới (từ số liệu của Tỉnh Bình Dương (toàn bộ), "
    )
    count = int(notes[0].split(" đối với ")[1].split(" ")[0])
    assert count > 8
    assert notes[0].endswith(f"đối với {count} chỉ tiêu, đánh dấu (*) trong các bảng.")
    marked = [cell for t in tables(report) for row in t.rows for cell in row if cell.endswith("(*)")]
    assert marked
