"""Section IV of the report: the directives' standing, from the register."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dieuhanh.directives.status import DirectiveStatus
from dieuhanh.reports.document import Paragraph, Section, Table
from dieuhanh.reports.selectors import directives_summary

if TYPE_CHECKING:
    from dieuhanh.reports.content.builder import ReportBuilder


def directives_section(b: ReportBuilder) -> Section:
    """Section IV: where the directives stand on the report's date, per lead agency, the overdue ones named."""
    section = Section(number="", title=b.text("section_directives"))
    summary = directives_summary(org_unit=b.unit, on=b.issued_on)
    as_of = f"{b.issued_on.day}/{b.issued_on.month}/{b.issued_on.year}"
    if not summary.total:
        section.blocks.append(Paragraph(b.text("directives_none", as_of=as_of)))
        return section
    c = summary.counts
    section.blocks.append(
        Paragraph(
            b.text(
                "directives_summary",
                as_of=as_of,
                total=summary.total,
                lead_scope="",
                done_on_time=c[DirectiveStatus.DONE_ON_TIME],
                done_late=c[DirectiveStatus.DONE_LATE],
                in_progress=c[DirectiveStatus.IN_PROGRESS],
                overdue=c[DirectiveStatus.OVERDUE],
                no_deadline=c[DirectiveStatus.NO_DEADLINE],
            )
        )
    )
    order = (
        DirectiveStatus.DONE_ON_TIME,
        DirectiveStatus.DONE_LATE,
        DirectiveStatus.IN_PROGRESS,
        DirectiveStatus.OVERDUE,
        DirectiveStatus.NO_DEADLINE,
    )
    rows = [
        (
            str(n),
            agency.name or b.text("directives_no_lead"),
            str(agency.total),
            *(str(agency.counts[s]) for s in order),
        )
        for n, agency in enumerate(summary.agencies, start=1)
    ]
    section.blocks.append(
        Table(
            caption=b.text("directives_table", number=b.numbers.table(), as_of=as_of),
            header=tuple(
                b.text(k)
                for k in (
                    "col_number",
                    "col_lead",
                    "col_total",
                    "col_done_on_time",
                    "col_done_late",
                    "col_in_progress",
                    "col_overdue",
                    "col_no_deadline",
                )
            ),
            rows=tuple(rows),
            numeric=(False, False, True, True, True, True, True, True),
            widths=(0.8, 4.6, 1.0, 1.3, 1.3, 1.3, 1.1, 1.3),
        )
    )
    if summary.overdue:
        section.blocks.append(Paragraph(b.text("directives_overdue_intro")))
        for item in summary.overdue:
            section.blocks.append(
                Paragraph(
                    b.text(
                        "directives_overdue_item",
                        content=item.content.rstrip(" ."),
                        lead=item.lead or b.text("directives_no_lead"),
                        due=f"{item.due.day}/{item.due.month}/{item.due.year}",
                        days=item.days,
                    ),
                    style="item",
                )
            )
    return section


# ---- annex: completeness -------------------------------------------------------------------
