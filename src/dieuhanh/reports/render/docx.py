"""The report as a Word document laid out as Decree 30/2020/NĐ-CP lays out an administrative text.

A4; margins 20 mm top and bottom, 30 mm left, 15 mm right; Times New Roman 14 pt for the
text; the issuing body and the national motto side by side, each with its rule below; the
number, then the place and date; the title; numbered sections; the recipients and the
signature side by side; page numbers at the top from the second page.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from dieuhanh.reports.document import Chart, Paragraph, Report, Section, Table

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 11
TEXT_WIDTH_CM = 16.5  # 21 cm − 3 cm − 1.5 cm


def _font(
    run_or_style: object, *, size: float | None = None, bold: bool | None = None, italic: bool | None = None
) -> None:
    font = run_or_style.font  # type: ignore[attr-defined]
    font.name = FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic
    # Word picks the East Asian font for some Vietnamese letters unless it is set too.
    element = run_or_style.element  # type: ignore[attr-defined]
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def _paragraph(
    container: DocumentObject | _Cell,
    text: str = "",
    *,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    indent: bool = False,
    after: float = 6,
) -> DocxParagraph:
    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(after)
    if align is not None:
        paragraph.alignment = align
    if indent:
        fmt.first_line_indent = Cm(1.27)
    if text:
        _font(paragraph.add_run(text), size=size, bold=bold, italic=italic)
    return paragraph


def _rule(cell: _Cell, *, width_cm: float, cell_width_cm: float) -> None:
    """A solid line under a header block, centred in its cell: a bottom border on an empty,
    indented paragraph (Word draws it as long as the paragraph)."""
    paragraph = cell.add_paragraph()
    fmt = paragraph.paragraph_format
    side = max((cell_width_cm - width_cm) / 2, 0)
    fmt.left_indent = Cm(side)
    fmt.right_indent = Cm(side)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(4)
    _font(paragraph.add_run(""), size=2)
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def _no_borders(table: object) -> None:
    tbl = table._tbl  # type: ignore[attr-defined]
    pr = tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    pr.append(borders)


def _first(cell: _Cell) -> DocxParagraph:
    """A cell's first paragraph (every new cell has one, empty)."""
    return cell.paragraphs[0]


def _cell_text(
    cell: _Cell,
    text: str,
    *,
    size: float,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    first: bool = False,
) -> None:
    paragraph = _first(cell) if first else cell.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.space_before = Pt(0)
    _font(paragraph.add_run(text), size=size, bold=bold, italic=italic)


def _header(document: DocumentObject, report: Report) -> None:
    header = report.header
    left_cm, right_cm = 6.0, TEXT_WIDTH_CM - 6.0
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Cm(left_cm), Cm(right_cm)
    _cell_text(left, header.issuer_parent, size=13, first=True)
    _cell_text(left, header.issuer, size=13, bold=True)
    _rule(left, width_cm=2.2, cell_width_cm=left_cm)
    _cell_text(left, header.number, size=13)
    _cell_text(right, header.motto, size=12.5, bold=True, first=True)
    _cell_text(right, header.motto_sub, size=13.5, bold=True)
    _rule(right, width_cm=6.0, cell_width_cm=right_cm)
    _cell_text(right, header.place_date, size=13.5, italic=True)
    _paragraph(document, "", after=12)
    _paragraph(document, header.kind, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _paragraph(document, header.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=18)


def _block(document: DocumentObject, block: object) -> None:
    if isinstance(block, Paragraph):
        if block.style == "note":
            _paragraph(document, block.text, size=12, italic=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
        else:
            _paragraph(document, block.text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
    elif isinstance(block, Table):
        _table(document, block)
    elif isinstance(block, Chart):
        _paragraph(document, block.caption, size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=2)
        picture = document.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.add_run().add_picture(io.BytesIO(block.png), width=Cm(min(block.width_cm, TEXT_WIDTH_CM)))
        # Word reads the picture's description aloud to screen-reader users.
        for properties in picture._p.iter(qn("wp:docPr")):
            properties.set("descr", block.alt)


def _shade(cell: _Cell, fill: str) -> None:
    pr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    pr.append(shading)


def _repeat_header(row: object) -> None:
    pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    pr.append(element)


def _table(document: DocumentObject, block: Table) -> None:
    _paragraph(document, block.caption, size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=2)
    table = document.add_table(rows=1 + len(block.rows), cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    total = sum(block.widths) or len(block.header)
    widths = [Cm(TEXT_WIDTH_CM * (w / total)) for w in (block.widths or [1] * len(block.header))]
    numeric = block.numeric or (False,) * len(block.header)
    for column, text in enumerate(block.header):
        cell = table.rows[0].cells[column]
        cell.width = widths[column]
        _shade(cell, "E7ECF2")
        _cell_text(cell, text, size=TABLE_PT, bold=True, first=True)
    _repeat_header(table.rows[0])
    for r, values in enumerate(block.rows, start=1):
        cells = table.rows[r].cells
        for column, text in enumerate(values):
            cells[column].width = widths[column]
            align = WD_ALIGN_PARAGRAPH.RIGHT if numeric[column] else WD_ALIGN_PARAGRAPH.LEFT
            _cell_text(cells[column], text, size=TABLE_PT, align=align, first=True)
    if block.note:
        _paragraph(document, block.note, size=11, italic=True, after=8)
    else:
        _paragraph(document, "", size=6, after=4)


def _section(document: DocumentObject, section: Section, *, level: int) -> None:
    title = f"{section.number}. {section.title}" if section.number else section.title
    _paragraph(document, title, bold=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6, indent=level > 0)
    for block in section.blocks:
        _block(document, block)
    for sub in section.subsections:
        _section(document, sub, level=level + 1)


def _closing(document: DocumentObject, report: Report) -> None:
    header = report.header
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Cm(8.0), Cm(TEXT_WIDTH_CM - 8.0)
    _cell_text(
        left, header.recipients_label, size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, first=True
    )
    for line in header.recipients:
        _cell_text(left, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    for n, line in enumerate(header.signature):
        _cell_text(right, line, size=14, bold=True, first=n == 0)
    for _ in range(4):
        _cell_text(right, "", size=14)
    if header.signer:
        _cell_text(right, header.signer, size=14, bold=True)


def _page_numbers(document: DocumentObject) -> None:
    """The page number centred at the top, from the second page on (Decree 30)."""
    section = document.sections[0]
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def render_docx(report: Report) -> bytes:
    """The report as DOCX bytes."""
    document = Document()
    section = document.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    normal = document.styles["Normal"]
    _font(normal, size=BODY_PT)
    normal.font.color.rgb = RGBColor(0, 0, 0)
    normal.paragraph_format.line_spacing = 1.15
    document.core_properties.title = f"{report.header.kind} {report.header.title}"
    document.core_properties.author = report.header.issuer
    document.core_properties.language = "vi-VN"
    _page_numbers(document)
    _header(document, report)
    for paragraph in report.intro:
        _block(document, paragraph)
    for part in report.sections:
        _section(document, part, level=0)
    for paragraph in report.closing:
        _block(document, paragraph)
    _paragraph(document, "", after=6)
    _closing(document, report)
    for annex in report.annexes:
        document.add_page_break()
        _paragraph(document, annex.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
        for block in annex.blocks:
            _block(document, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
