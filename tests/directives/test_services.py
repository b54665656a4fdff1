"""Writes of the register: directives from proposals, groups, validation, progress and its review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dieuhanh.directives.models import Directive, Notification, SourceDocument
from dieuhanh.directives.services import (
    DirectiveError,
    DirectiveInput,
    directives_create,
    parse_recurrence,
    progress_report,
    progress_review,
    source_document_create,
)
from tests.directives.conftest import Clock, Province
from tests.directives.helpers import add

pytestmark = pytest.mark.django_db


def test_a_source_document_belongs_to_the_province_by_default(province: Province) -> None:
    document = source_document_create(kind="plan", number="6120/KH-UBND", date=dt.date(2024, 12, 10))

    assert document.org_unit == province.province


def test_the_same_number_and_date_cannot_be_registered_twice(source: SourceDocument) -> None:
    with pytest.raises(DirectiveError, match="412/TB-UBND"):
        source_document_create(kind="plan", number="412/TB-UBND", date=source.date)


def test_a_batch_of_directives_is_all_or_nothing_with_every_problem_named(source: SourceDocument) -> None:
    items = [
        DirectiveInput(content="Rà soát.", lead="SYT"),
        DirectiveInput(content="Tổng hợp.", lead="SXX", coordinating=["NOPE"]),
        DirectiveInput(content=" ", recurrence="monthly", recurrence_day=40),
    ]

    with pytest.raises(DirectiveError) as error:
        directives_create(source=source, items=items)

    assert Directive.objects.count() == 0
    assert len(error.value.messages) == 4
    assert any("SXX" in m for m in error.value.messages)
    assert any("NOPE" in m for m in error.value.messages)


def test_a_coordinating_group_is_expanded_into_its_members(source: SourceDocument, province: Province) -> None:
    directive = add(source, lead="SKHDT", coordinating=["group:districts", "STC"])

    assert set(directive.coordinating_agencies.values_list("code", flat=True)) == {"718", "719", "STC"}


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        (None, ("", None)),
        ("monthly:05", ("monthly", 5)),
        ("monthly", ("monthly", 31)),
        ("quarterly", ("quarterly", None)),
    ],
)
def test_recurrences_are_read_as_extraction_writes_them(text: str | None, parsed: tuple[str, int | None]) -> None:
    assert parse_recurrence(text) == parsed


@pytest.mark.parametrize("text", ["weekly", "monthly:40", "quarterly:3", "monthly:x"])
def test_an_unknown_recurrence_is_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(DirectiveError):
        parse_recurrence(text)


def test_evidence_is_stored_with_the_report(clock: Clock, source: SourceDocument, province: Province) -> None:
    directive = add(source, lead="SYT", deadline=dt.date(2024, 12, 31))
    upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 minh chung", content_type="application/pdf")

    update = progress_report(directive=directive, percent=40, text="Đã lắp đặt thiết bị.", files=[upload])

    (evidence,) = update.evidence.all()
    assert (evidence.name, evidence.size) == ("bien-ban.pdf", 19)
    assert evidence.file.read() == b"%PDF-1.4 minh chung"
    directive.refresh_from_db()
    assert directive.progress == 40


@pytest.mark.parametrize(
    ("percent", "text", "reported_on", "message"),
    [
        (120, "x", None, "0"),
        (50, "  ", None, "kết quả"),
        (50, "x", dt.date(2024, 9, 13), "tương lai"),
        (50, "x", dt.date(2024, 9, 1), "trước ngày giao"),
    ],
)
@pytest.mark.usefixtures("clock", "province")
def test_a_bad_report_is_refused_with_a_vietnamese_reason(
    source: SourceDocument, percent: int, text: str, reported_on: dt.date | None, message: str
) -> None:
    directive = add(source, lead="SYT")

    with pytest.raises(DirectiveError, match=message):
        progress_report(directive=directive, percent=percent, text=text, reported_on=reported_on)


def test_a_group_directive_is_reported_on_by_each_member_not_by_the_group(
    clock: Clock, source: SourceDocument, province: Province
) -> None:
    parent = add(source, lead="group:districts")

    with pytest.raises(DirectiveError, match="phần việc"):
        progress_report(directive=parent, percent=10, text="x")


def test_returning_a_report_needs_a_reason_and_tells_the_agency(
    clock: Clock, source: SourceDocument, province: Province, reporter: object
) -> None:
    directive = add(source, lead="SYT")
    update = progress_report(directive=directive, percent=100, text="Xong.")

    with pytest.raises(DirectiveError, match="lý do"):
        progress_review(update=update, accept=False)
    progress_review(update=update, accept=False, note="Thiếu biên bản nghiệm thu.")

    (note,) = Notification.objects.all()
    assert "Thiếu biên bản nghiệm thu" in note.message
    with pytest.raises(DirectiveError):
        progress_review(update=update, accept=True)
