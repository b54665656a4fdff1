"""Crafted files (tests/fixtures/crafted/, and two made here: too big to keep) are refused with a message
naming the line, the column and what to fix, never a crash; no figure is written and the import is
recorded as failed. The suite runs on SQLite and on PostgreSQL, whose imports take different paths
(Python; COPY and SQL): both must refuse the same rows with the same words."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from dieuhanh.figures.models import DataValue, ImportBatch
from dieuhanh.ingest.services import import_file
from tests.conftest import Tree
from tests.factories import IndicatorFactory

pytestmark = pytest.mark.django_db

CRAFTED = Path(__file__).resolve().parent.parent / "fixtures" / "crafted"


def deep_json(depth: int) -> bytes:
    return b'{"dataValues": ' + b"[" * depth + b"]" * depth + b"}"


def long_integer_json(digits: int) -> bytes:
    value = b"9" * digits
    return b'{"dataValues": [{"dataElement": "REV", "orgUnit": "718", "period": "202301", "value": ' + value + b"}]}"


def long_integer_csv(digits: int) -> bytes:
    return b"indicator,org_unit,period,value\nREV,718,202301," + b"9" * digits + b"\n"


# name → (file name, content or None to read the fixture, [(line, column, words the message holds)]).
REFUSED: dict[str, tuple[str, bytes | None, list[tuple[int | None, str, str]]]] = {
    "UTF-16 without its byte order mark": ("utf16-without-bom.csv", None, [(None, "", 'save it as "CSV UTF-8"')]),
    "an exponent of six digits, inf, nan and -1e999": (
        "numbers-out-of-range.csv",
        None,
        [
            (2, "value", "'1e999999' is out of range"),
            (3, "value", "'inf' is not a number"),
            (4, "value", "'nan' is not a number"),
            (5, "value", "'-1e999' is too large"),
        ],
    ),
    "the same numbers in DHIS2 JSON": (
        "numbers-out-of-range.json",
        None,
        [
            (2, "value", "'1e999999' is out of range"),
            (3, "value", "'NaN' is not a number"),
            (4, "value", "'-1e999' is too large"),
        ],
    ),
    "full-width digits in a value, a unit and a period": (
        "full-width-digits.csv",
        None,
        [
            (2, "value", "'１２３' is not a number"),
            (3, "org_unit", "Unknown org unit '７１８'"),
            (4, "period", "'２０２３０３' is not a valid period"),
        ],
    ),
    "a NUL byte in a code and in a comment": (
        "nul-in-code.csv",
        None,
        [(2, "indicator", "NUL character"), (3, "comment", "NUL character")],
    ),
    "an escaped NUL in a DHIS2 JSON code": ("nul-in-code.json", None, [(2, "dataElement", "NUL character")]),
    "JSON nested 100,000 deep": ("deep.json", deep_json(100_000), [(1, "", "nested too deeply")]),
    "a 5,001-digit integer in DHIS2 JSON": ("long.json", long_integer_json(5001), [(1, "value", "too large")]),
    "a 5,001-digit integer in a CSV": ("long.csv", long_integer_csv(5001), [(2, "value", "too large")]),
}


@pytest.fixture
def revenue(tree: Tree) -> None:
    IndicatorFactory(code="REV", min_value=0)


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_crafted_file_is_refused_with_a_message_and_writes_nothing(revenue: None, case: str) -> None:
    filename, content, expected = REFUSED[case]
    data = content if content is not None else (CRAFTED / filename).read_bytes()

    with translation.override("en"):
        result = import_file(content=data, filename=filename)

    assert not result.ok
    found = [(i.line, i.column, i.message) for i in result.issues]
    assert [(line, column) for line, column, _message in found] == [(line, column) for line, column, _ in expected]
    for (_line, _column, message), (_, _, words) in zip(found, expected, strict=True):
        assert words in message
    assert not DataValue.objects.exists()
    batch = ImportBatch.objects.get()
    assert batch.status == "failed"
    assert len(batch.errors) == len(expected)


def test_excels_unicode_text_is_read_as_utf16_with_tabs(revenue: None) -> None:
    content = (CRAFTED / "unicode-text-utf16.txt").read_bytes()

    result = import_file(content=content, filename="unicode-text-utf16.txt")

    assert result.ok, [i.message for i in result.issues]
    stored = {(v.org_unit.code, v.value, v.comment) for v in DataValue.objects.select_related("org_unit")}
    assert stored == {("718", Decimal("1234.5"), "ước tính"), ("719", Decimal(10), "")}
