"""On PostgreSQL a file is judged by SQL first, and only the rows it marks suspect go through the
rules of validation.py: a row the rules refuse but the SQL lets through would be stored unchecked.
Rows made to break each rule must all be marked suspect, by both forms of the check (cells
trimmed and composed by the SQL, or already so). That the rows break every rule is checked on
every database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import translation

from dieuhanh.figures.models import DataValue
from dieuhanh.ingest import bulk, validation
from dieuhanh.ingest.parsers import OUR_COLUMNS, RawRow
from dieuhanh.ingest.services import import_file
from dieuhanh.orgunits.choices import MergeType
from dieuhanh.orgunits.models import Succession
from tests.conftest import Tree
from tests.factories import IndicatorFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db

REFORM = dt.date(2025, 7, 1)
BEFORE = dt.date(2025, 6, 30)


@dataclass(frozen=True)
class Case:
    """A row, and the rule made to refuse it (None: a good row)."""

    checker: str | None
    indicator: str
    org_unit: str
    period: str
    value: Any
    comment: str = ""
    machine: bool = False


CASES = [
    Case(None, "REV", "718", "202201", "12"),
    Case("check_indicator", "", "718", "202202", "1"),
    Case("check_indicator", "NOPE", "718", "202203", "1"),
    Case("check_indicator", "rev", "718", "202204", "1"),
    Case("check_indicator", "RATE", "718", "202205", "50"),
    Case("check_org_unit", "REV", "", "202206", "1"),
    Case("check_org_unit", "REV", "999", "202207", "1"),
    Case("check_period", "REV", "718", "", "1"),
    Case("check_period", "REV", "718", "2022-08", "1"),
    Case("check_period", "REV", "718", "202213", "1"),
    Case("check_period", "REV", "718", "189912", "1"),
    Case("check_period", "REV", "718", "220101", "1"),
    Case("check_period", "REV", "718", "2022Q3", "1"),
    Case("check_period", "REV", "718", "2022S2", "1"),
    Case("check_period", "REV", "718", "2022", "1"),
    Case("check_period", "GRDP", "74", "202209", "1"),
    Case("check_value_reads", "REV", "718", "202301", ""),
    Case("check_value_reads", "REV", "718", "202302", None),
    Case("check_value_reads", "REV", "718", "202303", "abc"),
    Case("check_value_reads", "REV", "718", "202304", "2.500"),
    Case("check_value_reads", "REV", "718", "202305", "-1,234"),
    Case("check_value_reads", "REV", "718", "202306", "1.2.3"),
    Case("check_value_reads", "REV", "718", "202307", "1e99999"),
    Case("check_value_reads", "REV", "718", "202308", "\u0661\u0662"),  # Arabic-Indic digits
    Case("check_value_reads", "REV", "718", "202309", "1,5", machine=True),
    Case("check_value_reads", "REV", "718", "202310", "1.234,5", machine=True),
    Case("check_value_reads", "REV", "718", "202311", float("nan")),
    Case("check_value_reads", "REV", "718", "202312", float("inf")),
    Case("check_value_reads", "REV", "719", "202301", Decimal("NaN")),
    Case("check_value_reads", "REV", "719", "202302", True),
    Case("check_value_size", "REV", "719", "202303", "1e18"),
    Case("check_value_size", "BAL", "719", "202304", "-1000000000000000000"),
    Case("check_value_size", "REV", "719", "202305", "1.000.000.000.000.000.000"),
    Case("check_value_size", "REV", "719", "202306", 1e20),
    Case("check_value_size", "REV", "719", "202307", Decimal("1e19")),
    Case("check_value_decimals", "REV", "719", "202308", "1.0000001"),
    Case("check_value_decimals", "REV", "719", "202309", "0,0000001"),
    Case("check_value_decimals", "REV", "719", "202310", "1e-7"),
    Case("check_value_decimals", "REV", "719", "202311", 0.1234567),
    Case("check_value_decimals", "REV", "719", "202312", Decimal("2.0000005")),
    Case("check_minimum", "REV", "74", "202301", "-1"),
    Case("check_minimum", "REV", "74", "202302", "-0.000001"),
    Case("check_maximum", "REV", "74", "202303", "1000.000001"),
    Case("check_maximum", "REV", "74", "202304", "1.234.567"),
    Case("check_comment", "REV", "74", "202305", "1", comment="x" * 501),
    Case("check_comment", "REV", "74", "202306", "1", comment="ệ" * 501),
    Case("check_unit_in_period", "REV", "OLD", "202101", "1"),
    Case("check_unit_in_period", "GRDP", "OLD", "2021Q1", "1"),
    Case("check_unit_in_period", "REV", "NEW", "202506", "1"),
    Case("check_unit_in_period", "GRDP", "NEW", "2025Q2", "1"),
    Case("check_unit_in_period", "REV", "25741", "202507", "1"),
    Case(None, "REV", "25747", "202506", "1"),
    Case(None, "REV", "25747", "202507", "1"),
    Case(None, "REV", "74", "202401", "5"),
    Case("check_duplicate", "REV", "74", "202401", "6"),
    Case(None, "GRDP", "74", "2024q2", "1"),
    Case("check_duplicate", "GRDP", "74", "2024Q2", "1"),
]


@pytest.fixture
def catalogue(tree: Tree) -> Tree:
    IndicatorFactory(code="REV", period_type="monthly", min_value=0, max_value=1000)
    IndicatorFactory(code="BAL", period_type="monthly")
    IndicatorFactory(code="GRDP", period_type="quarterly")
    solved, received = IndicatorFactory(code="SOLVED"), IndicatorFactory(code="RECEIVED")
    IndicatorFactory(code="RATE", aggregation="ratio", numerator=solved, denominator=received, factor=100)
    OrgUnitFactory(code="OLD", parent=tree.district_a, valid_to=dt.date(2020, 12, 31))
    OrgUnitFactory(code="NEW", parent=tree.district_a, valid_from=dt.date(2025, 7, 1))
    # Since 1 July 2025 code 25747 is the new Phường Thủ Dầu Một, which took Phú Cường (25747
    # before) and part of Hiệp Thành (25741, ended); MID began within July.
    old = OrgUnitFactory(code="25747", name="Phường Phú Cường", parent=tree.district_a, valid_to=BEFORE)
    new = OrgUnitFactory(code="25747", name="Phường Thủ Dầu Một", valid_from=REFORM)
    OrgUnitFactory(code="MID", valid_from=dt.date(2025, 7, 15))
    tree.commune_a1.valid_to = BEFORE
    tree.commune_a1.save()
    Succession.objects.create(predecessor=old, successor=new, effective_date=REFORM)
    Succession.objects.create(
        predecessor=tree.commune_a1, successor=new, effective_date=REFORM, merge_type=MergeType.PART, share="0.6"
    )
    return tree


def crafted_rows() -> list[RawRow]:
    return [
        RawRow(
            line=line,
            indicator=case.indicator,
            org_unit=case.org_unit,
            period=case.period,
            value=case.value,
            comment=case.comment,
            columns={name: name for name in OUR_COLUMNS},
            machine_number=case.machine,
        )
        for line, case in enumerate(CASES, start=2)
    ]


def refusals(monkeypatch: pytest.MonkeyPatch, rows: list[RawRow]) -> set[tuple[str, int]]:
    """(checker, line) for every row each checker of validation.py refuses."""
    refused: set[tuple[str, int]] = set()

    def spied(check: Any) -> Any:
        def run(judged: validation.JudgedRow, context: validation.FileContext) -> None:
            before = len(judged.issues)
            check(judged, context)
            if len(judged.issues) > before:
                refused.add((check.__name__, judged.row.line))

        return run

    with monkeypatch.context() as patch:
        patch.setattr(validation, "ROW_CHECKS", tuple(spied(c) for c in validation.ROW_CHECKS))
        validation.check_rows(rows)
    return refused


def suspect_lines(monkeypatch: pytest.MonkeyPatch, rows: list[RawRow], *, trimming: bool) -> set[int]:
    """The lines the SQL check marks suspect, staged as rows of a parsed file are."""
    suspects: set[int] = set()
    word = bulk.check_rows

    def spy(suspect_rows: list[RawRow]) -> Any:
        suspects.update(r.line for r in suspect_rows)
        return word(suspect_rows)

    with monkeypatch.context() as patch:
        patch.setattr(bulk, "iter_rows", lambda _format, _stream: iter(rows))
        patch.setattr(bulk, "check_rows", spy)
        if trimming:
            patch.setattr(bulk, "_CHECK_CLEAN_SQL", bulk._CHECK_SQL)
        result = import_file(content=b"", filename="crafted.xlsx", file_format="xlsx", dry_run=True)
    assert not result.ok
    return suspects


def test_every_rule_has_rows_made_to_break_it(catalogue: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = refusals(monkeypatch, crafted_rows())

    by_line = {line: {checker for checker, at in refused if at == line} for line in range(2, len(CASES) + 2)}
    assert {c.checker for c in CASES} - {None} == {check.__name__ for check in validation.ROW_CHECKS}
    for line, case in enumerate(CASES, start=2):
        if case.checker is None:
            assert by_line[line] == set(), case
        else:
            assert case.checker in by_line[line], case


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL check runs on PostgreSQL only")
@pytest.mark.parametrize("trimming", [False, True], ids=["cells-as-staged", "cells-trimmed-by-sql"])
def test_the_sql_marks_suspect_every_row_a_rule_refuses(
    catalogue: Tree, monkeypatch: pytest.MonkeyPatch, trimming: bool
) -> None:
    rows = crafted_rows()
    refused = refusals(monkeypatch, rows)

    suspects = suspect_lines(monkeypatch, rows, trimming=trimming)

    let_through = sorted((line, checker, CASES[line - 2]) for checker, line in refused if line not in suspects)
    assert let_through == []
    assert refused


# A reused code: each row goes to the unit valid on its period's first day (else the first that
# began within the period), the same on both paths.
REUSED = [
    ("REV", "25747", "202506", "Phường Phú Cường"),
    ("REV", "25747", "202507", "Phường Thủ Dầu Một"),
    ("GRDP", "25747", "2025Q2", "Phường Phú Cường"),
    ("GRDP", "25747", "2025Q3", "Phường Thủ Dầu Một"),
    ("GDPY", "25747", "2025", "Phường Phú Cường"),
    ("REV", "MID", "202507", "Đơn vị MID"),
]


def test_a_reused_code_s_rows_go_to_the_unit_valid_in_their_period_on_both_paths(catalogue: Tree) -> None:
    IndicatorFactory(code="GDPY", period_type="yearly")
    rows = [
        RawRow(line=line, indicator=i, org_unit=u, period=p, value="1", columns={})
        for line, (i, u, p, _name) in enumerate(REUSED, start=2)
    ]
    # The rules of validation.py (the only path on SQLite, the wording one on PostgreSQL) …
    checked, issues = validation.check_rows(rows)
    assert issues == []
    by_rules = {row.line: row.org_unit_id for row in checked}
    # … and the import (on PostgreSQL, the set-based SQL of bulk.py) put each on the same unit.
    content = "indicator,org_unit,period,value\n" + "".join(f"{i},{u},{p},1\n" for i, u, p, _name in REUSED)
    result = import_file(content=content.encode(), filename="reused.csv")
    assert result.ok, result.issues
    stored = {
        (v.indicator.code, v.org_unit.code, v.period): v.org_unit
        for v in DataValue.objects.select_related("indicator", "org_unit")
    }
    for line, (indicator, code, period, name) in enumerate(REUSED, start=2):
        assert stored[(indicator, code, period)].name == name
        assert stored[(indicator, code, period)].pk == by_rules[line]


def test_a_row_for_a_unit_after_its_end_is_refused_naming_its_validity_and_successor(catalogue: Tree) -> None:
    with translation.override("vi"):
        result = import_file(content=b"indicator,org_unit,period,value\nREV,25741,202507,1\n", filename="x.csv")
    assert not result.ok
    (issue,) = result.issues
    assert "hiệu lực đến 30/6/2025" in issue.message
    assert "từ 1/7/2025 thuộc Phường Thủ Dầu Một (25747)" in issue.message


READABLE = [
    "0",
    "7",
    "007",
    "1099",
    "12.5",
    "12.50",
    "0.5",
    "123.4567",
    "1234.5",
    "1.5",
    "5.",
    ".5",
    ",5",
    "1,5",
    "+1",
    "-1",
    "-12.25",
    "1e3",
    "2.5E-2",
    "1.234.567",
    "1.234,5",
    "1,234,567",
    "1,234.5",
    "999999999999.999999",
]


def test_every_number_a_file_may_hold_is_read_by_the_import_as_parse_number_reads_it(catalogue: Tree) -> None:
    # On PostgreSQL through the SQL's own patterns (a shorter one first for the commonest cells),
    # on SQLite through parse_number itself: the same figures either way.
    IndicatorFactory(code="ANY", period_type="monthly")
    periods = [f"{2000 + n // 12}{n % 12 + 1:02d}" for n in range(len(READABLE))]
    content = "indicator,org_unit,period,value\n" + "".join(
        f'ANY,718,{period},"{text}"\n' for period, text in zip(periods, READABLE, strict=True)
    )

    result = import_file(content=content.encode(), filename="numbers.csv")

    assert result.ok, [i.message for i in result.issues]
    stored = dict(DataValue.objects.filter(indicator__code="ANY").values_list("period", "value"))
    assert [stored[p] for p in periods] == [validation.parse_number(text) for text in READABLE]
