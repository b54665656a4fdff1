"""The overview's page cache: served again without recomputing, never after anything it shows changed,
never to someone who may see other figures, in another language, or with another visitor's token."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.services import membership_add
from dieuhanh.dashboard import pagecache, views
from dieuhanh.dashboard.pagecache import PagePart, render_around, visibility_key
from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.models import DataValue
from dieuhanh.figures.services import figure_set
from dieuhanh.indicators.periods import Period
from tests.conftest import Tree
from tests.dashboard.conftest import Plans, count_requests, get
from tests.dashboard.test_overview import rows_of
from tests.factories import TargetFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/?org_unit=74&period=202306"


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The requests for which the overview computed its part (rather than serving it again)."""
    return count_requests(monkeypatch, views, "_overview_part")


def test_the_overview_asked_again_is_served_without_computing_it(
    current: Plans, client: Client, computed: list[str]
) -> None:
    _status, first = get(client, PAGE)
    _status, again = get(client, PAGE)

    assert computed == [PAGE]
    assert rows_of(again) == rows_of(first)
    assert rows_of(again)["REV"]["value"] != "–"


def test_a_changed_figure_shows_on_the_next_request(current: Plans, client: Client) -> None:
    # Given the province's page, kept
    _status, html = get(client, PAGE)
    before = rows_of(html)["REV"]["value"]

    # When a commune's June figure changes through the figures service (the import's and the API's path)
    figure_set(
        indicator=current.rev,
        org_unit=current.tree.commune_a1,
        period=Period.parse("202306"),
        value=Decimal(100000),
        status=DataValueStatus.APPROVED,
    )

    # Then the next request shows the new sum
    _status, html = get(client, PAGE)
    assert rows_of(html)["REV"]["value"] != before
    assert rows_of(html)["REV"]["value"].startswith("100.")


def test_a_figure_written_outside_the_services_is_not_served_from_the_cache(
    current: Plans, client: Client, computed: list[str]
) -> None:
    get(client, PAGE)

    # A figure saved directly (the admin, a shell) makes the rollups invalid: no stamp, nothing kept.
    value = DataValue.objects.get(indicator=current.rev, org_unit=current.tree.commune_a1, period="202306")
    value.value = Decimal(100000)
    value.save()
    _status, html = get(client, PAGE)

    assert len(computed) == 2
    assert rows_of(html)["REV"]["value"].startswith("100.")


def test_a_changed_target_shows_on_the_next_request(current: Plans, client: Client) -> None:
    _status, html = get(client, PAGE)
    assert rows_of(html)["NOPLAN"]["plan"] == "–"

    TargetFactory(indicator=current.noplan, org_unit=current.tree.province, value=77)

    _status, html = get(client, PAGE)
    assert rows_of(html)["NOPLAN"]["plan"] == "77,0"


def test_a_renamed_indicator_shows_on_the_next_request(current: Plans, client: Client) -> None:
    _status, html = get(client, PAGE)
    assert "Thu ngân sách" in html

    current.rev.name = "Tổng thu ngân sách nhà nước"
    current.rev.save()

    _status, html = get(client, PAGE)
    assert "Tổng thu ngân sách nhà nước" in html


def test_a_renamed_sector_shows_on_the_next_request(current: Plans, client: Client) -> None:
    _status, html = get(client, PAGE)
    assert "Kinh tế" in html

    sector = current.rev.sector
    assert sector is not None
    sector.name = "Kinh tế - Tài chính"
    sector.save()

    _status, html = get(client, PAGE)
    assert "Kinh tế - Tài chính" in html


def test_each_language_gets_its_own_page(current: Plans, client: Client) -> None:
    _status, vietnamese = get(client, PAGE)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(PAGE).content.decode()

    assert "<h1>Tổng quan</h1>" in vietnamese
    assert "<h1>Overview</h1>" in english
    assert "Indicators of" in english
    assert "Indicators of" not in vietnamese


def test_an_anonymous_visitor_never_gets_the_page_kept_for_a_signed_in_user(
    current: Plans, client: Client, leader: Any
) -> None:
    # Given a signed-in user's page, which shows the internal indicator
    client.force_login(leader)
    _status, signed_in = get(client, PAGE)
    assert "SECRET" in rows_of(signed_in)

    # When an anonymous visitor asks the same address
    visitor = Client()
    _status, anonymous = get(visitor, PAGE)

    # Then they get the public page, and the signed-in user still their own
    assert "SECRET" not in rows_of(anonymous)
    assert "Chỉ tiêu nội bộ" not in anonymous
    _status, again = get(client, PAGE)
    assert "SECRET" in rows_of(again)


def test_a_kept_page_carries_each_visitors_own_name_and_csrf_token(
    current: Plans, client: Client, colleague: Any, owner: Any
) -> None:
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    one = first.get(PAGE).content.decode()
    two = second.get(PAGE).content.decode()

    # The second visitor's token belongs to their own cookie: their language switch is accepted.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', two)
    assert token is not None
    assert token.group(1) not in one
    response = second.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302

    client.force_login(colleague)
    assert '<span class="site-tools__user">colleague</span>' in client.get(PAGE).content.decode()
    client.force_login(owner)
    html = client.get(PAGE).content.decode()
    assert '<span class="site-tools__user">owner</span>' in html
    assert "colleague" not in html


def test_other_query_parameters_do_not_make_another_page(current: Plans, client: Client, computed: list[str]) -> None:
    get(client, PAGE)
    get(client, PAGE + "&utm_source=mail&_=1")
    get(client, "/?period=202306&org_unit=74")

    assert computed == [PAGE]


def test_another_unit_or_period_is_another_page(current: Plans, client: Client, computed: list[str]) -> None:
    get(client, PAGE)
    get(client, "/?org_unit=718&period=202306")
    get(client, "/?org_unit=74&period=2023Q2")

    assert len(computed) == 3


def test_an_htmx_result_is_kept_apart_from_the_page_and_keeps_its_address(
    current: Plans, client: Client, computed: list[str]
) -> None:
    url = "/?org_unit=718&period=202306"
    page = client.get(url).content.decode()
    first = client.get(url, headers={"HX-Request": "true"})
    again = client.get(url, headers={"HX-Request": "true"})

    assert "<form" in page
    assert "<form" not in again.content.decode()
    assert again["HX-Push-Url"] == first["HX-Push-Url"] == url
    assert again.content == first.content
    assert len(computed) == 2


def test_nothing_is_kept_when_the_answer_cache_is_off(
    current: Plans, client: Client, computed: list[str], settings: Any
) -> None:
    settings.DIEUHANH_ANALYTICS_CACHE_SECONDS = 0

    get(client, PAGE)
    get(client, PAGE)

    assert len(computed) == 2


def test_the_overview_served_again_costs_two_queries(
    current: Plans, client: Client, django_assert_num_queries: Any
) -> None:
    get(client, PAGE)

    # The answers' stamp and the sample-data banner.
    with django_assert_num_queries(2):
        get(client, PAGE)


@pytest.fixture
def decompressed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the parts decompressed from the pages cache."""
    sizes: list[int] = []
    decompress = pagecache.zlib.decompress

    def counting(data: bytes) -> bytes:
        out = decompress(data)
        sizes.append(len(out))
        return out

    monkeypatch.setattr(pagecache.zlib, "decompress", counting)
    return sizes


def test_the_page_asked_most_recently_is_served_without_decompressing_it(
    current: Plans, client: Client, computed: list[str], decompressed: list[int]
) -> None:
    first = client.get(PAGE).content
    again = client.get(PAGE).content
    htmx = client.get(PAGE, headers={"HX-Request": "true"}).content
    htmx_again = client.get(PAGE, headers={"HX-Request": "true"}).content

    assert len(computed) == 2
    assert decompressed == []
    assert htmx_again == htmx
    assert rows_of(again.decode()) == rows_of(first.decode()) == rows_of(htmx.decode())
    assert rows_of(first.decode())["REV"]["value"] != "–"


def test_a_part_no_longer_among_the_recent_ones_is_decompressed_and_kept_with_them_again(
    current: Plans, client: Client, computed: list[str], decompressed: list[int]
) -> None:
    first = client.get(PAGE).content
    caches["pages-hot"].clear()  # as when other pages have pushed it out

    again = client.get(PAGE).content
    once_more = client.get(PAGE).content

    assert computed == [PAGE]
    assert len(decompressed) == 1
    assert rows_of(again.decode()) == rows_of(once_more.decode()) == rows_of(first.decode())


def test_the_frame_must_write_the_parts_slot_exactly_once(rf: RequestFactory) -> None:
    request = rf.get("/")
    request.user = AnonymousUser()
    part = PagePart.rendered("<p>Tăng trưởng GRDP 6,2 %</p>")

    with pytest.raises(ImproperlyConfigured):
        render_around(request, "dashboard/overview.html", {"body": "no slot here"}, part)
    html = render_around(request, "dashboard/overview.html", {"body": pagecache.slot()}, part).content.decode()
    assert html.count("<p>Tăng trưởng GRDP 6,2 %</p>") == 1
    assert "dieuhanh-part" not in html


def test_the_visibility_key_tells_apart_what_each_scope_sees(
    tree: Tree, colleague: Any, owner: Any, leader: Any
) -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert visibility_key(request) == "public"

    def key(user: Any) -> str:
        request.user = user
        return visibility_key(request)

    reporter = UserFactory(username="reporter-718")
    membership_add(user=reporter, role=Role.REPORTER, org_unit=tree.district_a)
    keys = {"no role": key(colleague), "leader": key(leader), "administrator": key(owner), "reporter": key(reporter)}
    assert key(colleague) == keys["no role"]  # stable from one request to the next
    # A signed-in page is never an anonymous one; the province's leaders and its administrators see
    # everything alike and share a page; a district's reporter sees its own.
    assert "public" not in keys.values()
    assert keys["leader"] == keys["administrator"]
    assert len({keys["no role"], keys["leader"], keys["reporter"]}) == 3
