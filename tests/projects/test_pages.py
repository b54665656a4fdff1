"""The public-investment pages: the project list (filters, slowest first), a project's page (its
curve, its obstacle and the agency that must resolve it), the investor scorecard and its "below
x %" list, the map, and the panel of the slowest investors on the disbursement indicator's page.

The story, on 31/7/2023 under the default milestones (30 % by 30/6, 60 % by 30/9, 95 % by 31/1):
the transport board's two projects are behind (27,5 % and 20,0 %: below the 30 % due on 30/6), the
health department's hospital is on schedule (45,0 % ≥ the pace of 40,1 %), the district's school is
at risk (38,0 %: above 30 %, below the pace). Ranked by the share disbursed: health (45,0 %), the
district (38,0 %), transport (26,0 %).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.projects.choices import AllocationKind, CapitalSource, ObstacleCategory, ProjectStage
from dieuhanh.projects.models import Project
from dieuhanh.projects.services import (
    DisbursementRow,
    SiteClearanceRow,
    allocation_add,
    disbursements_write,
    obstacle_create,
    project_save,
    site_clearance_write,
)
from tests.conftest import Tree
from tests.factories import IndicatorFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db

ON = dt.date(2023, 7, 31)
HOSTILE = '<script>alert("x")</script> Trường & "Sao Mai"'


@dataclass
class Story:
    transport: OrgUnit
    health: OrgUnit
    district: OrgUnit
    road: Project
    bridge: Project
    hospital: Project
    school: Project


def _project(
    code: str, name: str, investor: OrgUnit, commune: OrgUnit, *, plan: int, disbursed: list[int], **extra: Any
) -> Project:
    """A project with its 2023 plan assigned on 1 January, disbursed from March month by month."""
    project = project_save(
        code=code,
        name=name,
        investor=investor,
        group=extra.pop("group", "B"),
        sector=extra.pop("sector", "transport"),
        stage=ProjectStage.IMPLEMENTATION,
        total_investment=Decimal(plan * 5),
        sources=[CapitalSource.PROVINCIAL],
        locations=[commune],
        **extra,
    )
    allocation_add(
        project=project,
        year=2023,
        source=CapitalSource.PROVINCIAL,
        kind=AllocationKind.INITIAL,
        amount=Decimal(plan),
        effective_on=dt.date(2023, 1, 1),
        decision_number="3679/QĐ-UBND",
        decision_date=dt.date(2022, 12, 20),
    )
    disbursements_write(
        rows=[
            DisbursementRow(project.pk, 2023, CapitalSource.PROVINCIAL, f"2023{month:02d}", Decimal(amount))
            for month, amount in enumerate(disbursed, start=3)
        ]
    )
    return project


@pytest.fixture
def story(tree: Tree) -> Story:
    transport = OrgUnitFactory(code="BQLDA_GT", name="Ban Quản lý dự án Giao thông", kind="agency")
    health = OrgUnitFactory(code="SYT", name="Sở Y tế", kind="agency")
    district = OrgUnitFactory(code="BQLDA_BB", name="Ban Quản lý dự án huyện Bàu Bàng", kind="agency")
    road = _project(
        "7912345",
        "Đường ĐT.746 đoạn Tân Thành – Hiếu Liêm",
        transport,
        tree.commune_a1,
        plan=40_000,
        disbursed=[5_000, 6_000],
        geometry={"type": "LineString", "coordinates": [[106.65, 11.0], [106.7, 11.05]]},
    )
    bridge = _project("7912346", "Cầu Bạch Đằng 2", transport, tree.commune_a2, plan=10_000, disbursed=[2_000])
    hospital = _project(
        "7912347",
        "Bệnh viện Đa khoa 1.500 giường",
        health,
        tree.commune_a1,
        plan=20_000,
        disbursed=[4_000, 5_000],
        sector="health",
        group="A",
        geometry={"type": "Point", "coordinates": [106.66, 11.0]},
    )
    school = _project(
        "7912348", HOSTILE, district, tree.commune_b1, plan=5_000, disbursed=[1_900], sector="education", group="C"
    )
    site_clearance_write(
        rows=[
            SiteClearanceRow(
                project_id=road.pk,
                org_unit_id=tree.commune_a1.pk,
                period="202306",
                area_total=Decimal("123456.5"),
                area_handed_over=Decimal(100_000),
                households_total=120,
                households_approved=100,
                households_paid=80,
                compensation_approved=Decimal(90_000),
                compensation_paid=Decimal("45500.5"),
                plots_needed=30,
                plots_allocated=12,
            )
        ]
    )
    return Story(transport, health, district, road, bridge, hospital, school)


@pytest.fixture
def blocked(story: Story, tree: Tree) -> Any:
    """The road's open, overdue obstacle: land clearance in Hiệp Thành, for its commune to resolve by 30/6."""
    return obstacle_create(
        project=story.road,
        category=ObstacleCategory.SITE_CLEARANCE,
        description="42 hộ chưa nhận tiền bồi thường, chưa bàn giao mặt bằng",
        reported_on=dt.date(2023, 5, 10),
        resolving_agency=tree.commune_a1,
        deadline=dt.date(2023, 6, 30),
        org_unit=tree.commune_a1,
    )


@pytest.fixture
def signed_in(client: Client, leader: Any) -> Client:
    """The province's leader: reads every project and every directive."""
    client.force_login(leader)
    return client


def test_a_colleague_without_a_role_sees_the_obstacle_but_not_a_directive_outside_their_scope(
    client: Client, colleague: Any, story: Story, blocked: Any
) -> None:
    client.force_login(colleague)
    html = client.get(reverse("projects:detail", args=[story.road.code])).content.decode()
    assert "42 hộ chưa nhận tiền bồi thường" in html
    assert reverse("directives:detail", args=[blocked.directive_id]) not in html


@pytest.fixture(autouse=True)
def _the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dieuhanh.projects.views.today", lambda: ON)
    monkeypatch.setattr("dieuhanh.dashboard.views.today", lambda: ON)


def codes_in_order(html: str) -> list[str]:
    return re.findall(r'<tr data-code="(\d+)"', html)


def test_every_page_answers_a_signed_in_user(signed_in: Client, story: Story, blocked: Any) -> None:
    for url in (
        reverse("projects:list"),
        reverse("projects:detail", args=[story.road.code]),
        reverse("projects:investors"),
        reverse("projects:investors") + "?below=30",
        reverse("projects:map"),
    ):
        assert signed_in.get(url).status_code == 200, url


def test_the_pages_ask_an_anonymous_visitor_to_sign_in(client: Client, story: Story) -> None:
    for url in (
        reverse("projects:list"),
        reverse("projects:detail", args=[story.road.code]),
        reverse("projects:investors"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_an_unknown_project_is_not_found(signed_in: Client, story: Story) -> None:
    assert signed_in.get(reverse("projects:detail", args=["0000000"])).status_code == 404


def test_the_list_puts_the_slowest_project_first(signed_in: Client, story: Story) -> None:
    html = signed_in.get(reverse("projects:list")).content.decode()
    # The bridge has disbursed 20,0 %, the road 27,5 %, the school 38,0 %, the hospital 45,0 %.
    assert codes_in_order(html) == [story.bridge.code, story.road.code, story.school.code, story.hospital.code]


def test_the_list_sorts_by_plan_and_by_name_when_asked(signed_in: Client, story: Story) -> None:
    by_plan = signed_in.get(reverse("projects:list") + "?order=plan").content.decode()
    assert codes_in_order(by_plan) == [story.road.code, story.hospital.code, story.bridge.code, story.school.code]
    by_name = signed_in.get(reverse("projects:list") + "?order=name").content.decode()
    named = [code for code in codes_in_order(by_name) if code != story.school.code]
    assert named == [story.hospital.code, story.bridge.code, story.road.code]  # Bệnh viện…, Cầu…, Đường…


def test_the_list_filters_by_investor_keeping_the_slowest_first(signed_in: Client, story: Story) -> None:
    html = signed_in.get(reverse("projects:list") + f"?investor={story.transport.pk}").content.decode()
    assert codes_in_order(html) == [story.bridge.code, story.road.code]
    assert "Ban Quản lý dự án Giao thông" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=behind", ["7912346", "7912345"]),
        ("status=at_risk", ["7912348"]),
        ("status=on_track", ["7912347"]),
        ("sector=health", ["7912347"]),
        ("group=C", ["7912348"]),
        ("q=ĐT.746", ["7912345"]),
        ("q=7912346", ["7912346"]),
    ],
)
def test_the_list_filters(signed_in: Client, story: Story, query: str, expected: list[str]) -> None:
    html = signed_in.get(reverse("projects:list") + "?" + query).content.decode()
    assert codes_in_order(html) == expected


def test_the_list_filters_by_commune(signed_in: Client, story: Story, tree: Tree) -> None:
    html = signed_in.get(reverse("projects:list") + f"?commune={tree.commune_a1.pk}").content.decode()
    assert codes_in_order(html) == [story.road.code, story.hospital.code]


def test_a_filter_outside_the_lists_is_refused_with_a_message(signed_in: Client, story: Story) -> None:
    response = signed_in.get(reverse("projects:list") + "?investor=999999")
    assert response.status_code == 400
    assert "investor" in response.content.decode().lower() or "chủ đầu tư" in response.content.decode().lower()


def test_the_list_writes_figures_the_vietnamese_way_with_a_named_status(signed_in: Client, story: Story) -> None:
    html = signed_in.get(reverse("projects:list")).content.decode()
    row = html[html.index(f'data-code="{story.road.code}"') :]
    row = row[: row.index("</tr>")]
    assert '<td class="num" data-measure="plan">40,0</td>' in row  # 40.000 million = 40,0 billion
    assert '<td class="num" data-measure="disbursed">11,0</td>' in row
    assert '<td class="num" data-measure="percent">27,5</td>' in row
    badge = re.search(r'<span class="badge badge--off_track" data-status="behind">([^<]+)</span>', row)
    assert badge is not None
    assert badge.group(1).strip()


def test_the_list_counts_open_obstacles(signed_in: Client, story: Story, blocked: Any) -> None:
    html = signed_in.get(reverse("projects:list")).content.decode()
    row = html[html.index(f'data-code="{story.road.code}"') :]
    assert re.search(r'data-measure="obstacles"><a [^>]*>1</a>', row[: row.index("</tr>")])


def test_names_are_escaped_everywhere(signed_in: Client, story: Story) -> None:
    for url in (
        reverse("projects:list"),
        reverse("projects:detail", args=[story.school.code]),
        reverse("projects:map"),
    ):
        html = signed_in.get(url).content.decode()
        assert "<script>alert" not in html, url
    listed = signed_in.get(reverse("projects:list")).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Trường &amp; &quot;Sao Mai&quot;" in listed


def test_the_project_page_shows_the_obstacle_its_agency_deadline_and_directive(
    signed_in: Client, story: Story, blocked: Any
) -> None:
    html = signed_in.get(reverse("projects:detail", args=[story.road.code])).content.decode()
    obstacles = html[html.index('id="obstacles-title"') :]
    obstacles = obstacles[: obstacles.index("</section>")]
    assert "42 hộ chưa nhận tiền bồi thường" in obstacles
    assert re.search(r'data-fact="resolving-agency">\s*Phường Hiệp Thành', obstacles)
    assert "30/6/2023" in obstacles  # the deadline, the Vietnamese way
    assert "badge--overdue" in obstacles  # its directive is overdue on 31/7/2023
    assert reverse("directives:detail", args=[blocked.directive_id]) in obstacles


def test_the_project_page_writes_its_identity_and_figures_the_vietnamese_way(signed_in: Client, story: Story) -> None:
    html = signed_in.get(reverse("projects:detail", args=[story.road.code])).content.decode()
    assert "Ban Quản lý dự án Giao thông" in html
    assert "200,0" in html  # total investment: 200.000 million
    assert re.search(r'data-measure="percent">27,5', html)
    assert "123.457 / " not in html
    assert "100.000 / 123.457" in html
    assert "45,5 / 90,0" in html  # compensation paid / approved, billion đồng
    assert "3679/QĐ-UBND, 20/12/2022" in html


def test_the_project_page_embeds_its_curve_as_data_not_as_script(signed_in: Client, story: Story) -> None:
    html = signed_in.get(reverse("projects:detail", args=[story.road.code])).content.decode()
    payload = json.loads(
        re.search(r'<script id="pi-curve" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    roles = {s["role"]: s["data"] for s in payload["series"]}
    assert set(roles) == {"plan", "pace", "disbursed"}
    assert payload["x"][0] == "1/2023"
    assert payload["x"][6] == "7/2023"
    assert payload["x"][-1] == "1/2024"
    assert roles["disbursed"][6] == 11.0  # billion, cumulative through July
    assert roles["disbursed"][7:] == [None] * 6  # nothing drawn after the day shown
    assert roles["plan"][6] == 40.0
    assert roles["pace"][5] == 12.0  # 30 % of 40,0 due on 30/6
    assert re.search(r"<script(?![^>]*(src=|application/json))", html) is None  # no inline script (CSP)


def test_the_scorecard_ranks_investors_by_the_share_disbursed(signed_in: Client, story: Story) -> None:
    html = signed_in.get(reverse("projects:investors")).content.decode()
    order = re.findall(r'<tr data-investor="(\d+)">', html)
    assert order == [str(story.health.pk), str(story.district.pk), str(story.transport.pk)]
    transport = html[html.index(f'<tr data-investor="{story.transport.pk}">') :]
    transport = transport[: transport.index("</tr>")]
    assert 'data-measure="rank">3<' in transport
    assert 'data-measure="percent">26,0<' in transport  # 13.000 of 50.000
    assert 'data-measure="behind">2<' in transport
    assert f"?year=2023&amp;investor={story.transport.pk}" in transport


def test_the_below_list_names_the_investors_under_the_threshold(signed_in: Client, story: Story) -> None:
    html = signed_in.get(reverse("projects:investors") + "?below=30").content.decode()
    below = html[html.index('id="below-title"') :]
    below = below[: below.index("</section>")]
    assert re.findall(r'<li data-investor="(\d+)">', below) == [str(story.transport.pk)]
    assert "26,0 %" in below
    wider = signed_in.get(reverse("projects:investors") + "?below=40,5").content.decode()
    wider = wider[wider.index('id="below-title"') :]
    assert re.findall(r'<li data-investor="(\d+)">', wider[: wider.index("</section>")]) == [
        str(story.district.pk),
        str(story.transport.pk),
    ] or re.findall(r'<li data-investor="(\d+)">', wider[: wider.index("</section>")]) == [
        str(story.transport.pk),
        str(story.district.pk),
    ]


def test_a_threshold_that_is_not_a_share_is_refused(signed_in: Client, story: Story) -> None:
    assert signed_in.get(reverse("projects:investors") + "?below=abc").status_code == 400
    assert signed_in.get(reverse("projects:investors") + "?below=130").status_code == 400


def test_the_map_draws_located_projects_coloured_by_status_with_a_titled_legend(
    signed_in: Client, story: Story
) -> None:
    html = signed_in.get(reverse("projects:map")).content.decode()
    payload = json.loads(
        re.search(r'<script id="pi-map-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    by_code = {item["code"]: item for item in payload["items"]}
    assert set(by_code) == {story.road.code, story.hospital.code}
    assert by_code[story.road.code]["lines"]
    assert by_code[story.road.code]["status"] == "behind"
    assert by_code[story.hospital.code]["points"] == [[106.66, 11.0]]
    assert payload["status_colours"]["behind"] != payload["status_colours"]["on_track"]
    assert payload["geojson"].startswith(reverse("dashboard:boundaries", args=["74"]))
    legend = html[html.index('class="pi-legend"') :]
    assert "31/7/2023" in legend[: legend.index("</figcaption>")]
    assert re.search(r'<li data-status="behind">.*?<strong>1</strong>', legend)


def test_the_disbursement_page_lists_the_slowest_investors_linking_to_their_projects(
    signed_in: Client, story: Story, tree: Tree
) -> None:
    IndicatorFactory(code="PI_DISB_RATE", name="Tỷ lệ giải ngân vốn đầu tư công", unit="%", aggregation="none")
    html = signed_in.get(
        reverse("dashboard:indicator", args=["PI_DISB_RATE"]) + "?org_unit=74&period=202307"
    ).content.decode()
    panel = html[html.index('data-panel="slowest-investors"') :]
    panel = panel[: panel.index("</section>")]
    assert re.findall(r'<li data-investor="(\d+)">', panel) == [
        str(story.transport.pk),
        str(story.district.pk),
        str(story.health.pk),
    ]
    # The investor's projects as at the same day as the panel's figures
    assert f"{reverse('projects:list')}?year=2023&amp;on=2023-07-31&amp;investor={story.transport.pk}" in panel


def test_the_panel_is_not_shown_to_the_public(client: Client, story: Story, tree: Tree) -> None:
    IndicatorFactory(code="PI_DISB_RATE", name="Tỷ lệ giải ngân vốn đầu tư công", unit="%", aggregation="none")
    html = client.get(
        reverse("dashboard:indicator", args=["PI_DISB_RATE"]) + "?org_unit=74&period=202307"
    ).content.decode()
    assert 'data-panel="slowest-investors"' not in html


def test_the_menu_names_public_investment_for_a_signed_in_user(signed_in: Client, story: Story) -> None:
    html = signed_in.get(reverse("projects:list")).content.decode()
    assert f'<a href="{reverse("projects:list")}" aria-current="page">' in html


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_list_and_the_scorecard_ask_as_many_queries_for_many_projects_as_for_few(
    signed_in: Client, story: Story, tree: Tree
) -> None:
    urls = (reverse("projects:list"), reverse("projects:investors") + "?below=30", reverse("projects:map"))
    before = [_queries(signed_in, url) for url in urls]
    more = OrgUnitFactory(code="BQLDA_KV", name="Ban Quản lý dự án khu vực", kind="agency")
    for n in range(6):
        _project(f"79200{n}", f"Trường tiểu học số {n}", more, tree.commune_b1, plan=3_000, disbursed=[n * 100])
    assert [_queries(signed_in, url) for url in urls] == before


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("vi", ("Dự án đầu tư công", "27,5", "Chậm tiến độ")),
        ("en", ("Public investment projects", "27.5", "Behind schedule")),
    ],
)
def test_the_list_speaks_the_readers_language(
    signed_in: Client, story: Story, language: str, expected: tuple[str, str, str]
) -> None:
    heading, share, status = expected
    # A request activates the reader's language in this thread: the default is put back after it.
    with translation.override(language):
        signed_in.post(reverse("set_language"), {"language": language, "next": "/"})
        html = signed_in.get(reverse("projects:list")).content.decode()
    assert f"<h1>{heading} " in html
    row = html[html.index(f'data-code="{story.road.code}"') :]
    row = row[: row.index("</tr>")]
    assert f'data-measure="percent">{share}<' in row
    assert f'data-status="behind">{status}</span>' in row


def test_a_project_without_a_plan_this_year_is_left_off_the_map(signed_in: Client, story: Story, tree: Tree) -> None:
    project_save(
        code="7900001",
        name="Trụ sở UBND phường (đã hoàn thành 2022)",
        investor=story.district,
        group="C",
        sector="government",
        stage=ProjectStage.COMPLETED,
        total_investment=Decimal(12_000),
        locations=[tree.commune_b1],
        geometry={"type": "Point", "coordinates": [106.6, 11.1]},
    )
    html = signed_in.get(reverse("projects:map")).content.decode()
    payload = json.loads(
        re.search(r'<script id="pi-map-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    assert "7900001" not in {item["code"] for item in payload["items"]}
    assert "no_plan" not in payload["status_order"]


def test_the_pages_answer_as_at_a_day_asked_and_keep_it_in_their_links(signed_in: Client, story: Story) -> None:
    # On 31/5/2023 no milestone has passed; the road, 11.000 of 40.000 disbursed (27,5 %), is above
    # the pace of 25,0 % (30 % × 150 / 180 days): on schedule
    html = signed_in.get(reverse("projects:list") + "?year=2023&on=2023-05-31").content.decode()
    assert "31/5/2023" in html
    row = html[html.index(f'data-code="{story.road.code}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-status="on_track"' in row
    assert f"{reverse('projects:detail', args=[story.road.code])}?year=2023&amp;on=2023-05-31" in row


@pytest.mark.parametrize("day", ["2023-08-01", "2022-12-31", "2024-02-01", "2023-02-30"])
def test_a_day_after_today_or_outside_the_plan_year_is_refused(signed_in: Client, story: Story, day: str) -> None:
    assert signed_in.get(reverse("projects:list") + f"?year=2023&on={day}").status_code == 400


def test_the_directive_that_follows_an_obstacle_names_its_project_and_the_obstacle(
    signed_in: Client, story: Story, blocked: Any
) -> None:
    html = signed_in.get(reverse("directives:detail", args=[blocked.directive_id])).content.decode()

    project = blocked.project
    assert f'href="{reverse("projects:detail", args=[project.code])}"' in html
    assert "tháo gỡ vướng mắc:" in html


def test_ids_in_links_and_marks_are_written_without_a_thousands_separator(
    signed_in: Client, story: Story, tree: Tree
) -> None:
    # Ids beyond 999 (any real catalogue): "12345", never "12.345", which names no unit.
    board = OrgUnit.objects.create(pk=12345, code="BQLDA_LON", name="Ban Quản lý dự án lớn", kind="agency")
    _project("7912399", "Dự án của ban lớn", board, tree.commune_a1, plan=100, disbursed=[10])

    html = signed_in.get(reverse("projects:investors")).content.decode()

    assert '<tr data-investor="12345">' in html
    assert "investor=12345" in html
    assert "12.345" not in html


def test_the_plan_year_is_written_as_a_year_without_a_thousands_separator(
    signed_in: Client, story: Story, tree: Tree
) -> None:
    # 2.023 is two thousand and twenty-three to a Vietnamese reader of amounts, never a year.
    IndicatorFactory(code="PI_DISB_RATE", name="Tỷ lệ giải ngân vốn đầu tư công", unit="%", aggregation="none")
    pages = {
        reverse("projects:list"): ["kế hoạch năm 2023, đến ngày"],
        reverse("projects:investors"): ["kế hoạch năm 2023, đến ngày"],
        reverse("projects:map"): ["kế hoạch năm 2023, đến ngày"],
        reverse("projects:detail", args=[story.road.code]): ["Kế hoạch vốn năm 2023, đến ngày", "Vốn năm 2023: giao"],
        reverse("dashboard:indicator", args=["PI_DISB_RATE"]) + "?org_unit=74&period=202307": [
            "giải ngân kế hoạch vốn năm 2023 đến ngày"
        ],
    }

    for url, headings in pages.items():
        html = signed_in.get(url).content.decode()
        for heading in headings:
            assert heading in html, (url, heading)
        assert "năm 2.023" not in html, url
