"""The overview page: the figures a leader reads, for the unit and period they chose."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.services import membership_add
from dieuhanh.figures.models import ImportBatch
from dieuhanh.indicators.models import Indicator
from tests.conftest import Tree
from tests.dashboard.pages import figures_in, section
from tests.factories import IndicatorFactory, OrgUnitFactory, SectorFactory, TargetFactory, UserFactory, put

pytestmark = pytest.mark.django_db


def rows_of(html: str) -> dict[str, dict[str, str]]:
    """The overview table: indicator code → {measure: shown text, "status", "trend", "tone", "partial"}."""
    return figures_in(section(html, '<table class="figures">', "</table>"), tag="tr")


def get(client: Client, url: str, **headers: Any) -> tuple[int, str]:
    # Vietnamese, the default, so that numbers are checked in the format offices write.
    with translation.override("vi"):
        response = client.get(url, headers=headers, HTTP_ACCEPT_LANGUAGE="vi")
    return response.status_code, response.content.decode()


@pytest.fixture
def figures(tree: Tree) -> Tree:
    """Figures for Thủ Dầu Một (718) in June 2023 and June 2022, with 2023 plans."""
    finance = SectorFactory(code="FIN", name="Tài chính", sort_order=1)
    safety = SectorFactory(code="SAFE", name="An toàn giao thông", sort_order=2)
    revenue = IndicatorFactory(code="REV", name="Thu ngân sách", unit="triệu đồng", decimals=1, sector=finance)
    accidents = IndicatorFactory(
        code="ACC", name="Số vụ tai nạn", unit="vụ", decimals=0, direction="down", sector=safety
    )
    secret = IndicatorFactory(code="SECRET", name="Chỉ tiêu nội bộ", is_public=False, sector=finance)
    planned = IndicatorFactory(code="PLANNED", name="Chỉ tiêu mới giao", sector=finance)
    unplanned = IndicatorFactory(code="UNPLANNED", name="Chỉ tiêu chưa giao", decimals=0, sector=safety)

    put(revenue, tree.district_a, "202306", "1234567.8")
    put(revenue, tree.district_a, "202206", "1000000")
    TargetFactory(indicator=revenue, org_unit=tree.district_a, year_from=2023, value=2_000_000)
    put(accidents, tree.district_a, "202306", 12)
    put(accidents, tree.district_a, "202206", 10)
    TargetFactory(indicator=accidents, org_unit=tree.district_a, year_from=2023, value=20)
    put(secret, tree.district_a, "202306", 5)
    TargetFactory(indicator=planned, org_unit=tree.district_a, year_from=2023, value=10)
    put(unplanned, tree.district_a, "202306", 7)
    put(unplanned, tree.district_a, "202206", 7)
    return tree


def test_it_shows_the_measures_of_the_chosen_unit_and_period_in_vietnamese_number_format(
    figures: Tree, client: Client
) -> None:
    status, html = get(client, "/?org_unit=718&period=202306")

    assert status == 200
    revenue = rows_of(html)["REV"]
    # ytd is June alone; the projection has no complete past year, so it is ytd × 12 / 6.
    shown = {k: revenue[k] for k in ("value", "previous", "ytd", "plan", "plan_completion_pct", "projection")}
    assert shown == {
        "value": "1.234.567,8",
        "previous": "1.000.000,0",
        "ytd": "1.234.567,8",
        "plan": "2.000.000,0",
        "plan_completion_pct": "61,7",
        "projection": "2.469.135,6",
    }
    assert revenue["change"] == "▲ +23,5%"
    # 718 has reported June alone since January: its cumulative is not whole, and is not judged
    assert (revenue["trend"], revenue["tone"], revenue["status"]) == ("up", "good", "partial")
    assert revenue["partial"] == "0/2"
    assert "triệu đồng" in html


def test_a_rise_of_a_lower_is_better_figure_is_marked_bad_and_its_status_follows_the_plan(
    figures: Tree, client: Client
) -> None:
    accidents_indicator = Indicator.objects.get(code="ACC")
    for month in ("202301", "202302", "202303", "202304", "202305"):
        put(accidents_indicator, figures.district_a, month, 2)

    _status, html = get(client, "/?org_unit=718&period=202306")

    accidents = rows_of(html)["ACC"]
    # 12 accidents against 10: +20 %, and a year-end estimate of 44 against a plan of at most 20.
    assert (accidents["value"], accidents["previous"]) == ("12", "10")
    assert (accidents["trend"], accidents["tone"]) == ("up", "bad")
    assert accidents["change"] == "▲ +20,0%"
    assert accidents["status"] == "off_track"
    assert 'class="change change--bad"' in html


def test_a_fall_of_a_higher_is_better_figure_is_marked_bad_and_no_change_has_no_arrow(
    figures: Tree, client: Client
) -> None:
    _status, html = get(client, "/?org_unit=718&period=202206")
    # June 2022 against June 2021, which has no figures: no change can be computed.
    assert rows_of(html)["REV"]["trend"] == ""

    put(Indicator.objects.get(code="REV"), figures.district_a, "202106", "2000000")
    _status, html = get(client, "/?org_unit=718&period=202206")
    rows = rows_of(html)

    assert (rows["REV"]["trend"], rows["REV"]["tone"]) == ("down", "bad")
    assert rows["REV"]["change"] == "▼ -50,0%"
    _status, html = get(client, "/?org_unit=718&period=202306")
    unplanned = rows_of(html)["UNPLANNED"]
    assert (unplanned["trend"], unplanned["tone"], unplanned["change"]) == ("flat", "neutral", "0,0%")


def test_the_status_badge_says_no_target_without_a_plan_and_nothing_before_the_first_figure(
    figures: Tree, client: Client
) -> None:
    _status, html = get(client, "/?org_unit=718&period=202306")
    rows = rows_of(html)

    assert rows["UNPLANNED"]["status"] == "no_target"
    # A plan but no figure yet: no verdict, only that there is no figure
    assert rows["PLANNED"]["status_text"] == "Chưa có số liệu"
    assert rows["PLANNED"]["value"] == "–"
    assert rows["PLANNED"]["plan"] == "10,0"


def test_anonymous_visitors_see_only_public_indicators(figures: Tree, client: Client, leader: Any) -> None:
    _status, html = get(client, "/?org_unit=718&period=202306")
    assert set(rows_of(html)) == {"REV", "ACC", "PLANNED", "UNPLANNED"}
    assert "Chỉ tiêu nội bộ" not in html

    client.force_login(leader)
    _status, html = get(client, "/?org_unit=718&period=202306")
    assert set(rows_of(html)) == {"REV", "ACC", "PLANNED", "UNPLANNED", "SECRET"}


def test_a_district_reporter_sees_internal_indicators_at_its_district_and_public_ones_above(
    figures: Tree, client: Client
) -> None:
    user = UserFactory(username="reporter719")
    membership_add(user=user, role=Role.REPORTER, org_unit=figures.district_b)
    client.force_login(user)

    _status, own = get(client, "/?org_unit=719&period=202306")
    _status, other = get(client, "/?org_unit=718&period=202306")
    _status, province = get(client, "/?org_unit=74&period=202306")

    assert "SECRET" in set(rows_of(own))
    assert "SECRET" not in set(rows_of(other))
    assert "SECRET" not in set(rows_of(province))
    assert client.get("/indicators/SECRET/?org_unit=718&period=202306").status_code == 404
    assert client.get("/indicators/SECRET/?org_unit=719&period=202306").status_code == 200


def test_signed_in_without_a_role_sees_what_the_public_sees(figures: Tree, client: Client, colleague: Any) -> None:
    client.force_login(colleague)

    _status, html = get(client, "/?org_unit=718&period=202306")

    assert "SECRET" not in set(rows_of(html))


def test_indicators_are_grouped_by_sector_in_catalogue_order(figures: Tree, client: Client, leader: Any) -> None:
    IndicatorFactory(code="LOOSE", name="Chỉ tiêu chưa xếp ngành", sector=None)
    client.force_login(leader)

    _status, page = get(client, "/?org_unit=718&period=202306")
    html = page.split('<table class="figures">')[1]

    finance, safety, loose = html.index("Tài chính"), html.index("An toàn giao thông"), html.index("LOOSE")
    assert finance < html.index('data-indicator="REV"') < safety < html.index('data-indicator="ACC"') < loose
    assert html.count('scope="rowgroup"') == 3


def test_without_a_choice_it_shows_the_root_province_and_the_latest_month_with_data(
    figures: Tree, client: Client
) -> None:
    put(Indicator.objects.get(code="REV"), figures.commune_b1, "202308", 1)
    # A later draft is not data yet, and a later quarterly figure is not a month.
    put(Indicator.objects.get(code="REV"), figures.commune_b1, "202310", 1, status="draft")
    put(IndicatorFactory(code="GRDP", period_type="quarterly"), figures.province, "2023Q4", 1)

    status, html = get(client, "/")

    assert status == 200
    assert '<option value="74" selected>' in html
    assert '<option value="M8" selected>Tháng 8</option>' in html
    assert '<option value="2023" selected>2023</option>' in html
    assert rows_of(html)["REV"]["value"] == "1,0"


def test_the_period_is_chosen_in_words_as_a_year_and_a_part_of_it(figures: Tree, client: Client) -> None:
    put(Indicator.objects.get(code="REV"), figures.commune_b1, "201906", 1)

    _status, html = get(client, "/?org_unit=718&period=2023S1")

    # The years with data, newest first; the chosen one selected
    years = html.split('name="year"')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\d+)"', years) == ["2023", "2022", "2021", "2020", "2019"]
    assert '<option value="2023" selected>2023</option>' in years
    # The parts of a year in words, never a code
    parts = html.split('name="part"')[1].split("</select>")[0]
    words = re.findall(r'<option value="\w+"(?: selected)?>([^<]+)</option>', parts)
    assert words[:4] == ["Cả năm", "6 tháng đầu năm", "9 tháng đầu năm", "6 tháng cuối năm"]
    assert "Quý II" in words
    assert "Tháng 12" in words
    assert '<option value="S1" selected>6 tháng đầu năm</option>' in parts
    assert "2023S1" not in html.split('class="pickers"', 1)[1].split("</form>")[0]


def test_the_unit_picker_indents_the_tree(figures: Tree, client: Client) -> None:
    _status, html = get(client, "/")

    assert '<option value="74" selected>Tỉnh Bình Dương</option>' in html
    assert '<option value="718">\u00a0\u00a0\u00a0Thành phố Thủ Dầu Một</option>' in html
    assert '<option value="25741">' + "\u00a0" * 6 + "Phường Hiệp Thành</option>" in html
    assert html.index('value="718"') < html.index('value="25741"') < html.index('value="719"')


def test_a_bad_period_or_unknown_unit_gives_a_message_saying_what_to_fix(figures: Tree, client: Client) -> None:
    status, html = get(client, "/?org_unit=718&period=2023Q5")

    assert status == 200
    assert 'role="alert"' in html
    assert "2023Q5" in html
    assert "202306" in html  # the message shows how to write a month
    assert "<table" not in html

    status, html = get(client, "/?org_unit=NOPE&period=202306")
    assert status == 200
    assert "NOPE" in html.split('role="alert"')[1]


def test_with_htmx_it_returns_only_the_table_and_the_address_to_bookmark(figures: Tree, client: Client) -> None:
    with translation.override("vi"):
        response = client.get("/?org_unit=718&period=2023q2&preset=", headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "<form" not in html
    assert 'data-indicator="REV"' in html
    assert response["HX-Push-Url"] == "/?org_unit=718&period=2023Q2"
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_request_from_htmx_gets_the_whole_page(figures: Tree, client: Client) -> None:
    response = client.get(
        "/?org_unit=718&period=202306", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    assert "<html" in response.content.decode()


def test_without_javascript_the_chosen_year_and_part_redirect_to_a_clean_address(figures: Tree, client: Client) -> None:
    response = client.get("/?org_unit=718&period=202306&year=2023&part=S1")
    assert response.status_code == 302
    assert response["Location"] == "/?org_unit=718&period=2023S1"

    response = client.get("/?org_unit=718&year=2022&part=9M")
    assert response["Location"] == "/?org_unit=718&period=202209YTD"


def test_the_chosen_year_and_part_win_over_the_address_s_period_under_htmx(figures: Tree, client: Client) -> None:
    response = client.get("/?org_unit=718&period=202306&year=2023&part=Q2", headers={"HX-Request": "true"})

    assert response["HX-Push-Url"] == "/?org_unit=718&period=2023Q2"


def test_a_unit_outside_the_administrative_tree_can_still_be_shown(figures: Tree, client: Client) -> None:
    agency = OrgUnitFactory(code="STC", name="Sở Tài chính", kind="agency", parent=figures.province)
    put(Indicator.objects.get(code="REV"), agency, "202306", 42)

    _status, html = get(client, "/?org_unit=STC&period=202306")

    assert '<option value="STC" selected>Sở Tài chính</option>' in html
    assert rows_of(html)["REV"]["value"] == "42,0"


def test_an_empty_catalogue_says_so_instead_of_failing(client: Client) -> None:
    status, html = get(client, "/")

    assert status == 200
    assert 'role="alert"' in html  # no unit yet: the message says what is missing, in words
    assert "quản trị viên cần nạp danh mục đơn vị" in html.lower()
    assert "load-metadata" not in html  # no command line in front of officials


def test_the_page_costs_a_fixed_number_of_queries_whatever_the_number_of_indicators_and_units(
    figures: Tree, client: Client, django_assert_num_queries: Any
) -> None:
    # sample-data check, the page cache's stamp (rollup state), indicators, unit tree, data span, the
    # headline plans, then analytics: rollup state, units, values, targets.
    with django_assert_num_queries(10):
        assert client.get("/?org_unit=74&period=2023Q2").status_code == 200

    revenue = Indicator.objects.get(code="REV")
    for n in range(40):
        commune = OrgUnitFactory(code=f"X{n}", parent=figures.district_b)
        put(revenue, commune, "202304", n)
        indicator = IndicatorFactory(code=f"MORE{n}", sector=revenue.sector)
        put(indicator, commune, "202305", n)
        TargetFactory(indicator=indicator, org_unit=figures.province, year_from=2023)

    with django_assert_num_queries(10):
        response = client.get("/?org_unit=74&period=2023Q2")
    assert len(rows_of(response.content.decode())) == 44  # the four public ones and the forty new


def test_a_signed_in_page_adds_only_the_session_user_and_permission_queries(
    figures: Tree, client: Client, owner: Any, django_assert_num_queries: Any
) -> None:
    client.force_login(owner)

    # session, user, the user's memberships (their scope) with their own and their groups'
    # permissions (for the menu): one query, then the ten of the page.
    with django_assert_num_queries(13):
        assert client.get("/?org_unit=74&period=2023Q2").status_code == 200


def test_the_page_says_when_it_shows_sample_data(figures: Tree, client: Client) -> None:
    _status, html = get(client, "/")
    assert "sample-banner" not in html

    ImportBatch.objects.create(source_name="demo", file_format="demo", status="committed")
    _status, html = get(client, "/")
    assert 'class="sample-banner"' in html
