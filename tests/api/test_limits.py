"""The work one request may ask for: every list's page size, the cells of an analytics question,
and the answer cache keyed by the question, not by how its query string is spelled."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from dieuhanh.analytics.services import rollups_rebuild
from tests.conftest import Tree
from tests.factories import IndicatorFactory, TargetFactory, put

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(tree: Tree) -> Tree:
    revenue = IndicatorFactory(code="REV", is_public=True)
    IndicatorFactory(code="EXP", is_public=True)
    put(revenue, tree.commune_a1, "202301", 10)
    put(revenue, tree.commune_a2, "202301", 7)
    put(revenue, tree.commune_b1, "202301", 5)
    TargetFactory(indicator=revenue, org_unit=tree.province, year_from=2023, value=100)
    return tree


def _list_names(patterns: list[Any], prefix: str = "") -> set[str]:
    """The URL names of every list the API serves (a viewset's ``list``), from the URL conf."""
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= _list_names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern):
            actions = getattr(pattern.callback, "actions", None) or {}
            if actions.get("get") == "list" and pattern.name and "format" not in str(pattern.pattern):
                names.add(pattern.name)
    return names


LISTS = sorted(_list_names(get_resolver().url_patterns))
BAD_PAGES = [
    {"limit": "9223372036854775808"},
    {"limit": "100000"},
    {"limit": "1001"},
    {"limit": "-1"},
    {"limit": "0"},
    {"limit": "abc"},
    {"limit": "１０"},  # full-width digits
    {"limit": "1e3"},
    {"offset": "-1"},
    {"offset": "9223372036854775808"},
    {"offset": "abc"},
]


def test_every_list_of_the_api_is_found_in_the_url_conf() -> None:
    assert {
        "orgunit-list",
        "orgunitgroup-list",
        "succession-list",
        "sector-list",
        "indicator-list",
        "target-list",
        "datavalue-list",
        "import-list",
        "directive-list",
        "directive-source-list",
    } <= set(LISTS)


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("query", BAD_PAGES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()))
def test_a_page_size_or_offset_out_of_range_is_refused_with_a_message(
    figures: Tree, owner_api: APIClient, name: str, query: dict[str, str]
) -> None:
    response = owner_api.get(reverse(name), query)

    assert response.status_code == 400, response.content
    (param,) = query
    assert param in response.json()


@pytest.mark.parametrize("name", LISTS)
def test_an_anonymous_huge_page_is_refused_or_not_served_never_a_server_error(
    figures: Tree, api: APIClient, name: str
) -> None:
    response = api.get(reverse(name), {"limit": "9223372036854775808"})

    # Refused for its size where anyone may read the list; where one must sign in, that comes first
    assert response.status_code in (400, 401, 403), response.content


@pytest.mark.parametrize("name", LISTS)
def test_a_page_of_the_largest_size_is_served(figures: Tree, owner_api: APIClient, name: str) -> None:
    response = owner_api.get(reverse(name), {"limit": "1000", "offset": "0"})

    assert response.status_code == 200, response.content
    assert "results" in response.json()


def test_the_page_size_message_says_the_largest_page_in_vietnamese(figures: Tree, api: APIClient) -> None:
    response = api.get("/api/v1/org-units/", {"limit": "9223372036854775808"})

    (message,) = response.json()["limit"]
    assert "9223372036854775808" in message
    assert "1.000" in message
    assert "offset" in message
    assert "số nguyên" in message


def test_the_largest_page_follows_the_setting(figures: Tree, api: APIClient, settings: Settings) -> None:
    settings.DIEUHANH_MAX_PAGE_SIZE = 2

    refused = api.get("/api/v1/org-units/", {"limit": "3"})
    served = api.get("/api/v1/org-units/", {"limit": "2"})

    assert refused.status_code == 400
    assert served.status_code == 200
    assert len(served.json()["results"]) == 2


def test_the_schema_says_the_largest_page(api: APIClient) -> None:
    schema = api.get("/api/schema/", {"format": "json"}).json()

    (limit,) = [p for p in schema["paths"]["/api/v1/org-units/"]["get"]["parameters"] if p["name"] == "limit"]
    assert limit["schema"]["maximum"] == 1000
    assert limit["schema"]["minimum"] == 1


# The question of the probe: 73 indicators × 122 units × 60 months.
HUGE = {
    "indicator": ",".join(f"I{i}" for i in range(73)),
    "org_unit": ",".join(f"U{u}" for u in range(122)),
    "period": ",".join(f"{2019 + m // 12}{m % 12 + 1:02d}" for m in range(60)),
}


def test_an_oversized_analytics_question_is_refused_before_any_lookup(
    figures: Tree, api: APIClient, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        response = api.get("/api/v1/analytics", HUGE)

    assert response.status_code == 400
    (message,) = response.json()["detail"]
    assert "534.360" in message  # the cells asked
    assert "(73 chỉ tiêu × 122 đơn vị × 60 kỳ)" in message
    assert "20.000" in message  # the maximum
    assert "ít chỉ tiêu, đơn vị hoặc kỳ hơn" in message  # how to narrow


def test_the_cells_are_counted_once_per_code_and_the_maximum_follows_the_setting(
    figures: Tree, api: APIClient, settings: Settings
) -> None:
    settings.DIEUHANH_MAX_ANALYTICS_CELLS = 4
    at_most = {"indicator": "REV,EXP", "org_unit": "718,719,718", "period": "202301"}
    beyond = {"indicator": "REV,EXP", "org_unit": "718,719", "period": "202301,202302"}

    served = api.get("/api/v1/analytics", at_most)
    api.cookies["django_language"] = "en"
    refused = api.get("/api/v1/analytics", beyond)

    assert served.status_code == 200
    assert len(served.json()) == 4
    assert refused.status_code == 400
    assert refused.json()["detail"] == [
        "This question asks for 8 cells (2 indicators × 2 units × 2 periods); one question may ask for at "
        "most 4. Ask for fewer indicators, units or periods, or split the question into several."
    ]


def test_a_ranking_of_more_units_than_the_maximum_is_refused(figures: Tree, api: APIClient, settings: Settings) -> None:
    settings.DIEUHANH_MAX_ANALYTICS_CELLS = 2
    question = {"indicator": "REV", "org_unit": "74", "period": "202301"}

    districts = api.get("/api/v1/analytics/ranking", question)
    api.cookies["django_language"] = "en"
    communes = api.get("/api/v1/analytics/ranking", {**question, "depth": "2"})

    assert districts.status_code == 200
    assert [r["org_unit"] for r in districts.json()] == ["718", "719"]
    assert communes.status_code == 400
    assert communes.json()["detail"] == [
        "This ranking asks for 3 units; one question may ask for at most 2. "
        "Rank the units below a smaller unit, or fewer levels down (depth)."
    ]


@pytest.mark.parametrize("depth", ["9223372036854775808", "11", "0", "-1", "x", "２"])
def test_a_ranking_depth_out_of_range_is_refused(figures: Tree, api: APIClient, depth: str) -> None:
    response = api.get(
        "/api/v1/analytics/ranking", {"indicator": "REV", "org_unit": "74", "period": "202301", "depth": depth}
    )

    assert response.status_code == 400
    assert "depth" in response.json()["detail"][0]


def test_a_ranking_of_several_units_says_what_a_ranking_takes(figures: Tree, api: APIClient) -> None:
    api.cookies["django_language"] = "en"
    response = api.get("/api/v1/analytics/ranking", {"indicator": "REV", "org_unit": "718,719", "period": "202301"})

    assert response.status_code == 400
    assert response.json()["detail"] == ["Ranking takes exactly one indicator, one org unit and one period."]


@pytest.fixture
def rolled(figures: Tree) -> Tree:
    rollups_rebuild()
    return figures


def test_a_junk_parameter_does_not_make_another_question(
    rolled: Tree, api: APIClient, django_assert_num_queries: Any
) -> None:
    question = {"indicator": "REV", "org_unit": "74", "period": "202301"}
    first = api.get("/api/v1/analytics", question).json()

    with django_assert_num_queries(1):  # the stamp of the answer cache, nothing else
        junk = api.get("/api/v1/analytics", {**question, "junk": "8f3a", "nocache": "1"})

    assert junk.status_code == 200
    assert junk.json() == first


def test_the_order_and_spelling_of_the_codes_do_not_make_another_question(
    rolled: Tree, api: APIClient, django_assert_num_queries: Any
) -> None:
    first = api.get("/api/v1/analytics", {"indicator": "REV", "org_unit": "718,719", "period": "202301,2023"})

    with django_assert_num_queries(1):
        swapped = api.get("/api/v1/analytics?period=2023&period=202301&org_unit=719&org_unit=718,719&indicator=REV,REV")

    assert [(r["org_unit"], r["period"]) for r in first.json()] == [
        ("718", "202301"),
        ("718", "2023"),
        ("719", "202301"),
        ("719", "2023"),
    ]
    # The same answer, each row in the order this question named it
    assert [(r["org_unit"], r["period"]) for r in swapped.json()] == [
        ("719", "2023"),
        ("719", "202301"),
        ("718", "2023"),
        ("718", "202301"),
    ]
    assert sorted(swapped.json(), key=str) == sorted(first.json(), key=str)


def test_a_period_written_in_lower_case_is_the_same_question(
    rolled: Tree, api: APIClient, django_assert_num_queries: Any
) -> None:
    TargetFactory(
        indicator=IndicatorFactory(code="GRDP", period_type="quarterly", is_public=True),
        org_unit=rolled.province,
        year_from=2023,
        value=1,
    )
    first = api.get("/api/v1/analytics", {"indicator": "GRDP", "org_unit": "74", "period": "2023Q1"}).json()

    with django_assert_num_queries(1):
        again = api.get("/api/v1/analytics", {"indicator": "GRDP", "org_unit": "74", "period": " 2023q1 "})

    assert again.json() == first
    assert first[0]["period"] == "2023Q1"


def test_a_junk_parameter_does_not_make_another_ranking(
    rolled: Tree, api: APIClient, django_assert_num_queries: Any
) -> None:
    question = {"indicator": "REV", "org_unit": "74", "period": "202301", "depth": "2"}
    first = api.get("/api/v1/analytics/ranking", question).json()

    with django_assert_num_queries(1):
        again = api.get("/api/v1/analytics/ranking", {**question, "_": "1712345678"})

    assert again.json() == first
    assert [r["org_unit"] for r in first] == ["25741", "25744", "25816"]


def test_the_cache_never_crosses_visibility_with_a_normalised_key(
    rolled: Tree, api: APIClient, leader_api: APIClient
) -> None:
    IndicatorFactory(code="SECRET", is_public=False)
    question = {"indicator": "SECRET", "org_unit": "74", "period": "202301"}

    seen = leader_api.get("/api/v1/analytics", question)
    unseen = api.get("/api/v1/analytics", {**question, "junk": "1"})

    assert seen.status_code == 200
    assert unseen.status_code == 400
