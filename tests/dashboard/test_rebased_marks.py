"""Re-based figures say so on every page: a "quy đổi" mark naming what each was re-based from, the
reason in place of a dash where one is missing, the standard note under the table or tiles, and
the break of 1 July 2025 on the trends (docs/analytics.md, "Re-based values": on the surfaces)."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from tests.reform import Reform, reform

pytestmark = pytest.mark.django_db

__all__ = ["reform"]

NOTE = "Số liệu cùng kỳ quy đổi theo địa giới hành chính mới."
N_FROM = "Quy đổi theo địa giới hành chính mới từ: Tỉnh A (toàn bộ), Tỉnh B (toàn bộ)"


def get(client: Client, url: str, language: str = "vi") -> str:
    if language != "vi":
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
    with translation.override(language):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content[:2000]
    return response.content.decode()


def block(html: str, start: str, end: str) -> str:
    at = html.index(start)
    return html[at : html.index(end, at)]


def cell(row: str, measure: str) -> str:
    """The cell of a measure in a row (up to its closing tag)."""
    found = re.search(rf'data-measure="{measure}">(.*?)</(td|dd)>', row, re.S)
    assert found, (measure, row)
    return found.group(1)


def test_the_overview_marks_the_re_based_comparison_and_says_so_under_the_table(client: Client, reform: Reform) -> None:
    # When a leader opens the new province's first half of 2026 (compared with January–June 2025,
    # when it did not exist)
    html = get(client, "/?org_unit=N&period=2026S1")

    # Then the table's figure of last year is marked, naming the provinces it was re-based from
    row = block(html, '<tr data-indicator="REV"', "</tr>")
    previous = cell(row, "previous")
    assert "900,0" in previous
    assert 'class="rebased" data-rebased="previous"' in previous
    assert f'title="{N_FROM}"' in previous
    # The figure of the period is the new province's own: not marked
    assert "rebased" not in cell(row, "value")
    # And under the table, the standard sentence
    table = block(html, '<table class="figures">', "</section>")
    assert NOTE in table
    # The tile says the same
    tile = block(html, '<li class="tile', "</li>")
    assert 'data-rebased="previous"' in tile
    # Its status is judged on a year-end estimate weighed on re-based years: marked beside it
    assert 'data-rebased="projection"' in block(tile, '<div class="tile__foot">', "</div>")
    assert NOTE in block(html, 'id="tiles-title"', "</section>")


def test_a_figure_that_cannot_be_re_based_says_why_instead_of_a_bare_dash(client: Client, reform: Reform) -> None:
    html = get(client, "/?org_unit=N&period=2026S1")

    # An index is not carried from the former provinces: its last year says so
    previous = cell(block(html, '<tr data-indicator="CPI"', "</tr>"), "previous")
    assert "–" in previous
    assert 'data-missing-reason="not_rebased"' in previous
    assert "không quy đổi" in previous


def test_an_unchanged_unit_shows_no_mark_and_no_note(client: Client, reform: Reform) -> None:
    html = get(client, "/?org_unit=A&period=2025S1")

    assert 'class="rebased"' not in html
    assert "data-rebased-note" not in html
    assert "missing-reason" not in html


def test_the_indicator_page_marks_each_unit_below_with_what_it_was_re_based_from(
    client: Client, reform: Reform
) -> None:
    html = get(client, "/indicators/REV/?org_unit=N&period=2026S1")

    # n1 = Phường Một + 60 % of Phường Hai; n2's composition names Xã <Ba>, escaped
    n1 = block(html, '<tr data-unit="n1"', "</tr>")
    assert "Phường Một (toàn bộ), Phường Hai (60 %)" in cell(n1, "previous")
    n2 = block(html, '<tr data-unit="n2"', "</tr>")
    assert "Phường Hai (40 %), Xã &lt;Ba&gt; (toàn bộ)" in cell(n2, "previous")
    assert "Xã <Ba>" not in html
    # n4's last year is missing: the share of Xã Năm that went to it is not known
    n4 = cell(block(html, '<tr data-unit="n4"', "</tr>"), "previous")
    assert "chưa rõ tỷ lệ của Xã Năm" in n4
    assert 'data-missing-reason="share_unknown"' in n4
    # The key figures and the table carry the note
    assert html.count(NOTE) == 2
    keyfigures = block(html, '<dl class="keyfigures"', "</dl>")
    assert 'data-rebased="previous"' in keyfigures
    assert 'data-rebased="projection"' in keyfigures


def test_the_indicator_page_s_ranking_says_which_units_are_re_based(client: Client, reform: Reform) -> None:
    # The year 2025, on the new map: each new commune's January–June is re-based
    html = get(client, "/indicators/REV/?org_unit=N&period=2025")
    data = block(html, '<script id="chart-ranking" type="application/json">', "</script>").split(">", 1)[1]
    ranking = json.loads(data)

    items = {i["code"]: i for i in ranking["items"]}
    # n1: 6 × 22 re-based + 6 × 25 its own
    assert (items["n1"]["value"], items["n1"]["rebased"]) == (282, True)
    assert items["n1"]["note"] == "Quy đổi theo địa giới hành chính mới từ: Phường Một (toàn bộ), Phường Hai (60 %)"
    assert ranking["rebased_label"] == "quy đổi"
    # n4 has July–December alone: the share of Xã Năm is not known, and the ranking says so
    assert (items["n4"]["value"], items["n4"]["rebased"]) == (90, True)
    assert "chưa có tỷ lệ phần của Xã Năm" in items["n4"]["note"]
    # A unit name goes into the page's JSON as text, escaped for the script element
    assert "<Ba>" not in data


def test_the_off_track_list_marks_a_year_end_estimate_weighed_on_re_based_years(client: Client, reform: Reform) -> None:
    html = get(client, "/off-track/?org_unit=N&period=2026S1")

    row = block(html, '<tr data-indicator="REV" data-unit="N"', "</tr>")
    assert 'data-rebased="projection"' in cell(row, "projection")
    assert "data-rebased-note" in html


def test_the_wall_marks_re_based_figures(client: Client, reform: Reform) -> None:
    html = get(client, "/wall/?org_unit=N&period=2026S1")

    assert 'data-rebased="previous"' in html
    assert NOTE in html
    assert "Xã <Ba>" not in html


def test_the_marks_read_in_english(client: Client, reform: Reform) -> None:
    html = get(client, "/?org_unit=N&period=2026S1", language="en")

    previous = cell(block(html, '<tr data-indicator="REV"', "</tr>"), "previous")
    assert ">re-based<" in previous
    assert "Re-based to the new administrative boundaries from: Tỉnh A (whole), Tỉnh B (whole)" in previous
    assert "Figures of the same period last year are re-based to the new administrative boundaries." in html


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_csv_export_says_which_rows_are_re_based_and_from_what(client: Client, reform: Reform) -> None:
    with translation.override("vi"):
        response = client.get("/indicators/REV/export.csv?org_unit=N&period=2026S1", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    rows = _csv_rows(response.content.decode())
    header = rows[1]
    by_code = {r[0]: dict(zip(header, r, strict=False)) for r in rows[2:] if r and r[0]}
    assert by_code["N"]["Quy đổi"] == "cùng kỳ, dự báo cả năm"
    assert by_code["N"]["Quy đổi từ"] == "Tỉnh A (toàn bộ), Tỉnh B (toàn bộ)"
    assert by_code["n4"]["Ghi chú"].startswith("Chưa quy đổi được")
    assert by_code["n2"]["Quy đổi từ"] == "Phường Hai (40 %), Xã <Ba> (toàn bộ)"
    # The file ends with the page's note: last year re-based, and the estimate weighed on re-based years
    assert rows[-1][0].startswith(NOTE)
    assert "“quy đổi”" in rows[-1][0]


def test_the_xlsx_export_has_the_same_columns_and_the_note(client: Client, reform: Reform) -> None:
    with translation.override("vi"):
        response = client.get("/indicators/REV/export.xlsx?org_unit=N&period=2026S1", HTTP_ACCEPT_LANGUAGE="vi")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values: list[list[Any]] = [[c.value for c in row] for row in sheet.iter_rows()]
    header = values[1]
    n = dict(zip(header, values[2], strict=False))
    assert n["Quy đổi"] == "cùng kỳ, dự báo cả năm"
    assert values[-1][0].startswith(NOTE)


def test_an_export_without_re_based_figures_has_no_note(client: Client, reform: Reform) -> None:
    with translation.override("vi"):
        response = client.get("/indicators/REV/export.csv?org_unit=A&period=2025S1", HTTP_ACCEPT_LANGUAGE="vi")
    rows = _csv_rows(response.content.decode())
    assert not rows[-1][0].startswith(NOTE)
    assert all(r[-3:] == ["", "", ""] for r in rows[2:] if r)


def chart(html: str, name: str) -> dict[str, Any]:
    data = block(html, f'<script id="chart-{name}" type="application/json">', "</script>").split(">", 1)[1]
    return json.loads(data)  # type: ignore[no-any-return]


BREAK = "1/7/2025: sắp xếp đơn vị hành chính"


def test_the_trend_marks_the_day_the_map_changed(client: Client, reform: Reform) -> None:
    html = get(client, "/indicators/REV/?org_unit=N&period=2026S1")

    # The five years 2022–2026 cross 1 July 2025: a line at July 2025, labelled
    trend = chart(html, "trend")
    assert trend["breaks"] == [{"index": trend["x"].index("7/2025"), "date": "2025-07-01", "label": BREAK}]
    # The cumulative of 2026 lies wholly after it: no line
    assert chart(html, "cumulative")["breaks"] == []


def test_the_cumulative_of_the_year_of_the_change_marks_it(client: Client, reform: Reform) -> None:
    html = get(client, "/indicators/REV/?org_unit=N&period=2025")

    cumulative = chart(html, "cumulative")
    assert [(b["index"], b["label"]) for b in cumulative["breaks"]] == [(cumulative["x"].index("7/2025"), BREAK)]


def test_a_trend_that_does_not_reach_the_change_has_no_break(client: Client, reform: Reform) -> None:
    html = get(client, "/indicators/REV/?org_unit=A&period=2024")

    assert chart(html, "trend")["breaks"] == []
    assert chart(html, "cumulative")["breaks"] == []


def test_a_unit_whose_communes_changed_marks_the_change_on_its_own_trend(client: Client, reform: Reform) -> None:
    # Given a later re-organisation of B's communes alone (the date is the succession's, not a calendar's)
    from dieuhanh.orgunits.models import OrgUnit, Succession

    day = __import__("datetime").date(2024, 1, 1)
    merged = OrgUnit.objects.create(
        code="c45", name="Xã Bốn Năm", kind="commune", parent=reform.units["B"], valid_from=day
    )
    Succession.objects.create(predecessor=reform.units["c4"], successor=merged, effective_date=day)

    # Then B's trend to 2024 marks January 2024
    html = get(client, "/indicators/REV/?org_unit=B&period=2024")
    trend = chart(html, "trend")
    assert [(b["date"], trend["x"][b["index"]]) for b in trend["breaks"]] == [("2024-01-01", "1/2024")]


def test_a_tile_s_sparkline_marks_the_day_the_unit_began(client: Client, reform: Reform) -> None:
    # The new province's sparkline (7/2024–6/2026) crosses 1 July 2025; the old one's (to 6/2025) does not
    tile = block(get(client, "/?org_unit=N&period=2026S1"), '<li class="tile', "</li>")
    assert 'class="sparkline__break" data-break="2025-07-01"' in tile
    assert f"<title>{BREAK}</title>" in tile
    from tests.factories import TargetFactory

    TargetFactory(indicator=reform.rev, org_unit=reform.units["A"], year_from=2025, value=1000)
    tile = block(get(client, "/?org_unit=A&period=2025S1"), '<li class="tile', "</li>")
    assert '<svg class="sparkline"' in tile
    assert "sparkline__break" not in tile


def test_the_trend_s_table_and_sheet_mark_the_re_based_periods(client: Client, reform: Reform) -> None:
    html = get(client, "/indicators/REV/?org_unit=N&period=2026S1")
    rows = block(html, '<details class="chart-table">', "</details>")
    june_2025 = block(rows, '<th scope="row">Tháng 6/2025</th>', "</tr>")
    july_2025 = block(rows, '<th scope="row">Tháng 7/2025</th>', "</tr>")
    # June 2025 is re-based, and so is June 2024 beside it; July 2025 is N's own, its last year re-based
    assert 'data-rebased="value"' in june_2025
    assert 'data-rebased="previous"' in june_2025
    assert 'data-rebased="value"' not in july_2025
    assert 'data-rebased="previous"' in july_2025

    with translation.override("vi"):
        response = client.get("/indicators/REV/export.xlsx?org_unit=N&period=2026S1", HTTP_ACCEPT_LANGUAGE="vi")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[1]
    marks = {row[0]: row[4] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert marks["Tháng 6/2025"] == "giá trị, cùng kỳ"
    assert marks["Tháng 7/2025"] == "cùng kỳ"
    assert marks["Tháng 7/2026"] in ("", None)


def test_the_scorecard_marks_re_based_figures_and_notes_them(client: Client, reform: Reform) -> None:
    html = get(client, "/scorecard/?org_unit=N&period=2026S1")

    row = block(html, '<tr data-indicator="REV"', "</tr>")
    assert 'data-rebased="projection"' in cell(row, "projection")
    assert "data-rebased-note" in html


def test_the_map_s_tooltips_say_what_each_unit_s_figure_was_re_based_from(client: Client, reform: Reform) -> None:
    html = get(client, "/indicators/REV/?org_unit=N&period=2026S1")
    items = {i["code"]: i for i in chart(html, "map")["items"]}

    # The change on last year of n1 compares with its re-based past; n4's has none, for a reason
    assert items["n1"]["notes"]["change"].startswith("Quy đổi theo địa giới hành chính mới từ: Phường Một (toàn bộ)")
    assert items["n1"]["notes"]["value"] == ""
    assert "Xã Năm" in items["n4"]["notes"]["change"]
