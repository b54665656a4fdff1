"""Section IV of the report: the directives' standing at the end of the report's period, from the register."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dieuhanh.directives.choices import DirectiveStatus
from dieuhanh.directives.selectors import directive_summary
from dieuhanh.reports.document import Paragraph, Section, Table

if TYPE_CHECKING:
    from dieuhanh.reports.content.builder import ReportBuilder


def directives_section(b: ReportBuilder) -> Section:
    """Section IV: where the directives stand at the end of the report's period (or on the day the
    report is made, if earlier) — assigned by then, their status then, days overdue counted to
    then — as the register and the scorecards count them; per lead, the overdue ones named."""
    section = Section(number="", title=b.text("section_directives"))
    day = min(b.report.end_date, b.issued_on)
    summary = directive_summary(org_unit=b.unit, on=day)
    as_of = f"{day.day}/{day.month}/{day.year}"
    if not summary.counts.total:
        section.blocks.append(Paragraph(b.text("directives_none", as_of=as_of)))
        return section
    c = summary.counts.counts
    section.blocks.append(
        Paragraph(
            b.text(
                "directives_summary",
                as_of=as_of,
                total=summary.counts.total,
                lead_scope="",
                done_on_time=c[DirectiveStatus.DONE_ON_TIME],
                done_late=c[DirectiveStatus.DONE_LATE],
                in_progress=c[DirectiveStatus.IN_PROGRESS],
                overdue=c[DirectiveStatus.OVERDUE],
                no_deadline=c[DirectiveStatus.NO_DEADLINE],
            )
        )
    )
    if summary.counts.awaiting:
        section.blocks.append(Paragraph(b.text("directives_awaiting", awaiting=summary.counts.awaiting)))
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
            lead.name or b.text("directives_no_lead"),
            str(lead.total),
            *(str(lead.counts[s]) for s in order),
        )
        for n, lead in enumerate(summary.leads, start=1)
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
