"""Small builders for directive tests (through the services, as the pages and the API do)."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from typing import Any

from dieuhanh.directives.models import Directive, ProgressUpdate, SourceDocument
from dieuhanh.directives.services import DirectiveInput, directives_create, progress_report, progress_review


def add(source: SourceDocument, content: str = "Rà soát, báo cáo.", **fields: Any) -> Directive:
    (directive,) = directives_create(source=source, items=[DirectiveInput(content=content, **fields)])
    return directive


def complete(directive: Directive, *, on: dt.date, accept: bool = True, user: Any = None) -> ProgressUpdate:
    """A completion report on ``on``, confirmed (or returned) by the office."""
    update = progress_report(directive=directive, percent=100, text="Đã hoàn thành.", reported_on=on, user=user)
    progress_review(update=update, accept=accept, note="" if accept else "Thiếu biên bản.", user=user)
    directive.refresh_from_db()
    return update


class _Tables(HTMLParser):
    """Every table of a page as rows of cell texts (header cells included)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_by_row(page: str) -> dict[str, dict[str, str]]:
    """The first table of a page as {row header: {column header: cell}}; the last header row names the columns."""
    parser = _Tables()
    parser.feed(page)
    rows = parser.tables[0]
    header = rows[0]
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
