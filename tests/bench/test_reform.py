"""The reform scenario of the benchmarks (issue 14): two maps linked by successions, shaped as the
issue asks, reproducible, loadable by the product, and a DuckDB reference that re-bases correctly."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from bench.datasets import SPECS, DataSet
from bench.reform import REFORM_SPECS, ReformData, generate_reform
from dieuhanh.indicators.metadata import metadata_load
from dieuhanh.orgunits.models import OrgUnit, Succession


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_tiny_reform_set_is_written_byte_for_byte_the_same_twice(tmp_path: Path) -> None:
    first = generate_reform(REFORM_SPECS["reform-tiny"], tmp_path / "a")
    second = generate_reform(REFORM_SPECS["reform-tiny"], tmp_path / "b")

    assert first == second
    for name in ("catalogue.json", "values.csv", "units.csv", "successions.csv", "targets.csv"):
        assert digest(tmp_path / "a" / name) == digest(tmp_path / "b" / name), name


def test_the_reform_maps_have_the_issues_shape_without_writing_their_figures() -> None:
    data = ReformData(REFORM_SPECS["reform"])
    national = DataSet(SPECS["national"])

    new_provinces, new_communes = data.of("new", "province"), data.of("new", "commune")
    assert [p.code for p in new_provinces] == [m.code for m in national.middles]
    sizes = Counter(c.province for c in new_communes)
    national_sizes = Counter(c.middle for c in national.communes)
    assert [sizes[p.id] for p in new_provinces] == [national_sizes[p.code] for p in new_provinces]
    assert len(new_communes) == 3321
    assert len(data.of("old", "province")) == 63
    assert 600 <= len(data.of("old", "district")) <= 800
    assert 9_500 <= len(data.of("old", "commune")) <= 10_500
    assert data.queries()["ranking"]["units"] == 3321


def test_every_old_unit_goes_on_whole_or_in_parts_that_add_up_to_one() -> None:
    data = ReformData(REFORM_SPECS["reform"])
    by_id = {u.id: u for u in data.units}

    shares: dict[int, Decimal] = defaultdict(Decimal)
    for s in data.successions:
        shares[s.predecessor] += s.share
        assert by_id[s.predecessor].era == "old"
        assert by_id[s.successor].era == "new"
        assert by_id[s.predecessor].kind == by_id[s.successor].kind
        assert (s.merge_type == "part") == (s.share != 1)
    old = [u for u in data.units if u.era == "old" and u.kind != "district"]
    assert {u.id for u in old} == set(shares)
    assert set(shares.values()) == {Decimal(1)}
    # Each new commune lies in the new province its old communes' provinces went to.
    province_of = {s.predecessor: s.successor for s in data.successions if by_id[s.predecessor].kind == "province"}
    for s in data.successions:
        if by_id[s.successor].kind == "commune":
            assert province_of[by_id[s.predecessor].province or 0] == by_id[s.successor].province
    types = Counter(s.merge_type for s in data.successions if by_id[s.successor].kind == "commune")
    assert set(types) == {"whole", "part", "unchanged", "renamed"}
    assert types["whole"] > 0.9 * sum(types.values())
    assert 2.8 < len(old) / len(data.of("new", "commune")) < 3.3


def test_a_code_is_reused_by_a_new_unit_but_never_twice_on_one_map() -> None:
    data = ReformData(REFORM_SPECS["reform"])

    for era in ("old", "new"):
        codes = Counter(u.code for u in data.units if u.era in (era, "top"))
        assert max(codes.values()) == 1, era
    old = {u.code for u in data.units if u.era == "old"}
    reused = [u for u in data.units if u.era == "new" and u.code in old]
    assert len([u for u in reused if u.kind == "province"]) == 34
    assert 1000 < len([u for u in reused if u.kind == "commune"]) < 3321


def test_figures_lie_within_the_validity_of_the_unit_their_code_names(tmp_path: Path) -> None:
    manifest = generate_reform(REFORM_SPECS["reform-tiny"], tmp_path)
    with (tmp_path / "units.csv").open(encoding="utf-8") as f:
        units = list(csv.DictReader(f))
    with (tmp_path / "indicators.csv").open(encoding="utf-8") as f:
        aggregation = {row["code"]: row["aggregation"] for row in csv.DictReader(f)}
    with (tmp_path / "values.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))

    assert len(rows) == manifest["values"]
    for row in rows:
        era = "old" if row["period"] <= "202506" else "new"
        [unit] = [u for u in units if u["code"] == row["org_unit"] and u["era"] == era]
        assert unit["kind"] == ("province" if aggregation[row["indicator"]] == "none" else "commune")
    periods = {r["period"] for r in rows}
    assert min(periods) == "202401"
    assert max(periods) == "202606"
    assert len(periods) == 30


@pytest.mark.django_db
def test_the_reform_catalogue_loads_into_the_product_with_its_successions(tmp_path: Path) -> None:
    generate_reform(REFORM_SPECS["reform-tiny"], tmp_path)
    document = json.loads((tmp_path / "catalogue.json").read_text(encoding="utf-8"))

    result = metadata_load(document=document)

    assert result.created["org_units"] == len(document["org_units"]) == 31
    assert Succession.objects.count() == len(document["successions"]) == 21
    part = Succession.objects.filter(share__lt=1).order_by("pk").first()
    assert part is not None
    assert part.predecessor.valid_to.isoformat() == "2025-06-30"
    # The merged province keeps the code of its first old province: two units, one on each map.
    reused = OrgUnit.objects.filter(code="02")
    assert sorted((u.kind, str(u.valid_to), str(u.valid_from)) for u in reused) == [
        ("province", "2025-06-30", "None"),
        ("province", "None", "2025-07-01"),
    ]


def _hand_ranking(directory: Path, manifest: dict[str, object]) -> dict[str, float | None]:
    """The ranking's change on last year per new commune, from the CSVs, in Python."""
    ranking = manifest["ranking"]
    assert isinstance(ranking, dict)
    with (directory / "units.csv").open(encoding="utf-8") as f:
        units = list(csv.DictReader(f))
    with (directory / "successions.csv").open(encoding="utf-8") as f:
        successions = list(csv.DictReader(f))
    with (directory / "values.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["indicator"] == ranking["indicator"]]
    key = {(u["code"], u["era"]): int(u["id"]) for u in units}
    figures: dict[tuple[int, str], Decimal] = {}
    for r in rows:
        era = "old" if r["period"] <= "202506" else "new"
        figures[(key[(r["org_unit"], era)], r["period"])] = Decimal(r["value"])
    out: dict[str, float | None] = {}
    for unit in units:
        if unit["era"] != "new" or unit["kind"] != "commune":
            continue
        own = [figures.get((int(unit["id"]), f"2026{m:02d}")) for m in range(1, 7)]
        value = sum((v for v in own if v is not None), Decimal(0)) if any(v is not None for v in own) else None
        previous = Decimal(0)
        seen = False
        for m in range(1, 7):
            parts = [
                Decimal(s["share"]) * figures[(int(s["predecessor"]), f"2025{m:02d}")]
                for s in successions
                if s["successor"] == unit["id"] and (int(s["predecessor"]), f"2025{m:02d}") in figures
            ]
            if parts:
                seen = True
                previous += sum(parts, Decimal(0))
        out[unit["code"]] = (
            float((value / previous - 1) * 100) if value is not None and seen and previous != 0 else None
        )
    return out


def test_the_references_ranking_is_the_change_on_last_year_rebased_by_the_shares(tmp_path: Path) -> None:
    # The reference engine is DuckDB, the `bench` extra: without it this test is skipped, not the module.
    pytest.importorskip("duckdb", reason="DuckDB (the bench extra) is not installed")
    from bench.reform_reference import run_reference

    manifest = generate_reform(REFORM_SPECS["reform-tiny"], tmp_path)
    reference = run_reference(tmp_path, tmp_path / "values.parquet", manifest, warmup=0, runs=1, seconds=0)

    assert reference["assumptions"] == []
    theirs = {r["org_unit"]: r["value"] for r in reference["ranking"]["rows"]}
    hand = _hand_ranking(tmp_path, manifest)
    assert set(theirs) == set(hand)
    assert all(v is not None for v in hand.values())
    for code, value in hand.items():
        assert theirs[code] == pytest.approx(value, rel=1e-12), code
    ranks = [r["rank"] for r in reference["ranking"]["rows"]]
    assert ranks == sorted(ranks) == list(range(1, len(ranks) + 1))


def test_the_references_province_overview_has_no_previous_index_and_a_rebased_previous_sum(tmp_path: Path) -> None:
    pytest.importorskip("duckdb", reason="DuckDB (the bench extra) is not installed")
    from bench.reform_reference import run_reference

    manifest = generate_reform(REFORM_SPECS["reform-tiny"], tmp_path)
    reference = run_reference(tmp_path, tmp_path / "values.parquet", manifest, warmup=0, runs=1, seconds=0)
    with (tmp_path / "indicators.csv").open(encoding="utf-8") as f:
        aggregation = {row["code"]: row["aggregation"] for row in csv.DictReader(f)}
    data = ReformData(REFORM_SPECS["reform-tiny"])
    province = data.province_asked()
    old = {s.predecessor for s in data.successions if s.successor == province.id}
    old_communes = {u.code for u in data.units if u.era == "old" and u.kind == "commune" and u.province in old}
    sums = [c for c in manifest["overview_province"]["indicators"] if aggregation[c] == "sum"]
    with (tmp_path / "values.csv").open(encoding="utf-8") as f:
        june = [r for r in csv.DictReader(f) if r["period"] == "202506" and r["indicator"] == sums[0]]

    rows = {r["indicator"]: r for r in reference["overview_province"]["rows"]}
    expected = sum(Decimal(r["value"]) for r in june if r["org_unit"] in old_communes)
    assert rows[sums[0]]["previous"] == pytest.approx(float(expected), rel=1e-12)
    for code, row in rows.items():
        if aggregation[code] == "none":
            assert row["previous"] is None
            assert row["value"] is not None


def test_the_report_judges_the_reform_runs_against_the_existing_goals() -> None:
    from bench.report import reform_section

    def stats(median: float, p95: float) -> dict[str, object]:
        return {"stats": {"n": 40, "median": median, "p95": p95}}

    result = {
        "set": "reform",
        "db": "postgres",
        "started": "2026-12-05T19:00:00+00:00",
        "finished": "2026-12-05T19:30:00+00:00",
        "product": {"commit": "0123456789abcdef", "src_modified": False},
        "machine": {"load_average": [4.5, 4.0, 3.0]},
        "dataset": {"overview_province": {"indicators": ["B01", "B02"]}},
        "steps": {
            "ranking": {**stats(0.2, 0.3), "check": {"agree": True, "compared": 6642}},
            "overview": {**stats(0.01, 0.02), "check": {"agree": True, "compared": 240}},
            "overview_province": {**stats(0.01, 0.02), "check": {"agree": False, "compared": 240}, "rebased_rows": 2},
        },
        "duckdb": {"ranking": stats(0.05, 0.06), "overview": stats(0.1, 0.2), "overview_province": stats(0.1, 0.2)},
    }

    text = "\n".join(reform_section({("reform", "postgres"): result}))

    assert "| ≤ 250 ms | reform · PostgreSQL | 300 ms (1.20× the goal) | **not met** |" in text
    assert "| ≤ 3 | reform · PostgreSQL | 4.00 × (1.33× the goal) | **not met** |" in text
    assert "| ≤ 100 ms | reform · PostgreSQL | 20.0 ms | met |" in text
    assert "**differ** (1 ways × 240 values)" in text
    assert "dieuhanh 0123456789" in text
    assert reform_section({}) == []
