"""The map of a date: the tree a page shows and uses is the one in force for the period asked
(docs/dashboards.md, "The map of a date").

Two small reforms on 1 July 2025, as the country had them:

    74 Bình Dương (a province that goes on)      → before: 718 (25741, 25747 Phú Cường), 719 (25816)
                                                  → after:  25747 Thủ Dầu Một (code reused), 25813
    79 and 77 (two provinces, until 30/6/2025)   → 79 Thành phố Hồ Chí Minh (from 1/7/2025, code reused):
       79: 760 (26734 Bến Nghé); 77: 747 (26500)      26734 Sài Gòn (code reused), 26506 Vũng Tàu

Every commune reports revenue each month: 10 at an old commune (January 2024 – June 2025), 20 at a
new one (July 2025 – June 2026). 2024 is on the old tree, 2026 on the new, and 2025, which straddles
the change, on the new tree with its months before July re-based from the predecessors.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from dieuhanh.dashboard import boundaries
from dieuhanh.indicators.models import Indicator
from dieuhanh.orgunits.models import OrgUnit, Succession
from tests.dashboard.conftest import get, months
from tests.dashboard.pages import rows_in, section
from tests.factories import IndicatorFactory, OrgUnitFactory, TargetFactory, put

pytestmark = pytest.mark.django_db

OLD_END = dt.date(2025, 6, 30)
NEW_START = dt.date(2025, 7, 1)
OLD_MONTHS = months("202401", "202506")
NEW_MONTHS = months("202507", "202606")


def unit(code: str, name: str, kind: str, parent: OrgUnit | None, *, old: bool | None, n: int = 0) -> OrgUnit:
    """A unit valid until 30/6/2025 (old), from 1/7/2025 (not old) or always (None)."""
    return OrgUnitFactory(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        valid_from=NEW_START if old is False else None,
        valid_to=OLD_END if old else None,
        latitude=11.0 + n / 100 if kind == "commune" else None,
        longitude=106.6 + n / 100 if kind == "commune" else None,
    )


def succeed(old: OrgUnit, new: OrgUnit) -> None:
    Succession.objects.create(predecessor=old, successor=new, effective_date=NEW_START)


@pytest.fixture
def rev() -> Indicator:
    return IndicatorFactory(code="REV", name="Thu ngân sách", decimals=0)


def report(rev: Indicator, units: list[OrgUnit]) -> None:
    for commune in units:
        old = commune.valid_to is not None
        for month in OLD_MONTHS if old else NEW_MONTHS:
            put(rev, commune, month, 10 if old else 20)


@pytest.fixture
def binh_duong(rev: Indicator) -> dict[str, OrgUnit]:
    """A province that goes on through the reform: its districts end, its new communes hang below it."""
    province = unit("74", "Tỉnh Bình Dương", "province", None, old=None)
    d718 = unit("718", "Thành phố Thủ Dầu Một", "district", province, old=True)
    d719 = unit("719", "Huyện Bàu Bàng", "district", province, old=True)
    u = {
        "74": province,
        "718": d718,
        "719": d719,
        "25741": unit("25741", "Phường Hiệp Thành", "commune", d718, old=True, n=1),
        "25747 old": unit("25747", "Phường Phú Cường", "commune", d718, old=True, n=2),
        "25816": unit("25816", "Xã Trừ Văn Thố", "commune", d719, old=True, n=3),
        "25747": unit("25747", "Phường Thủ Dầu Một", "commune", province, old=False, n=4),
        "25813": unit("25813", "Xã Bàu Bàng", "commune", province, old=False, n=5),
    }
    succeed(u["25741"], u["25747"])
    succeed(u["25747 old"], u["25747"])
    succeed(u["25816"], u["25813"])
    report(rev, [u["25741"], u["25747 old"], u["25816"], u["25747"], u["25813"]])
    # Plans far out of reach, so each is off track: the old district's for 2024 and for 2025 (a year
    # it did not live to the end of), the new ward's for 2025 and 2026.
    for where, year in (("718", 2024), ("718", 2025), ("25747", 2025), ("25747", 2026)):
        TargetFactory(indicator=rev, org_unit=u[where], year_from=year, year_to=year, value=100_000)
    return u


@pytest.fixture
def merged(rev: Indicator) -> dict[str, OrgUnit]:
    """Two provinces that ended on 30/6/2025, merged into a new one that carries one's code."""
    old79 = unit("79", "Thành phố Hồ Chí Minh (cũ)", "province", None, old=True)
    old77 = unit("77", "Tỉnh Bà Rịa - Vũng Tàu", "province", None, old=True)
    new79 = unit("79", "Thành phố Hồ Chí Minh", "province", None, old=False)
    d760 = unit("760", "Quận 1", "district", old79, old=True)
    d747 = unit("747", "Thành phố Vũng Tàu", "district", old77, old=True)
    u = {
        "old 79": old79,
        "77": old77,
        "79": new79,
        "760": d760,
        "747": d747,
        "26734 old": unit("26734", "Phường Bến Nghé", "commune", d760, old=True, n=6),
        "26500": unit("26500", "Phường 1", "commune", d747, old=True, n=7),
        "26734": unit("26734", "Phường Sài Gòn", "commune", new79, old=False, n=8),
        "26506": unit("26506", "Phường Vũng Tàu", "commune", new79, old=False, n=9),
    }
    succeed(old79, new79)
    succeed(old77, new79)
    succeed(u["26734 old"], u["26734"])
    succeed(u["26500"], u["26506"])
    report(rev, [u["26734 old"], u["26500"], u["26734"], u["26506"]])
    TargetFactory(indicator=rev, org_unit=new79, year_from=2026, year_to=2026, value=100_000)
    return u


# --- reading a page ---------------------------------------------------------------------------


def picker_options(html: str) -> list[tuple[str, str]]:
    """The unit picker's options: (value, name without the indent)."""
    select = section(html, '<select id="id_org_unit"', "</select>")
    return [
        (value, name.replace("\u00a0", " ").strip(" —·"))
        for value, name in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    ]


def picker_codes(html: str) -> list[str]:
    return [value for value, _name in picker_options(html)]


def selected_option(html: str) -> str:
    select = section(html, '<select id="id_org_unit"', "</select>")
    return re.findall(r'<option value="([^"]*)" selected', select)[0]


def breadcrumb(html: str) -> tuple[list[tuple[str, str]], str]:
    """The ancestors (their link's query, their name) and the unit shown."""
    nav = section(html, '<nav class="breadcrumb"', "</nav>")
    links = [
        (href.split("?", 1)[-1].replace("&amp;", "&"), name)
        for href, name in re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', nav)
    ]
    current = re.findall(r'aria-current="location">([^<]*)<', nav)[0]
    return links, current


def drill_codes(html: str) -> list[str]:
    """The codes of the units below, as the drill-down chips link to them."""
    if '<details class="drill"' not in html:
        return []
    chips = section(html, '<details class="drill"', "</details>")
    return re.findall(r'<a href="[^"]*org_unit=(\w+)', chips)


def unit_rows(html: str) -> list[str]:
    """The indicator page's table of units: its own row, then the units below in ranking order."""
    return [row["unit"] for row in rows_in(html, key="unit")]


def offtrack_rows(html: str) -> list[tuple[str, str, str]]:
    return [(r["indicator"], r["unit"], r["period"]) for r in rows_in(section(html, "<tbody>", "</tbody>"))]


def chart(html: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(section(html, f'id="chart-{name}" type="application/json">', "</script>"))
    return data


# --- the province that goes on ------------------------------------------------------------------


def test_the_picker_lists_the_tree_in_force_for_the_period_asked(
    binh_duong: dict[str, OrgUnit], client: Client
) -> None:
    _status, html = get(client, "/?org_unit=74&period=2024")
    assert picker_options(html) == [
        ("74", "Tỉnh Bình Dương"),
        ("718", "Thành phố Thủ Dầu Một"),
        ("25741", "Phường Hiệp Thành"),
        ("25747", "Phường Phú Cường"),
        ("719", "Huyện Bàu Bàng"),
        ("25816", "Xã Trừ Văn Thố"),
    ]
    _status, html = get(client, "/?org_unit=74&period=2026")
    assert picker_options(html) == [
        ("74", "Tỉnh Bình Dương"),
        ("25747", "Phường Thủ Dầu Một"),
        ("25813", "Xã Bàu Bàng"),
    ]
    # A period across the change is answered on the map of its last day: the new one.
    for period in ("2025", "202509YTD", "202512"):
        _status, html = get(client, f"/?org_unit=74&period={period}")
        assert picker_codes(html) == ["74", "25747", "25813"], period


def test_a_result_fetched_by_htmx_brings_the_picker_of_its_period_s_map(
    binh_duong: dict[str, OrgUnit], client: Client
) -> None:
    # Stepping from 2026 to 2024 replaces only the result: the unit picker comes with it, out of band.
    response = client.get("/?org_unit=74&period=2024", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert '<select id="id_org_unit" name="org_unit" hx-swap-oob="true">' in html
    assert picker_codes(html) == ["74", "718", "25741", "25747", "719", "25816"]
    assert selected_option(html) == "74"
    # A full page has it once, in the form.
    _status, page = get(client, "/?org_unit=74&period=2024")
    assert page.count('id="id_org_unit"') == 1


def test_the_units_below_and_the_breadcrumb_follow_the_period(binh_duong: dict[str, OrgUnit], client: Client) -> None:
    _status, html = get(client, "/?org_unit=74&period=2024")
    assert drill_codes(html) == ["718", "719"]
    _status, html = get(client, "/?org_unit=74&period=2025")
    assert drill_codes(html) == ["25747", "25813"]
    _status, html = get(client, "/?org_unit=74&period=2026")
    assert drill_codes(html) == ["25747", "25813"]

    # The reused code names the old ward, in its district, in 2024; the new ward, right below the
    # province, in 2025 and 2026.
    _status, html = get(client, "/?org_unit=25747&period=2024")
    assert breadcrumb(html) == (
        [("org_unit=74&period=2024", "Tỉnh Bình Dương"), ("org_unit=718&period=2024", "Thành phố Thủ Dầu Một")],
        "Phường Phú Cường",
    )
    _status, html = get(client, "/?org_unit=25747&period=2025")
    assert breadcrumb(html) == ([("org_unit=74&period=2025", "Tỉnh Bình Dương")], "Phường Thủ Dầu Một")


def test_an_old_unit_asked_within_a_period_across_the_change_shows_its_own_units_below(
    binh_duong: dict[str, OrgUnit], client: Client
) -> None:
    # 718 lived through June 2025: asked for 2025 by its code, it is shown, with its wards of then.
    _status, html = get(client, "/?org_unit=718&period=2025")
    assert drill_codes(html) == ["25741", "25747"]
    assert breadcrumb(html)[1] == "Thành phố Thủ Dầu Một"


def test_the_indicator_page_ranks_the_units_below_of_the_period_and_re_bases_2025(
    binh_duong: dict[str, OrgUnit], client: Client
) -> None:
    _status, html = get(client, "/indicators/REV/?org_unit=74&period=2024")
    rows = rows_in(html, key="unit")
    assert [r["unit"] for r in rows] == ["74", "718", "719"]
    assert [r["value"] for r in rows] == ["360", "240", "120"]

    _status, html = get(client, "/indicators/REV/?org_unit=74&period=2025")
    rows = rows_in(html, key="unit")
    assert [r["unit"] for r in rows] == ["74", "25747", "25813"]
    # The province: 6 × 30 at the old communes, then 6 × 40 at the new. Thủ Dầu Một: January–June
    # re-based from Hiệp Thành and Phú Cường, 6 × (10 + 10), then 6 × 20; Bàu Bàng 6 × 10 + 6 × 20.
    # The two new communes' figures draw on re-based months, and say so; the province's do not.
    assert [r["value"] for r in rows] == ["420", "240quy đổi", "180quy đổi"]
    assert [r["rank"] for r in rows[1:]] == ["1", "2"]

    _status, html = get(client, "/indicators/REV/?org_unit=74&period=2026S1")
    assert unit_rows(html) == ["74", "25747", "25813"]


def test_the_ranking_api_lists_the_units_valid_on_the_period_s_last_day(
    binh_duong: dict[str, OrgUnit], api: APIClient
) -> None:
    def ranked(period: str) -> list[str]:
        response = api.get("/api/v1/analytics/ranking", {"indicator": "REV", "org_unit": "74", "period": period})
        assert response.status_code == 200, response.json()
        return [row["org_unit"] for row in response.json()]

    assert ranked("2024") == ["718", "719"]
    assert ranked("2025") == ["25747", "25813"]
    assert ranked("202606") == ["25747", "25813"]


def test_the_off_track_list_holds_only_units_of_the_period_s_map(
    binh_duong: dict[str, OrgUnit], client: Client
) -> None:
    _status, html = get(client, "/off-track/?org_unit=74&period=2024")
    assert offtrack_rows(html) == [("REV", "718", "2024")]
    # 718's plan for 2025 is not listed: on the map of 2025 there is no 718.
    _status, html = get(client, "/off-track/?org_unit=74&period=2025")
    assert offtrack_rows(html) == [("REV", "25747", "2025")]
    _status, html = get(client, "/off-track/?org_unit=74&period=2026S1")
    assert offtrack_rows(html) == [("REV", "25747", "2026S1")]


def test_the_map_of_the_indicator_page_is_asked_for_the_date_of_the_period(
    binh_duong: dict[str, OrgUnit], client: Client
) -> None:
    _status, html = get(client, "/indicators/REV/?org_unit=74&period=2024")
    old = chart(html, "map")
    assert old["geojson"] == "/maps/74.geojson?on=2024-12-31"
    # The shipped polygons of Bình Dương's districts are those of before 1/7/2025.
    assert (old["mode"], [i["code"] for i in old["items"]]) == ("choropleth", ["718", "719"])

    _status, html = get(client, "/indicators/REV/?org_unit=74&period=2025")
    new = chart(html, "map")
    assert new["geojson"] == "/maps/74.geojson?on=2025-12-31"
    assert (new["mode"], [i["code"] for i in new["items"]]) == ("points", ["25747", "25813"])


def test_the_wall_follows_the_period(binh_duong: dict[str, OrgUnit], client: Client) -> None:
    def behind(html: str) -> list[tuple[str, str]]:
        return [(r["indicator"], r["unit"]) for r in rows_in(section(html, 'data-panel="offtrack"', "</table>"))]

    def mapped(html: str) -> list[str]:
        return re.findall(r'<li data-unit="(\w+)"', section(html, 'data-panel="map-REV"', "</section>"))

    # A plan at the province, within reach, makes the revenue a plan indicator there: the wall maps it.
    for year in (2024, 2025):
        TargetFactory(indicator=Indicator.objects.get(code="REV"), org_unit=binh_duong["74"], year_from=year,
                      year_to=year, value=1)  # fmt: skip
    _status, html = get(client, "/wall/?org_unit=74&period=2025")
    assert sorted(mapped(html)) == ["25747", "25813"]
    assert behind(html) == [("REV", "25747")]
    _status, html = get(client, "/wall/?org_unit=74&period=2024")
    assert sorted(mapped(html)) == ["718", "719"]
    assert behind(html) == [("REV", "718")]


def test_a_code_asked_for_a_period_when_no_unit_carries_it_is_answered_with_its_history(
    binh_duong: dict[str, OrgUnit], client: Client
) -> None:
    status, html = get(client, "/?org_unit=25813&period=2024")
    assert status == 200
    assert "hiệu lực từ 1/7/2025" in html
    # The picker offers the units of 2024 to choose from instead.
    assert picker_codes(html) == ["74", "718", "25741", "25747", "719", "25816"]
    status, _html = get(client, "/indicators/REV/?org_unit=25813&period=2024")
    assert status == 200


# --- provinces merged into a new one ----------------------------------------------------------------


def test_a_period_before_the_home_province_began_shows_it_re_based_over_the_former_provinces(
    merged: dict[str, OrgUnit], client: Client
) -> None:
    response = client.get("/?period=2024", headers={"HX-Request": "true"})
    # Its address names no unit: the home province of a period before it began is the default one.
    assert response["HX-Push-Url"] == "/?period=2024"

    _status, html = get(client, "/?period=2024")
    assert breadcrumb(html) == ([], "Thành phố Hồ Chí Minh")
    assert drill_codes(html) == ["77", "79"]
    assert picker_options(html) == [
        ("", "Thành phố Hồ Chí Minh"),
        ("77", "Tỉnh Bà Rịa - Vũng Tàu"),
        ("747", "Thành phố Vũng Tàu"),
        ("26500", "Phường 1"),
        ("79", "Thành phố Hồ Chí Minh (cũ)"),
        ("760", "Quận 1"),
        ("26734", "Phường Bến Nghé"),
    ]
    assert selected_option(html) == ""

    # A former province is reached by its code, and leads back to the province of today.
    _status, html = get(client, "/?org_unit=77&period=2024")
    assert breadcrumb(html) == ([("period=2024", "Thành phố Hồ Chí Minh")], "Tỉnh Bà Rịa - Vũng Tàu")
    assert drill_codes(html) == ["747"]
    # The reused code asked for 2024 names the former city.
    _status, html = get(client, "/?org_unit=79&period=2024")
    assert breadcrumb(html)[1] == "Thành phố Hồ Chí Minh (cũ)"
    assert drill_codes(html) == ["760"]


def test_the_home_province_re_based_ranks_the_former_provinces(merged: dict[str, OrgUnit], client: Client) -> None:
    _status, html = get(client, "/indicators/REV/?period=2024")
    rows = rows_in(html, key="unit")
    # The home province's 2024 is re-based (and says so); the former provinces' are their own.
    assert [(r["unit"], r["value"]) for r in rows] == [("79", "240quy đổi"), ("77", "120"), ("79", "120")]
    assert [r["rank"] for r in rows[1:]] == ["1", "1"]
    assert chart(html, "map")["geojson"] == "/maps/79.geojson?on=2025-07-01&at=2024-12-31"


def test_after_the_change_the_default_is_the_new_province_with_its_communes(
    merged: dict[str, OrgUnit], client: Client
) -> None:
    for period in ("2025", "2026S1"):
        _status, html = get(client, f"/?period={period}")
        assert breadcrumb(html) == ([], "Thành phố Hồ Chí Minh")
        assert drill_codes(html) == ["26506", "26734"]
        assert picker_codes(html) == ["79", "26506", "26734"]


def test_the_off_track_list_of_the_home_province_re_based_covers_the_former_provinces(
    merged: dict[str, OrgUnit], rev: Indicator, client: Client
) -> None:
    TargetFactory(indicator=rev, org_unit=merged["760"], year_from=2024, year_to=2024, value=100_000)
    _status, html = get(client, "/off-track/?period=2024")
    assert offtrack_rows(html) == [("REV", "760", "2024")]


def test_a_home_province_made_of_one_province_shows_that_one_as_it_was(rev: Indicator, client: Client) -> None:
    # A province that only changed its name on 1/7/2025 (same code, same territory).
    old = unit("31", "Tỉnh Cũ", "province", None, old=True)
    new = unit("31", "Tỉnh Mới", "province", None, old=False)
    district = unit("310", "Huyện Một", "district", old, old=True)
    succeed(old, new)
    _status, html = get(client, "/?period=2024")
    assert breadcrumb(html) == ([], "Tỉnh Cũ")
    assert drill_codes(html) == [district.code]
    assert selected_option(html) == "31"
    _status, html = get(client, "/?period=2026")
    assert breadcrumb(html) == ([], "Tỉnh Mới")


def test_without_a_succession_recorded_the_default_before_the_home_province_is_the_province_of_then(
    client: Client,
) -> None:
    unit("31", "Tỉnh Cũ", "province", None, old=True)
    unit("32", "Tỉnh Mới", "province", None, old=False)
    _status, html = get(client, "/?period=2024")
    assert breadcrumb(html) == ([], "Tỉnh Cũ")
    _status, html = get(client, "/?period=2026")
    assert breadcrumb(html) == ([], "Tỉnh Mới")


# --- boundaries with a validity ------------------------------------------------------------------


def square(x: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]]}


def feature(code: str, x: float) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"ward_code": code}, "geometry": square(x)}


@pytest.fixture
def two_maps(tmp_path: Path) -> Any:
    """Ward polygons of before and after 1/7/2025, the code 25747 in both, and a manifest dating them."""
    folder = tmp_path / "vn"
    folder.mkdir()
    old = {"type": "FeatureCollection", "features": [feature("25741", 0), feature("25747", 1)]}
    new = {"type": "FeatureCollection", "features": [feature("25747", 10), feature("25813", 11)]}
    (folder / "old_wards.geojson").write_text(json.dumps(old), encoding="utf-8")
    (folder / "new_wards.geojson").write_text(json.dumps(new), encoding="utf-8")
    manifest = {
        "old_wards.geojson": {"valid_to": "2025-06-30"},
        "new_wards.geojson": {"valid_from": "2025-07-01"},
    }
    (folder / "boundaries.json").write_text(json.dumps(manifest), encoding="utf-8")
    with override_settings(DIEUHANH_DATA_DIR=str(tmp_path)):
        yield
    boundaries.boundary_index.cache_clear()


def test_a_reused_code_gets_the_polygon_of_the_date_asked(
    binh_duong: dict[str, OrgUnit], two_maps: None, client: Client
) -> None:
    before = client.get("/maps/718.geojson?on=2024-12-31").json()["features"]
    assert [(f["properties"]["name"], f["properties"]["label"]) for f in before] == [
        ("25741", "Phường Hiệp Thành"),
        ("25747", "Phường Phú Cường"),
    ]
    assert before[1]["geometry"] == square(1)

    after = client.get("/maps/74.geojson?on=2026-06-30").json()["features"]
    assert [(f["properties"]["name"], f["properties"]["label"]) for f in after] == [
        ("25747", "Phường Thủ Dầu Một"),
        ("25813", "Xã Bàu Bàng"),
    ]
    assert after[0]["geometry"] == square(10)
    # On the day before, the province's units below are its districts, which have no polygon here.
    assert client.get("/maps/74.geojson?on=2025-06-30").json()["features"] == []

    _status, html = get(client, "/indicators/REV/?org_unit=74&period=2026")
    assert chart(html, "map")["mode"] == "choropleth"
    _status, html = get(client, "/indicators/REV/?org_unit=718&period=2024")
    assert chart(html, "map")["mode"] == "choropleth"


def test_the_boundaries_of_the_home_province_before_it_began_are_the_former_provinces(
    merged: dict[str, OrgUnit], client: Client
) -> None:
    # The code is resolved on a day the new city exists; the map is drawn at the date of the view.
    response = client.get("/maps/79.geojson?on=2025-07-01&at=2024-12-31")
    assert response.status_code == 200
    features = response.json()["features"]
    # The shipped polygons of the former city and Bà Rịa – Vũng Tàu (data/vn/hcmc_pre2025_districts.geojson).
    assert sorted(f["properties"]["name"] for f in features) == ["77", "79"]
    assert client.get("/maps/79.geojson?on=2024-12-31").json()["features"][0]["properties"]["name"] == "760"


# --- what it costs -----------------------------------------------------------------------------


def test_the_pages_of_a_period_across_the_change_cost_the_same_queries_however_many_units(
    binh_duong: dict[str, OrgUnit], rev: Indicator, client: Client, django_assert_num_queries: Any
) -> None:
    # The indicator page's 14 (test_indicator.py: with the chart's break dates) and the engine's
    # re-basing: the successions and the units they reach, once for the page and once for the
    # ranking; the names of the units a re-based figure comes from. The off-track list's 10 and the same
    # two (re-basing, names).
    with django_assert_num_queries(18):
        assert client.get("/indicators/REV/?org_unit=74&period=2025").status_code == 200
    with django_assert_num_queries(12):
        assert client.get("/off-track/?org_unit=74&period=2025").status_code == 200

    for n in range(10):
        old = unit(f"2590{n}", f"Xã cũ {n}", "commune", binh_duong["719"], old=True)
        new = unit(f"2600{n}", f"Xã mới {n}", "commune", binh_duong["74"], old=False)
        succeed(old, new)
        report(rev, [old, new])
        TargetFactory(indicator=rev, org_unit=new, year_from=2025, year_to=2025, value=100_000)

    with django_assert_num_queries(18):
        response = client.get("/indicators/REV/?org_unit=74&period=2025")
    assert len(unit_rows(response.content.decode())) == 13
    with django_assert_num_queries(12):
        response = client.get("/off-track/?org_unit=74&period=2025")
    assert len(offtrack_rows(response.content.decode())) == 11


def test_the_home_province_re_based_costs_a_few_queries_more_whatever_the_units(
    merged: dict[str, OrgUnit], client: Client, django_assert_num_queries: Any
) -> None:
    # The overview's 10, the units the home province was made of (for the default unit and for the map),
    # the engine's re-basing, and the names of the units its re-based figures come from.
    with django_assert_num_queries(15):
        assert client.get("/?period=2024").status_code == 200
    for n in range(5):
        province = unit(f"9{n}", f"Tỉnh cũ {n}", "province", None, old=True)
        succeed(province, merged["79"])
        unit(f"9{n}0", f"Huyện {n}", "district", province, old=True)
    with django_assert_num_queries(15):
        response = client.get("/?period=2024")
    assert len(drill_codes(response.content.decode())) == 7
