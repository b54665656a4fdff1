"""The benchmark's data sets: shaped as the issue asks, reproducible from their seed, loadable by the product."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bench.datasets import SPECS, DataSet, Files, generate
from bench.measure import median, percentile
from dieuhanh.indicators.metadata import metadata_load
from dieuhanh.orgunits.models import OrgUnit


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_tiny_set_is_written_byte_for_byte_the_same_twice(tmp_path: Path) -> None:
    first = generate(SPECS["tiny"], tmp_path / "a")
    second = generate(SPECS["tiny"], tmp_path / "b")

    assert first == second
    for name in ("catalogue.json", "values.csv", "units.csv", "targets.csv", "month-202501.csv"):
        assert digest(tmp_path / "a" / name) == digest(tmp_path / "b" / name), name


def test_a_different_seed_gives_different_figures(tmp_path: Path) -> None:
    generate(SPECS["tiny"], tmp_path / "a")
    other = dataclasses.replace(SPECS["tiny"], seed=8)
    generate(other, tmp_path / "b")

    assert digest(tmp_path / "a" / "values.csv") != digest(tmp_path / "b" / "values.csv")


def test_the_national_tree_has_the_issues_shape_without_writing_its_figures() -> None:
    data = DataSet(SPECS["national"])

    assert len(data.middles) == 34
    assert len(data.communes) == 3321
    assert all(c.parent in {m.code for m in data.middles} for c in data.communes)
    assert len(data.indicators) == 200
    kinds = Counter(i.aggregation for i in data.indicators)
    assert set(kinds) == {"sum", "average", "last", "none", "ratio"}
    assert kinds["sum"] > len(data.indicators) * 0.8
    assert data.queries()["ranking"]["units"] == 3321


def test_the_province_set_has_nine_districts_and_ninety_one_communes() -> None:
    data = DataSet(SPECS["province"])

    assert [len(data.middles), len(data.communes), len(data.indicators)] == [9, 91, 300]
    assert len(data.queries()["overview"]["indicators"]) == 30
    assert len(data.queries()["trend"]["periods"]) == 72


def test_figures_sit_where_the_reference_expects_them(tmp_path: Path) -> None:
    manifest = generate(SPECS["tiny"], tmp_path)
    data = DataSet(SPECS["tiny"])
    depth = {u.code: u.depth for u in data.units}
    kind = {u.code: u.kind for u in data.units}
    aggregation = {i.code: i.aggregation for i in data.indicators}

    with (tmp_path / "values.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))

    assert len(rows) == manifest["values"]
    assert {r["period"] for r in rows} == {f"{y}{m:02d}" for y in range(2019, 2025) for m in range(1, 13)}
    assert all(aggregation[r["indicator"]] != "ratio" for r in rows)
    assert all(kind[r["org_unit"]] == "province" for r in rows if aggregation[r["indicator"]] == "none")
    assert all(depth[r["org_unit"]] == 2 for r in rows if aggregation[r["indicator"]] != "none")
    assert len({(r["indicator"], r["org_unit"], r["period"]) for r in rows}) == len(rows)


def test_the_new_month_file_holds_one_month_of_one_province(tmp_path: Path) -> None:
    manifest = generate(SPECS["tiny"], tmp_path)
    month = manifest["refresh"]["months"][1]

    with (tmp_path / month["file"]).open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))

    assert {r["period"] for r in rows} == {month["period"]}
    assert len(rows) == month["values"] > 0


@pytest.mark.django_db
def test_the_catalogue_loads_into_the_product(tmp_path: Path) -> None:
    generate(SPECS["tiny"], tmp_path)
    document = json.loads(Files(tmp_path).catalogue.read_text(encoding="utf-8"))

    result = metadata_load(document=document)

    assert result.created["org_units"] == len(document["org_units"])
    assert result.created["indicators"] == 12
    assert OrgUnit.objects.get(code="90001").depth == 2


def test_the_comparison_with_the_reference_catches_a_wrong_figure() -> None:
    # The reference engine is DuckDB, the `bench` extra: without it this test is skipped, not the module.
    pytest.importorskip("duckdb", reason="DuckDB (the bench extra) is not installed")
    from bench.reference import compare

    ours: list[dict[str, Any]] = [
        {"indicator": "A", "value": 10.5, "status": "on_track"},
        {"indicator": "B", "value": None, "status": None},
    ]
    same: list[dict[str, Any]] = [
        {"indicator": "A", "value": 10.5000000001, "status": "on_track"},
        {"indicator": "B", "value": None, "status": None},
    ]
    wrong: list[dict[str, Any]] = [
        {"indicator": "A", "value": 10.51, "status": "on_track"},
        {"indicator": "B", "value": 0.0, "status": None},
    ]

    assert compare("overview", ours, same)["agree"]
    assert len(compare("overview", ours, wrong)["mismatches"]) == 2


def test_percentiles_take_the_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 21)]

    assert median(samples) == 10.5
    assert percentile(samples, 0.95) == 19.0
    assert percentile([3.0], 0.95) == 3.0


def test_our_exact_answers_written_by_a_worker_still_agree_with_the_reference() -> None:
    # The API's measures are decimals with every digit; a worker wrote them as text ("1.862056"),
    # which the comparison took for a word and never matched DuckDB's double.
    pytest.importorskip("duckdb", reason="DuckDB (the bench extra) is not installed")
    from decimal import Decimal

    from bench.reference import compare
    from bench.worker import _json_default

    written = json.loads(json.dumps([{"indicator": "A", "yoy_pct": Decimal("1.862056")}], default=_json_default))

    assert compare("overview", written, [{"indicator": "A", "yoy_pct": 1.8620558616758487}])["agree"]
