"""The Treasury's disbursement file on PostgreSQL (``projects.bulk``): judged in SQL with the
Python rules' words, lines and columns; merged all or nothing; the same rows stored either way."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import translation

from dieuhanh.projects import bulk
from dieuhanh.projects.bulk import DisbursementRejectedError, disbursement_import_postgres
from dieuhanh.projects.choices import ProjectImportKind
from dieuhanh.projects.imports import check_disbursement, disbursement_write, project_import, read_table
from dieuhanh.projects.models import Disbursement, Project
from tests.conftest import Tree

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based import runs on PostgreSQL only"),
]

HEADER = "project,plan_year,source,period,amount\n"


@pytest.fixture
def register(tree: Tree) -> dict[str, Project]:
    """Two projects of the register, invested in by the province."""
    return {
        code: Project.objects.create(
            code=code,
            name=f"Dự án {code}",
            investor=tree.province,
            group="B",
            sector="transport",
            total_investment=Decimal(100_000),
        )
        for code in ("DA-001", "DA-002")
    }


def postgres(content: str, *, dry_run: bool = False) -> bulk.DisbursementCounts | None:
    return disbursement_import_postgres(stream=io.BytesIO(content.encode()), dry_run=dry_run)


def python_path(content: str) -> tuple[list[tuple[Any, ...]], list[tuple[int | None, str, str]]]:
    """The Python path of projects.imports: the rows it stores (written, then undone), or its issues."""
    table = read_table(ProjectImportKind.DISBURSEMENT, "csv", io.BytesIO(content.encode()))
    lines, issues = check_disbursement(table.rows)
    written: list[tuple[Any, ...]] = []
    if not issues:
        with transaction.atomic():
            disbursement_write(lines)
            written = stored()
            transaction.set_rollback(True)
    return written, [(i.line, i.column, i.message) for i in issues]


def issues_of(content: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(DisbursementRejectedError) as refused:
        postgres(content)
    return [(i.line, i.column, i.message) for i in refused.value.issues]


def stored() -> list[tuple[Any, ...]]:
    return sorted(Disbursement.objects.values_list("project_id", "plan_year", "source", "period", "amount"))


def test_a_clean_file_is_stored_with_its_counts(register: dict[str, Project]) -> None:
    content = HEADER + "DA-001,2024,central,202403,1250.5\nDA-001,2024,central,202501,10\nDA-002,2024,oda,202412,7\n"

    counts = postgres(content)

    assert counts is not None
    assert (counts.total, counts.created, counts.updated, counts.unchanged) == (3, 3, 0, 0)
    assert counts.plan_years == [2024]
    one, two = register["DA-001"].pk, register["DA-002"].pk
    assert stored() == [
        (one, 2024, "central", "202403", Decimal("1250.500")),
        (one, 2024, "central", "202501", Decimal("10.000")),
        (two, 2024, "oda", "202412", Decimal("7.000")),
    ]


def test_importing_again_updates_changed_months_and_counts_the_rest_unchanged(register: dict[str, Project]) -> None:
    postgres(HEADER + "DA-001,2024,central,202403,100\nDA-001,2024,central,202404,200\n")

    counts = postgres(
        HEADER + "DA-001,2024,central,202403,100\nDA-001,2024,central,202404,250\nDA-002,2024,oda,202404,1\n"
    )

    assert counts is not None
    assert (counts.created, counts.updated, counts.unchanged) == (1, 1, 1)
    assert [row[-1] for row in stored()] == [Decimal(100), Decimal(250), Decimal(1)]


def test_a_dry_run_counts_and_stores_nothing(register: dict[str, Project]) -> None:
    postgres(HEADER + "DA-001,2024,central,202403,100\n")

    counts = postgres(HEADER + "DA-001,2024,central,202403,120\nDA-002,2024,oda,202404,1\n", dry_run=True)

    assert counts is not None
    assert (counts.created, counts.updated, counts.unchanged) == (1, 1, 0)
    assert [row[-1] for row in stored()] == [Decimal(100)]


BAD_FILE = HEADER + (
    "DA-001,2024,central,202403,100\n"  # 2: fine
    "DA-404,2024,central,202403,100\n"  # 3: unknown project
    ",2024,central,202403,100\n"  # 4: no project
    "DA-001,24,central,202403,100\n"  # 5: not a year
    "DA-001,2024,budget,202403,100\n"  # 6: unknown source
    "DA-001,2024,central,2024-03,100\n"  # 7: not a month
    "DA-001,2024,central,202502,100\n"  # 8: after 31 January of the next year
    "DA-001,2024,central,202405,abc\n"  # 9: not a number
    "DA-001,2024,central,202406,2.500\n"  # 10: ambiguous
    "DA-001,2024,central,202407,1.2345\n"  # 11: four decimals
    "DA-001,2024,central,202408,1e16\n"  # 12: too large
    "DA-001,2024,central,202403,5\n"  # 13: the key of line 2 again
    "DA-002,2023,oda,202301,\n"  # 14: no amount
    ",,,,\n"  # 15: an empty row, left out
    'DA-002,2023,oda,202302,"1.234,5"\n'  # 16: fine (Vietnamese grouping)
    "DA-404,20x4,none,2024,x\n"  # 17: every column wrong
)


def test_a_bad_file_is_refused_whole_with_each_problem_at_its_line_and_column(register: dict[str, Project]) -> None:
    postgres(HEADER + "DA-002,2024,oda,202401,9\n")

    with translation.override("en"):
        found = issues_of(BAD_FILE)

    assert [(line, column) for line, column, _message in found] == [
        (3, "A (project)"),
        (4, "A (project)"),
        (5, "B (plan_year)"),
        (6, "C (source)"),
        (7, "D (period)"),
        (8, "D (period)"),
        (9, "E (amount)"),
        (10, "E (amount)"),
        (11, "E (amount)"),
        (12, "E (amount)"),
        (13, "A (project)"),
        (14, "E (amount)"),
        (17, "A (project)"),
        (17, "B (plan_year)"),
        (17, "C (source)"),
        (17, "D (period)"),
        (17, "E (amount)"),
    ]
    messages = {(line, column): message for line, column, message in found}
    assert "DA-404" in messages[(3, "A (project)")]
    assert "line 2" in messages[(13, "A (project)")]
    assert "2024" in messages[(8, "D (period)")]
    assert [row[-1] for row in stored()] == [Decimal(9)]


def test_both_paths_refuse_a_bad_file_with_the_same_words_lines_and_columns(register: dict[str, Project]) -> None:
    _nothing, expected = python_path(BAD_FILE)

    assert issues_of(BAD_FILE) == expected


def test_both_paths_store_the_same_rows_of_a_good_file(register: dict[str, Project]) -> None:
    content = HEADER + (
        "DA-001,2024,central,202403,100\n"
        ' DA-002 , 2023 , oda , 202301 ,"1.234.567,5"\n'
        "DA-002,2023,oda,202401,3.25\n"
        'DA-001,2024,land_use,202412,"12,5"\n'
        "DA-001,2024,lottery,202411,1e3\n"
        "DA-001,2024,Central budget,202411,1\n"
    )
    expected, problems = python_path(content)

    postgres(content)

    assert problems == []
    assert stored() == expected
    assert len(expected) == 6
    assert "central" in {row[2] for row in expected}
    assert "Central budget" not in {row[2] for row in stored()}


def test_a_file_the_sql_cannot_read_line_for_line_goes_to_the_python_path(register: dict[str, Project]) -> None:
    spanning = HEADER + 'DA-001,2024,central,202403,"1\n00"\n'
    vietnamese_header = "mã dự án,năm kế hoạch,nguồn vốn,kỳ,số tiền\nDA-001,2024,central,202403,1\n"
    accented = HEADER + "DA-001,2024,central,202403,1\nDA-00\u0301,2024,central,202403,1\n"

    assert postgres(spanning) is None
    assert postgres(vietnamese_header) is None
    assert postgres(accented) is None
    assert stored() == []


def test_a_file_with_a_byte_order_mark_and_windows_line_ends_is_read_by_the_sql(register: dict[str, Project]) -> None:
    content = (
        "\ufeff" + HEADER.replace("\n", "\r\n") + "DA-001,2024,central,202403,100\r\nDA-001,2024,central,202404,x\r\n"
    )

    assert issues_of(content)[0][:2] == (3, "E (amount)")


def test_a_file_of_only_a_header_is_refused(register: dict[str, Project]) -> None:
    with translation.override("en"):
        assert [message for _line, _column, message in issues_of(HEADER)] == ["The file has no rows in it."]


def test_a_first_load_drops_and_makes_again_every_key_and_index(
    register: dict[str, Project], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = keys_and_indexes()
    monkeypatch.setattr(bulk, "BULK_LOAD_ABOVE", 2)

    counts = postgres(HEADER + "DA-001,2024,central,202403,1\nDA-001,2024,central,202404,2\nDA-002,2024,oda,202404,3\n")

    assert counts is not None
    assert counts.created == 3
    assert keys_and_indexes() == before
    assert len(stored()) == 3


def test_a_first_load_with_a_bad_row_or_a_key_twice_is_refused_as_any_file(
    register: dict[str, Project], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "BULK_LOAD_ABOVE", 2)
    twice = HEADER + "DA-001,2024,central,202403,1\nDA-002,2024,oda,202404,3\nDA-001,2024,central,202403,2\n"
    bad = HEADER + "DA-001,2024,central,202403,1\nDA-002,2024,oda,202404,x\nDA-002,2024,oda,202405,3\n"

    assert [(line, column) for line, column, _message in issues_of(twice)] == [(4, "A (project)")]
    assert [(line, column) for line, column, _message in issues_of(bad)] == [(3, "E (amount)")]
    assert stored() == []


def test_a_first_load_says_which_plan_years_it_wrote(
    register: dict[str, Project], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "BULK_LOAD_ABOVE", 2)

    counts = postgres(HEADER + "DA-001,2023,central,202401,1\nDA-001,2021,central,202103,2\nDA-002,2023,oda,202312,3\n")

    assert counts is not None
    assert counts.plan_years == [2021, 2023]


def test_the_import_of_the_register_reads_a_treasury_csv_on_postgresql_by_the_set_based_path(
    register: dict[str, Project], monkeypatch: pytest.MonkeyPatch
) -> None:
    called: list[bool] = []
    original = bulk.disbursement_import_postgres

    def spy(**kwargs: Any) -> Any:
        counts = original(**kwargs)
        called.append(counts is not None)
        return counts

    monkeypatch.setattr(bulk, "disbursement_import_postgres", spy)
    content = (HEADER + "DA-001,2024,central,202403,100\nDA-002,2024,oda,202404,7\n").encode()

    result = project_import(kind=ProjectImportKind.DISBURSEMENT, content=content, filename="kbnn.csv")

    assert result.ok
    assert called == [True]
    assert (result.record.rows_total, result.record.rows_created) == (2, 2)
    assert len(stored()) == 2


def test_a_negative_amount_is_refused_by_both_paths(register: dict[str, Project]) -> None:
    content = HEADER + "DA-001,2024,central,202403,-5\n"

    assert issues_of(content) == python_path(content)[1]
    assert [column for _line, column, _message in issues_of(content)] == ["E (amount)"]


def direct_loads(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each import took the direct load (no staging table) of a first load."""
    taken: list[bool] = []
    original = bulk._load_direct

    def spy(*args: Any) -> Any:
        counts = original(*args)
        taken.append(counts is not None)
        return counts

    monkeypatch.setattr(bulk, "_load_direct", spy)
    monkeypatch.setattr(bulk, "BULK_LOAD_ABOVE", 2)
    return taken


def keys_and_indexes() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s::regclass"
            " UNION ALL SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass",
            [Disbursement._meta.db_table] * 2,
        )
        return sorted(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    "content",
    [
        HEADER + "DA-001,2024,central,202403,1250.5\nDA-001,2024,central,202501,10\nDA-002,2023,oda,202312,7.25\n",
        # Windows line ends, no line end at the end, an amount of three decimals after four digits.
        (HEADER + "DA-001,2024,central,202403,1250.500\nDA-002,2023,oda,202301,0.5").replace("\n", "\r\n"),
        # The semicolons of a Vietnamese spreadsheet.
        HEADER.replace(",", ";") + "DA-001;2024;land_use;202403;12\nDA-002;2023;lottery;202401;3\n",
    ],
)
def test_a_plain_first_load_goes_straight_into_the_table_and_stores_what_the_rules_store(
    register: dict[str, Project], monkeypatch: pytest.MonkeyPatch, content: str
) -> None:
    expected, problems = python_path(content)
    before = keys_and_indexes()
    taken = direct_loads(monkeypatch)

    counts = postgres(content)

    assert taken == [True]
    assert problems == []
    assert counts is not None
    assert counts.created == counts.total == len(expected)
    assert stored() == expected
    assert keys_and_indexes() == before


@pytest.mark.parametrize(
    "line",
    [
        "DA-404,2024,central,202403,1",  # an unknown project
        "DA-001,2024,budget,202403,1",  # an unknown source
        "DA-001,2024,central,2024-03,1",  # not a month (longer than the column)
        "DA-001,2024,central,202413,1",  # not a month
        "DA-001,2024,central,202502,1",  # after 31 January of the next year
        "DA-001,2024,central,202312,1",  # before the plan's year
        "DA-001,2024,central,,1",  # no month
        "DA-001,2024,,202403,1",  # no source
        "DA-001,2024,central,202405,2.500",  # reads two ways
        "DA-001,2024,central,202405,1.2345",  # four decimals
        "DA-001,2024,central,202405,1e16",  # too large
        "DA-001,2024,central,202405,NaN",  # no number
        "DA-001,2024,central,202405,-5",  # negative
        "DA-001,02024,central,202405,5",  # not a year of four digits
        "DA-001,2024,central,202403,5",  # the key of line 2 again
    ],
)
def test_a_first_load_breaking_a_rule_is_refused_whole_at_the_line_and_column_the_rules_say(
    register: dict[str, Project], monkeypatch: pytest.MonkeyPatch, line: str
) -> None:
    content = (
        HEADER + "DA-001,2024,central,202403,1\nDA-002,2024,oda,202404,3\n" + line + "\nDA-002,2024,oda,202405,4\n"
    )
    _nothing, expected = python_path(content)
    before = keys_and_indexes()
    taken = direct_loads(monkeypatch)

    found = issues_of(content)

    assert taken == [False]
    assert expected != []
    assert found == expected
    assert {line for line, _column, _message in found} == {4}
    assert stored() == []
    assert keys_and_indexes() == before


def test_a_first_load_the_client_cannot_take_as_it_stands_is_staged_and_stores_the_same_rows(
    register: dict[str, Project], monkeypatch: pytest.MonkeyPatch
) -> None:
    content = HEADER + (
        "DA-001,2024,central,202403,100\n"
        ' DA-002 , 2023 , oda , 202301 ,"1.234.567,5"\n'
        "DA-001,2024,Central budget,202411,1\n"
        "DA-001,2024,lottery,202411,1e3\n"
    )
    expected, problems = python_path(content)
    taken = direct_loads(monkeypatch)

    counts = postgres(content)

    assert taken == [False]
    assert problems == []
    assert counts is not None
    assert counts.created == 4
    assert stored() == expected


@pytest.mark.parametrize("first_load", [False, True], ids=["merged", "first load"])
def test_a_file_makes_the_years_it_writes_no_longer_current_for_disbursement_to_date(
    register: dict[str, Project], monkeypatch: pytest.MonkeyPatch, first_load: bool
) -> None:
    from dieuhanh.projects import todate

    if first_load:
        monkeypatch.setattr(bulk, "BULK_LOAD_ABOVE", 2)
    todate.refresh([2023, 2024])

    postgres(HEADER + "DA-001,2024,central,202403,1\nDA-001,2024,central,202404,2\nDA-002,2024,oda,202404,3\n")

    assert not todate.is_current(2024)
    assert todate.is_current(2023)
