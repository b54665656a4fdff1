"""The report as HTML: a page of its own (the HTML download, and the source of the PDF), or the
body alone inside the site's layout (the preview)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from dieuhanh.reports.document import Block, Chart, Paragraph, Report, Section, Table
from dieuhanh.reports.fonts import FAMILY, font_face_css


@dataclass(frozen=True)
class HtmlBlock:
    """A block with what the template needs to tell kinds apart (templates cannot test types)."""

    kind: str
    block: Block
    src: str = ""
    rows: tuple[tuple[tuple[str, bool], ...], ...] = ()  # a table's cells, each with whether it is a number
    widths: tuple[str, ...] = ()  # a table's column widths, in per cent of the table


@dataclass(frozen=True)
class HtmlSection:
    section: Section
    blocks: list[HtmlBlock]
    subsections: list[HtmlSection]


def _blocks(blocks: list[Block]) -> list[HtmlBlock]:
    out = []
    for block in blocks:
        if isinstance(block, Chart):
            # Embedded, so that the page and the PDF made from it need nothing else.
            src = "data:image/png;base64," + base64.b64encode(block.png).decode("ascii")
            out.append(HtmlBlock("chart", block, src))
        elif isinstance(block, Table):
            numeric = block.numeric or (False,) * len(block.header)
            rows = tuple(tuple(zip(row, numeric, strict=False)) for row in block.rows)
            total = sum(block.widths)
            widths = tuple(f"{100 * w / total:.1f}%" for w in block.widths) if total else ()
            out.append(HtmlBlock("table", block, rows=rows, widths=widths))
        elif isinstance(block, Paragraph):
            out.append(HtmlBlock("paragraph", block))
    return out


def _section(section: Section) -> HtmlSection:
    return HtmlSection(section, _blocks(section.blocks), [_section(s) for s in section.subsections])


def report_context(report: Report) -> dict[str, Any]:
    return {
        "report": report,
        "header": report.header,
        "intro": _blocks(list(report.intro)),
        "sections": [_section(s) for s in report.sections],
        "closing": _blocks(list(report.closing)),
        "annexes": [_section(s) for s in report.annexes],
    }


def render_html(report: Report, *, for_print: bool = False) -> str:
    """A whole HTML document; ``for_print`` adds the page rules and the fonts the PDF is made with.

    The fonts are the package's own files, named by their place on this machine: fit for the PDF
    made here, not for an HTML file that travels (which names the fonts a reader's browser has).
    """
    context: dict[str, Any] = {**report_context(report), "for_print": for_print}
    if for_print:
        # CSS inside <style>, where HTML escapes would not be read back: the rules are the module's own.
        context.update(print_fonts=mark_safe(font_face_css()), print_family=FAMILY)  # noqa: S308
    with translation.override("vi"):
        return render_to_string("reports/report.html", context)
