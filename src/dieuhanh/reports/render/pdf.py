"""The report as PDF, made from the same report as the DOCX through its HTML (WeasyPrint).

LibreOffice would convert the DOCX itself, but it is a large system dependency and starts
slowly; WeasyPrint is a Python package that needs only Pango, and the HTML it reads states
the same text, tables and charts as the DOCX, laid out to the same decree. Its print CSS names the
font files shipped with the package (dieuhanh.reports.fonts), so the PDF is set in them whatever
fonts the machine has.
"""

from __future__ import annotations

import logging

from dieuhanh.reports.document import Report
from dieuhanh.reports.render.html import render_html

# WeasyPrint reports every CSS property it skips; the report's own CSS is known to render.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def render_pdf(report: Report) -> bytes:
    """The report as PDF bytes."""
    from weasyprint import HTML  # noqa: PLC0415 - imported when used: it loads Pango, which pages never need

    pdf = HTML(string=render_html(report, for_print=True), base_url=None).write_pdf()
    return bytes(pdf or b"")
