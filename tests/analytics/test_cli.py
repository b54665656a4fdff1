"""The `dieuhanh` command as an operator runs it: init, load-metadata, import, analytics."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from tests.conftest import Tree
from tests.factories import IndicatorFactory, TargetFactory, put

pytestmark = pytest.mark.django_db


def test_analytics_prints_one_json_object_per_combination(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    revenue = IndicatorFactory(code="REV")
    put(revenue, tree.district_a, "202301", "10.5")
    put(revenue, tree.district_b, "202301", 4)
    put(revenue, tree.province, "202201", 10)
    TargetFactory(indicator=revenue, org_unit=tree.province, year_from=2023, value=200)

    call_command("analytics", indicator="REV", org_unit="74,718", period="202301", format="json")

    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        {
            "indicator": "REV",
            "org_unit": "74",
            "period": "202301",
            "value": 14.5,
            "previous": 10,
            "yoy_pct": 45,
            "yoy_pp": None,
            "ytd": 14.5,
            "plan": 200,
            "plan_completion_pct": 7.25,
            "plan_gap_pp": None,
            "projection": 174,
            "status": "off_track",
            "reported": 2,
            "expected": 2,
            "ytd_reported": 2,
            "ytd_expected": 2,
            "rebased": False,
            "composition": [],
            "missing_reason": None,
            "missing_units": [],
            "basis": "approved",
            "unapproved": False,
            "previous_unapproved": False,
            "ytd_unapproved": False,
        },
        {
            "indicator": "REV",
            "org_unit": "718",
            "period": "202301",
            "value": 10.5,
            "previous": None,
            "yoy_pct": None,
            "yoy_pp": None,
            "ytd": 10.5,
            "plan": None,
            "plan_completion_pct": None,
            "plan_gap_pp": None,
            "projection": 126,
            "status": "no_target",
            # 718 reported its own total: its two communes' figure is whole.
            "reported": 2,
            "expected": 2,
            "ytd_reported": 2,
            "ytd_expected": 2,
            "rebased": False,
            "composition": [],
            "missing_reason": None,
            "missing_units": [],
            "basis": "approved",
            "unapproved": False,
            "previous_unapproved": False,
            "ytd_unapproved": False,
        },
    ]


def test_analytics_names_every_unknown_code_and_exits_non_zero(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    IndicatorFactory(code="REV")

    with pytest.raises(SystemExit) as exited:
        call_command("analytics", indicator="REV,NOPE", org_unit="74,999", period="2023M13")

    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "NOPE" in err
    assert "999" in err
    assert "2023M13" in err


def test_analytics_ranks_the_children(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    revenue = IndicatorFactory(code="REV")
    put(revenue, tree.district_a, "202301", 3)
    put(revenue, tree.district_b, "202301", 5)

    call_command("analytics", indicator="REV", org_unit="74", period="202301", ranking=True)

    rows = json.loads(capsys.readouterr().out)
    assert [(r["rank"], r["org_unit"], r["value"]) for r in rows] == [(1, "719", 5), (2, "718", 3)]


def test_import_exits_non_zero_and_lists_every_bad_row(
    tree: Tree, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    IndicatorFactory(code="REV", min_value=0)
    source = tmp_path / "bad.csv"
    source.write_text("indicator,org_unit,period,value\nREV,718,202301,1\nREV,718,2023,2\nNOPE,718,202301,3\n")
    report = tmp_path / "errors.csv"

    with pytest.raises(SystemExit) as exited:
        call_command("import", str(source), error_report=str(report))

    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n  ") == 2
    assert "period" in err
    assert "NOPE" in err
    assert len(report.read_text(encoding="utf-8-sig").splitlines()) == 3


def run(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script with fixed arguments
        [sys.executable, "-m", "dieuhanh", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.own_sqlite
def test_the_console_command_works_end_to_end_on_a_fresh_database(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}", "DIEUHANH_HOME": str(tmp_path)}
    (tmp_path / "catalogue.yaml").write_text(
        yaml.safe_dump(
            {
                "org_units": [
                    {"code": "74", "name": "Tỉnh Bình Dương", "kind": "province"},
                    {"code": "718", "name": "Thành phố Thủ Dầu Một", "kind": "district", "parent": "74"},
                ],
                "indicators": [
                    {
                        "code": "REV",
                        "name": "Thu ngân sách",
                        "period_type": "monthly",
                        "aggregation": "sum",
                        "direction": "up",
                    }
                ],
                "targets": [{"indicator": "REV", "org_unit": "74", "year": 2023, "value": 120}],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    (tmp_path / "values.csv").write_text("indicator,org_unit,period,value\nREV,718,202301,10\nREV,718,202302,20\n")

    steps = [
        run("init", env=env, cwd=tmp_path),
        run("load-metadata", "catalogue.yaml", env=env, cwd=tmp_path),
        run("import", "values.csv", "--status", "approved", env=env, cwd=tmp_path),
        run(
            "analytics",
            "--indicator",
            "REV",
            "--org-unit",
            "74",
            "--period",
            "2023Q1",
            "--format",
            "json",
            env=env,
            cwd=tmp_path,
        ),
    ]

    assert [s.returncode for s in steps] == [0, 0, 0, 0], [s.stderr for s in steps]
    (row,) = json.loads(steps[-1].stdout)
    assert (row["value"], row["ytd"], row["plan"], row["plan_completion_pct"]) == (30, 30, 120, 25)
