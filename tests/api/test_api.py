"""The REST API: anonymous reads of public data, token-authenticated writes, analytics, imports, schema."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from dieuhanh.figures.models import DataValue, DataValueChange
from dieuhanh.indicators.models import Indicator
from dieuhanh.orgunits.models import OrgUnit
from tests.conftest import Tree
from tests.factories import IndicatorFactory, TargetFactory, put

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(tree: Tree) -> Tree:
    public = IndicatorFactory(code="REV", is_public=True)
    internal = IndicatorFactory(code="SECRET", is_public=False)
    put(public, tree.district_a, "202301", 10)
    put(public, tree.district_b, "202301", 5)
    put(internal, tree.district_a, "202301", 1)
    TargetFactory(indicator=public, org_unit=tree.province, year_from=2023, value=100)
    TargetFactory(indicator=internal, org_unit=tree.province, year_from=2023, value=100)
    return tree


def test_anonymous_users_read_only_public_indicators_values_and_targets(figures: Tree, api: APIClient) -> None:
    indicators = api.get("/api/v1/indicators/").json()["results"]
    values = api.get("/api/v1/data-values/").json()["results"]
    targets = api.get("/api/v1/targets/").json()["results"]

    assert [i["code"] for i in indicators] == ["REV"]
    assert {v["indicator"] for v in values} == {"REV"}
    assert {t["indicator"] for t in targets} == {"REV"}
    assert api.get("/api/v1/indicators/SECRET/").status_code == 404


def test_a_leader_reads_every_indicator(figures: Tree, leader_api: APIClient) -> None:
    indicators = leader_api.get("/api/v1/indicators/").json()["results"]

    assert {i["code"] for i in indicators} == {"REV", "SECRET"}


def test_a_user_signed_in_without_a_role_reads_what_the_public_reads(figures: Tree, colleague_api: APIClient) -> None:
    indicators = colleague_api.get("/api/v1/indicators/").json()["results"]
    values = colleague_api.get("/api/v1/data-values/").json()["results"]

    assert {i["code"] for i in indicators} == {"REV"}
    assert {v["indicator"] for v in values} == {"REV"}


def test_anonymous_analytics_of_an_internal_indicator_is_refused(figures: Tree, api: APIClient) -> None:
    response = api.get("/api/v1/analytics", {"indicator": "SECRET", "org_unit": "74", "period": "202301"})

    assert response.status_code == 400
    assert "SECRET" in json.dumps(response.json(), ensure_ascii=False)


def test_the_analytics_endpoint_returns_what_the_command_prints(
    figures: Tree, api: APIClient, capsys: pytest.CaptureFixture[str]
) -> None:
    query = {"indicator": "REV", "org_unit": "74,718", "period": "202301,2023"}

    response = api.get("/api/v1/analytics", query)
    call_command("analytics", indicator="REV", org_unit="74,718", period="202301,2023")

    assert response.status_code == 200
    assert response.json() == json.loads(capsys.readouterr().out)
    assert response.json()[0]["value"] == 15


def test_the_analytics_endpoint_explains_a_bad_query(figures: Tree, api: APIClient) -> None:
    response = api.get("/api/v1/analytics", {"indicator": "REV", "period": "2023-01"})

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert len(detail) == 2  # no org unit, and a malformed period


# A unit that never changed: its figure is its own, never re-based (tests/analytics/test_rebased.py has the others).
NOT_REBASED = {"rebased": False, "missing_reason": None, "missing_units": [], "basis": "approved", "unapproved": False}


def test_the_ranking_endpoint_lists_children_best_first(figures: Tree, api: APIClient) -> None:
    response = api.get("/api/v1/analytics/ranking", {"indicator": "REV", "org_unit": "74", "period": "202301"})

    assert response.json() == [
        {"rank": 1, "org_unit": "718", "name": "Thành phố Thủ Dầu Một", "value": 10, **NOT_REBASED},
        {"rank": 2, "org_unit": "719", "name": "Huyện Bàu Bàng", "value": 5, **NOT_REBASED},
    ]


def test_data_values_filter_by_indicator_unit_and_period(figures: Tree, leader_api: APIClient) -> None:
    put(Indicator.objects.get(code="REV"), figures.district_a, "202302", 11)

    results = leader_api.get(
        "/api/v1/data-values/", {"indicator": "REV", "org_unit": "718", "period": "2023Q1"}
    ).json()["results"]
    children = leader_api.get("/api/v1/data-values/", {"children_of": "74", "period": "202301"}).json()["results"]

    assert [(v["period"], v["value"]) for v in results] == [("202301", 10), ("202302", 11)]
    assert {(v["indicator"], v["org_unit"]) for v in children} == {("REV", "718"), ("REV", "719"), ("SECRET", "718")}


def test_writing_needs_a_token_of_a_user_with_permission(
    figures: Tree, api: APIClient, colleague_api: APIClient
) -> None:
    body = {"indicator": "REV", "org_unit": "718", "period": "202303", "value": 7}

    assert api.post("/api/v1/data-values/", body, format="json").status_code == 401
    assert colleague_api.post("/api/v1/data-values/", body, format="json").status_code == 403
    assert not DataValue.objects.filter(period="202303").exists()


def test_a_value_written_through_the_api_is_checked_and_audited(figures: Tree, owner_api: APIClient, owner) -> None:  # type: ignore[no-untyped-def]
    created = owner_api.post(
        "/api/v1/data-values/", {"indicator": "REV", "org_unit": "718", "period": "202303", "value": 7}, format="json"
    )
    updated = owner_api.patch(f"/api/v1/data-values/{created.json()['id']}/", {"value": 8}, format="json")
    wrong = owner_api.post(
        "/api/v1/data-values/", {"indicator": "REV", "org_unit": "718", "period": "2023Q3", "value": 7}, format="json"
    )

    assert created.status_code == 201
    assert updated.status_code == 200
    assert updated.json()["value"] == 8
    assert wrong.status_code == 400
    assert DataValue.objects.get(pk=created.json()["id"]).created_by == owner
    assert [(c.action, c.old_value, c.new_value, c.changed_by) for c in DataValueChange.objects.order_by("id")] == [
        ("update", Decimal(7), Decimal(8), owner),
    ]

    deleted = owner_api.delete(f"/api/v1/data-values/{created.json()['id']}/")
    assert deleted.status_code == 204
    assert DataValueChange.objects.order_by("id").last().action == "delete"


def test_a_file_imported_through_the_api_reports_counts_or_every_error(figures: Tree, owner_api: APIClient) -> None:
    good = SimpleUploadedFile("a.csv", b"indicator,org_unit,period,value\nREV,718,202302,3\nREV,719,202302,4\n")
    bad = SimpleUploadedFile("b.csv", b"indicator,org_unit,period,value\nREV,718,202303,x\nREV,7,202303,1\n")

    ok = owner_api.post("/api/v1/imports/", {"file": good}, format="multipart")
    rejected = owner_api.post("/api/v1/imports/", {"file": bad}, format="multipart")
    report = owner_api.get(f"/api/v1/imports/{rejected.json()['id']}/errors/")

    assert ok.status_code == 201
    assert ok.json()["rows_created"] == 2
    assert rejected.status_code == 400
    assert [e["line"] for e in rejected.json()["errors"]] == [2, 3]
    assert report.status_code == 200
    assert report["Content-Type"].startswith("text/csv")
    assert not DataValue.objects.filter(period="202303").exists()


def test_importing_through_the_api_needs_the_import_permission(
    figures: Tree, colleague_api: APIClient, api: APIClient
) -> None:
    upload = SimpleUploadedFile("a.csv", b"indicator,org_unit,period,value\nREV,718,202302,3\n")

    assert api.post("/api/v1/imports/", {"file": upload}, format="multipart").status_code == 401
    assert colleague_api.post("/api/v1/imports/", {"file": upload}, format="multipart").status_code == 403


def test_catalogue_writes_keep_ratio_rules(figures: Tree, owner_api: APIClient) -> None:
    response = owner_api.post(
        "/api/v1/indicators/", {"code": "R", "name": "Tỷ lệ", "aggregation": "ratio", "numerator": "REV"}, format="json"
    )

    assert response.status_code == 400
    assert "denominator" in response.json()


def test_the_api_refuses_a_ratio_the_catalogue_loader_refuses(figures: Tree, owner_api: APIClient) -> None:
    """One ratio rule for the API, the admin and the loader: a monthly ratio over a quarterly
    numerator was accepted by the API (201) while the loader refused it."""
    from dieuhanh.indicators.metadata import MetadataError, metadata_load

    IndicatorFactory(code="QREV", period_type="quarterly")
    ratio = {"code": "R", "name": "Tỷ lệ", "aggregation": "ratio", "numerator": "QREV", "denominator": "REV"}

    response = owner_api.post("/api/v1/indicators/", {**ratio, "period_type": "monthly"}, format="json")
    with pytest.raises(MetadataError) as loader:
        metadata_load(document={"indicators": [{**ratio, "period_type": "monthly"}]})

    assert response.status_code == 400
    [said] = response.json()["numerator"]
    assert "'QREV'" in said
    assert loader.value.errors == [f"indicators[0].numerator: {said}"]
    assert owner_api.post("/api/v1/indicators/", {**ratio, "numerator": "REV"}, format="json").status_code == 201


def test_deleting_a_unit_that_has_figures_is_refused_with_a_message(figures: Tree, owner_api: APIClient) -> None:
    response = owner_api.delete("/api/v1/org-units/718/")

    assert response.status_code == 400


def test_org_units_filter_by_parent_and_validity(figures: Tree, api: APIClient) -> None:
    children = api.get("/api/v1/org-units/", {"parent": "74"}).json()["results"]

    assert [u["code"] for u in children] == ["718", "719"]
    assert api.get("/api/v1/org-units/", {"valid_on": "2023-01-01"}).json()["count"] == 6


def test_the_openapi_schema_and_docs_are_served(api: APIClient) -> None:
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = api.get("/api/docs/")

    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    assert {"/api/v1/analytics", "/api/v1/data-values/", "/api/v1/imports/", "/api/v1/indicators/"} <= set(paths)
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_an_oversized_upload_is_refused_before_it_is_read(
    figures: Tree, owner_api: APIClient, settings: Settings
) -> None:
    settings.DIEUHANH_IMPORT_MAX_BYTES = 10
    upload = SimpleUploadedFile("big.csv", b"indicator,org_unit,period,value\nREV,718,202302,3\n")

    response = owner_api.post("/api/v1/imports/", {"file": upload}, format="multipart")

    assert response.status_code == 400
    assert "file" in response.json()
    assert not DataValue.objects.filter(period="202302").exists()


def test_the_ranking_endpoint_reaches_grandchildren(figures: Tree, api: APIClient) -> None:
    put(Indicator.objects.get(code="REV"), figures.commune_a1, "202302", 4)

    response = api.get(
        "/api/v1/analytics/ranking", {"indicator": "REV", "org_unit": "74", "period": "202302", "depth": "2"}
    )
    bad = api.get("/api/v1/analytics/ranking", {"indicator": "REV", "org_unit": "74", "period": "202302", "depth": "x"})

    assert [(r["rank"], r["org_unit"]) for r in response.json()] == [(1, "25741"), (None, "25744"), (None, "25816")]
    assert bad.status_code == 400


def test_a_repeated_api_question_costs_one_query_and_never_crosses_visibility(
    figures: Tree, api: APIClient, leader_api: APIClient, django_assert_num_queries: Any
) -> None:
    from dieuhanh.analytics.services import rollups_rebuild

    rollups_rebuild()
    query = {"indicator": "REV", "org_unit": "74", "period": "202301"}
    first = api.get("/api/v1/analytics", query).json()

    with django_assert_num_queries(1):
        again = api.get("/api/v1/analytics", query).json()
    internal = {"indicator": "SECRET", "org_unit": "74", "period": "202301"}
    seen = leader_api.get("/api/v1/analytics", internal)
    unseen = api.get("/api/v1/analytics", internal)

    assert again == first
    assert seen.status_code == 200
    assert unseen.status_code == 400


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"min_value": 5, "max_value": 1}, "max_value"),  # the model's rule (the loader had its own words)
        ({"decimals": 9}, "decimals"),  # the loader's rule, which the API did not have
        ({"period_type": "weekly"}, "period_type"),  # the field's choices, with what is allowed
    ],
)
def test_the_api_and_the_loader_refuse_an_indicator_with_the_same_words(
    figures: Tree, owner_api: APIClient, body: dict[str, Any], field: str
) -> None:
    from dieuhanh.indicators.metadata import MetadataError, metadata_load

    indicator = {"code": "P", "name": "P", **body}

    response = owner_api.post("/api/v1/indicators/", indicator, format="json")
    with pytest.raises(MetadataError) as loader:
        metadata_load(document={"indicators": [indicator]})

    assert response.status_code == 400
    [said] = response.json()[field]
    assert loader.value.errors == [f"indicators[0].{field}: {said}"]


def test_a_unit_cannot_be_moved_under_its_own_descendant_through_the_api(figures: Tree, owner_api: APIClient) -> None:
    response = owner_api.patch("/api/v1/org-units/74/", {"parent": "25741"}, format="json")

    assert response.status_code == 400
    assert "parent" in response.json()
    assert OrgUnit.objects.get(code="74").parent is None


def test_groups_and_successions_are_read_by_anyone_and_written_with_permission(
    figures: Tree, api: APIClient, colleague_api: APIClient, owner_api: APIClient
) -> None:
    group = {"code": "NORTH", "name": "Phía Bắc", "members": ["718", "25741"]}
    succession = {"predecessor": "25741", "successor": "25744", "effective_date": "2025-07-01"}

    assert api.post("/api/v1/org-unit-groups/", group, format="json").status_code == 401
    assert colleague_api.post("/api/v1/successions/", succession, format="json").status_code == 403
    assert owner_api.post("/api/v1/org-unit-groups/", group, format="json").status_code == 201
    assert owner_api.post("/api/v1/successions/", succession, format="json").status_code == 201
    wrong = owner_api.post("/api/v1/successions/", {**succession, "share": Decimal("0.5")}, format="json")

    assert api.get("/api/v1/org-unit-groups/NORTH/").json() == {
        "code": "NORTH",
        "name": "Phía Bắc",
        "members": ["718", "25741"],
    }
    assert [
        (s["predecessor"], s["successor"], s["merge_type"]) for s in api.get("/api/v1/successions/").json()["results"]
    ] == [("25741", "25744", "whole")]
    assert wrong.status_code == 400
    assert set(wrong.json()) == {"share", "non_field_errors"}  # a whole merge with a share; the pair again


def test_the_api_and_the_loader_refuse_a_succession_with_the_same_words(figures: Tree, owner_api: APIClient) -> None:
    from dieuhanh.indicators.metadata import MetadataError, metadata_load

    succession = {
        "predecessor": "25741",
        "successor": "25816",
        "effective_date": "2025-07-01",
        "merge_type": "part",
        "share": 1.5,
    }

    response = owner_api.post("/api/v1/successions/", succession, format="json")
    with pytest.raises(MetadataError) as loader:
        metadata_load(document={"successions": [succession]})

    assert response.status_code == 400
    [said] = response.json()["share"]
    assert loader.value.errors == [f"successions[0].share: {said}"]


def test_analytics_answers_write_every_digit_of_a_figure_not_a_float(
    tree: Tree, api: APIClient, capsys: pytest.CaptureFixture[str]
) -> None:
    # 20 significant digits: a float keeps 15 to 17 (12345678901234.568).
    revenue = IndicatorFactory(code="REV", is_public=True)
    put(revenue, tree.district_a, "202301", "12345678901234.567891")
    put(revenue, tree.district_b, "202301", "0.000001")
    query = {"indicator": "REV", "org_unit": "74", "period": "202301"}

    measures = api.get("/api/v1/analytics", query)
    ranking = api.get("/api/v1/analytics/ranking", query)
    call_command("analytics", indicator="REV", org_unit="74", period="202301")
    printed = capsys.readouterr().out

    assert '"value":12345678901234.567892' in measures.content.decode().replace(" ", "")
    assert '"value":12345678901234.567891' in ranking.content.decode().replace(" ", "")
    assert json.loads(measures.content, parse_float=Decimal)[0]["value"] == Decimal("12345678901234.567892")
    assert json.loads(printed, parse_float=Decimal)[0]["value"] == Decimal("12345678901234.567892")
    assert json.loads(ranking.content, parse_float=Decimal)[1]["value"] == Decimal("0.000001")
