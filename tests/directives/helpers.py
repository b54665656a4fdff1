"""Small builders for directive tests (through the services, as the pages and the API do)."""

from __future__ import annotations

import datetime as dt
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
