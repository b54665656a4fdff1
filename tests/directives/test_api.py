"""The directives API: sign-in to read, permissions to write, writes through the services, documented."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from dieuhanh.accounts.services import api_token_create
from dieuhanh.directives.models import Directive, SourceDocument
from tests.directives.conftest import Clock, Province
from tests.directives.helpers import add, complete

pytestmark = pytest.mark.django_db


def client_for(user: object) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user).key}")
    return client


def test_anonymous_callers_see_no_directive(source: SourceDocument) -> None:
    add(source, lead="SYT")

    response = APIClient().get("/api/v1/directives/")

    assert response.status_code in (401, 403)


def test_a_signed_in_colleague_reads_and_filters_by_status_and_agency(
    clock: Clock, source: SourceDocument, province: Province, outsider: object
) -> None:
    add(source, "A", lead="SYT", deadline=dt.date(2024, 9, 1))
    add(source, "B", lead="STC", deadline=dt.date(2024, 12, 1))
    api = client_for(outsider)

    overdue = api.get("/api/v1/directives/", {"status": "overdue"}).json()
    finance = api.get("/api/v1/directives/", {"agency": "STC"}).json()
    unknown = api.get("/api/v1/directives/", {"agency": "NOPE"})

    assert [d["content"] for d in overdue["results"]] == ["A"]
    assert overdue["results"][0]["days_overdue"] == 11
    assert [d["lead_agency"] for d in finance["results"]] == ["STC"]
    assert unknown.status_code == 400


def test_writes_need_the_permission(source: SourceDocument, outsider: object, office_user: object) -> None:
    body = {"source": source.pk, "content": "Rà soát.", "lead_agency": "SYT", "recurrence": "monthly:20"}

    refused = client_for(outsider).post("/api/v1/directives/", body, format="json")
    created = client_for(office_user).post("/api/v1/directives/", body, format="json")

    assert refused.status_code == 403
    assert created.status_code == 201
    assert created.json()["recurrence"] == "monthly:20"
    assert created.json()["due_date"] == "2024-09-20"


def test_a_bad_write_gets_a_400_with_the_reasons(source: SourceDocument, office_user: object) -> None:
    response = client_for(office_user).post(
        "/api/v1/directives/", {"source": source.pk, "content": "x", "lead_agency": "SXX"}, format="json"
    )

    assert response.status_code == 400
    assert "SXX" in str(response.json())
    assert Directive.objects.count() == 0


def test_an_extended_deadline_is_a_patch(clock: Clock, source: SourceDocument, office_user: object) -> None:
    directive = add(source, lead="SYT", deadline=dt.date(2024, 9, 1))

    response = client_for(office_user).patch(
        f"/api/v1/directives/{directive.pk}/", {"deadline": "2024-10-31"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["deadline"], response.json()["status"]) == ("2024-10-31", "in_progress")


def test_the_lead_agency_reports_and_the_office_confirms(
    clock: Clock, source: SourceDocument, reporter: object, office_user: object, outsider: object
) -> None:
    directive = add(source, lead="SYT", deadline=dt.date(2024, 9, 30))

    refused = client_for(outsider).post(f"/api/v1/directives/{directive.pk}/progress/", {"percent": 100, "text": "x"})
    report = client_for(reporter).post(
        f"/api/v1/directives/{directive.pk}/progress/", {"percent": 100, "text": "Đã hoàn thành."}
    )
    not_office = client_for(reporter).post(
        f"/api/v1/directives/{directive.pk}/review/", {"update": report.json()["id"], "accept": True}, format="json"
    )
    confirmed = client_for(office_user).post(
        f"/api/v1/directives/{directive.pk}/review/", {"update": report.json()["id"], "accept": True}, format="json"
    )

    assert refused.status_code == 403
    assert (report.status_code, report.json()["review"]) == (201, "pending")
    assert not_office.status_code == 403
    assert (confirmed.status_code, confirmed.json()["review"]) == (200, "accepted")
    assert client_for(reporter).get(f"/api/v1/directives/{directive.pk}/").json()["status"] == "done_on_time"


def test_extraction_answers_the_same_array_as_the_command(province: Province, office_user: object) -> None:
    text = "Giao Sở Y tế khẩn trương đưa bệnh viện vào hoạt động trong tháng 11/2023."

    response = client_for(office_user).post(
        "/api/v1/directives/extract/", {"text": text, "date": "2023-07-20"}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == [
        {
            "content": text,
            "lead_agency": "SYT",
            "lead_agency_text": "Sở Y tế",
            "coordinating_agencies": [],
            "coordinating_agencies_text": [],
            "deadline": "2023-11-30",
            "recurrence": None,
            "source_sentence": text,
        }
    ]


def test_scorecards_and_sources_are_served(clock: Clock, source: SourceDocument, outsider: object) -> None:
    add(source, lead="SYT", deadline=dt.date(2024, 9, 1))
    api = client_for(outsider)

    cards = api.get("/api/v1/directives/scorecards/", {"period": "2024"}).json()
    sources = api.get("/api/v1/directives/sources/").json()
    bad = api.get("/api/v1/directives/scorecards/", {"period": "2024-13"})

    assert {c["org_unit"]: (c["directives_assigned"], c["directives_overdue"]) for c in cards} == {
        "74": (1, 1),
        "SYT": (1, 1),
    }
    assert sources["results"][0]["directives"] == 1
    assert bad.status_code == 400


def test_the_list_costs_the_same_queries_for_three_or_thirty_directives(
    clock: Clock, source: SourceDocument, province: Province, outsider: object
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = client_for(outsider)

    def cost() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/directives/", {"as_of": "2024-09-12", "status": "in_progress"}).status_code == 200
        return len(captured)

    cost()  # the token's first use of the minute records when it was used: not the list's cost
    for i in range(3):
        add(source, f"Việc {i}", lead="SYT", deadline=dt.date(2024, 10, 1 + i), coordinating=["STC"])
    few = cost()
    for i in range(3, 30):
        add(source, f"Việc {i}", lead="STC", deadline=dt.date(2024, 10, 1 + i % 28), coordinating=["SYT"])

    assert cost() == few


def test_the_openapi_schema_documents_the_directive_endpoints() -> None:
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()

    assert {
        "/api/v1/directives/",
        "/api/v1/directives/{id}/",
        "/api/v1/directives/{id}/progress/",
        "/api/v1/directives/{id}/review/",
        "/api/v1/directives/extract/",
        "/api/v1/directives/scorecards/",
        "/api/v1/directives/sources/",
        "/api/v1/directives/summary/",
    } <= set(schema["paths"])
    listed = {p["name"] for p in schema["paths"]["/api/v1/directives/"]["get"]["parameters"]}
    assert {"as_of", "status", "agency", "role"} <= listed


def test_deleting_a_groups_copy_recomputes_the_group(clock: Clock, source: SourceDocument, office_user: object) -> None:
    parent = add(source, lead="group:districts", deadline=dt.date(2024, 9, 15))
    first, second = parent.children.order_by("id")
    clock.move_to(dt.date(2024, 9, 20))
    complete(first, on=dt.date(2024, 9, 14))

    response = client_for(office_user).delete(f"/api/v1/directives/{second.pk}/")

    assert response.status_code == 204
    parent.refresh_from_db()
    assert (parent.completed_on, parent.completed_late) == (dt.date(2024, 9, 14), False)
