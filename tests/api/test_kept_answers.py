"""Analytics answers asked for as JSON are written once and kept: asked again, the same bytes go out
without being written again, in the order each question names its codes, never after a change."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from dieuhanh import api as api_module
from dieuhanh.analytics.services import rollups_rebuild
from dieuhanh.api import ExactJSONRenderer, RenderedJSON
from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.ingest.services import import_file
from tests.conftest import Tree
from tests.factories import IndicatorFactory, put

pytestmark = pytest.mark.django_db

OVERVIEW = {"indicator": "REV,EXP", "org_unit": "74,718", "period": "202301"}
RANKING = {"indicator": "REV", "org_unit": "74", "period": "202301", "depth": "2"}


@pytest.fixture
def figures(tree: Tree) -> Tree:
    revenue = IndicatorFactory(code="REV", is_public=True)
    spending = IndicatorFactory(code="EXP", is_public=True)
    put(revenue, tree.commune_a1, "202301", "10.125")
    put(revenue, tree.commune_a2, "202301", 3)
    put(revenue, tree.commune_b1, "202301", 5)
    put(spending, tree.commune_a1, "202301", 7)
    rollups_rebuild()
    return tree


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many answers the API's renderer writes out (an answer kept is sent without it)."""
    written: list[int] = []
    render = api_module._MarkedJSONRenderer.render

    def counted(self: Any, data: Any, *args: Any, **kwargs: Any) -> bytes:
        written.append(1)
        return render(self, data, *args, **kwargs)

    monkeypatch.setattr(api_module._MarkedJSONRenderer, "render", counted)
    return written


@pytest.mark.parametrize(("path", "query"), [("/api/v1/analytics", OVERVIEW), ("/api/v1/analytics/ranking", RANKING)])
def test_an_answer_asked_again_goes_out_as_it_was_written(
    figures: Tree, api: APIClient, writes: list[int], path: str, query: dict[str, str]
) -> None:
    first = api.get(path, query)
    again = api.get(path, {**query, "junk": "1"})  # another parameter is the same question

    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"] == "application/json"
    assert len(writes) == 1


def test_a_kept_answer_keeps_every_digit(figures: Tree, api: APIClient) -> None:
    api.get("/api/v1/analytics", OVERVIEW)

    again = api.get("/api/v1/analytics", OVERVIEW)

    [row] = [
        r for r in json.loads(again.content, parse_float=Decimal) if r["org_unit"] == "718" and r["indicator"] == "REV"
    ]
    assert row["value"] == Decimal("13.125")
    assert b'"value":13.125' in again.content


def test_the_same_codes_in_another_order_are_answered_in_that_order(figures: Tree, api: APIClient) -> None:
    api.get("/api/v1/analytics", OVERVIEW)

    other = api.get("/api/v1/analytics", {"indicator": "EXP,REV", "org_unit": "718,74", "period": "202301"}).json()

    assert [(r["indicator"], r["org_unit"]) for r in other] == [
        ("EXP", "718"),
        ("EXP", "74"),
        ("REV", "718"),
        ("REV", "74"),
    ]


def test_an_indented_answer_and_the_browsable_api_are_not_served_the_kept_json(figures: Tree, api: APIClient) -> None:
    compact = api.get("/api/v1/analytics", OVERVIEW)

    indented = api.get("/api/v1/analytics", OVERVIEW, HTTP_ACCEPT="application/json; indent=2")
    page = api.get("/api/v1/analytics", {**OVERVIEW, "format": "api"})
    compact_again = api.get("/api/v1/analytics", OVERVIEW)

    assert indented.content.startswith(b"[\n  {\n")
    assert json.loads(indented.content) == json.loads(compact.content)
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert compact_again.content == compact.content


def test_an_import_changes_the_kept_answer_at_once(figures: Tree, api: APIClient) -> None:
    before = api.get("/api/v1/analytics/ranking", RANKING).json()

    import_file(
        content=b"indicator,org_unit,period,value\nREV,25816,202301,50\n",
        filename="x.csv",
        status=DataValueStatus.APPROVED,
    )
    after = api.get("/api/v1/analytics/ranking", RANKING).json()

    assert before[0]["org_unit"] == "25741"
    assert (after[0]["org_unit"], after[0]["value"]) == ("25816", 50)


def test_answers_kept_for_one_visitor_are_not_served_to_another(
    tree: Tree, api: APIClient, leader_api: APIClient
) -> None:
    secret = IndicatorFactory(code="SECRET", is_public=False)
    put(secret, tree.district_a, "202301", 1)
    rollups_rebuild()
    query = {"indicator": "SECRET", "org_unit": "74", "period": "202301"}

    seen = leader_api.get("/api/v1/analytics", query)
    unseen = api.get("/api/v1/analytics", query)

    assert seen.status_code == 200
    assert unseen.status_code == 400


def test_the_renderer_sends_a_rendered_answer_as_it_is_and_writes_decimals_exactly() -> None:
    renderer = ExactJSONRenderer()

    written = renderer.rendered([{"value": Decimal("12345678901234.567891"), "name": "Thủ Dầu Một"}])

    assert isinstance(written, RenderedJSON)
    assert bytes(written) == '[{"value":12345678901234.567891,"name":"Thủ Dầu Một"}]'.encode()
    assert renderer.render(written, "application/json", {}) == bytes(written)
    assert renderer.keeps("application/json")
    assert not renderer.keeps("application/json; indent=4")
