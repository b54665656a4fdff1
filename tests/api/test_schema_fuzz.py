"""Fuzzing the API from its OpenAPI schema (schemathesis): no request anyone can send gives a server
error, and every answer is what the schema says it is.

Every operation of ``/api/schema/`` is called, in process through the WSGI application, with
requests generated from the schema — with the token of an operator allowed to write everything,
and anonymously every reading one (a write is refused to the anonymous caller before its body or
query is read, and the authorization matrix checks that refusal for every write) — on a small
catalogue (units, indicators, a target, figures, a directive), so that the paths with an id or a
code often name a record that exists. Examples per operation:
``DIEUHANH_FUZZ_EXAMPLES`` (default 15); the whole module is marked ``fuzz`` (``-m "not fuzz"``
leaves it out of a local run; CI runs it on both databases). docs/development.md says more.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from dieuhanh.accounts.services import api_token_create, membership_add
from dieuhanh.directives.choices import SourceKind
from dieuhanh.directives.models import Directive, SourceDocument
from dieuhanh.wsgi import application
from tests.factories import IndicatorFactory, OrgUnitFactory, TargetFactory, UserFactory, put

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("DIEUHANH_FUZZ_EXAMPLES", "15"))
# Status codes are not checked: the schema names the answers of success, not every refusal (400, 401, 404).
CHECKS = [not_a_server_error, response_schema_conformance]


# The schema as the application serves it (made from the code: no database is read).
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture(autouse=True)
def _connection_kept_between_requests() -> Iterator[None]:
    """The requests go through the WSGI application, which closes the database connection after each
    one whose transaction is not in autocommit (the test's is not): keep it, as Django's test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@dataclass(frozen=True)
class Catalogue:
    """What the generated requests meet, and the token of an operator allowed to change everything."""

    writer_token: str


def _build_catalogue() -> Catalogue:
    province = OrgUnitFactory(code="74", name="Tỉnh Bình Dương", kind="province")
    district = OrgUnitFactory(code="718", name="Thành phố Thủ Dầu Một", kind="district", parent=province)
    OrgUnitFactory(code="25741", name="Phường Hiệp Thành", parent=district)
    agency = OrgUnitFactory(code="SYT", name="Sở Y tế", kind="agency")
    revenue = IndicatorFactory(code="REV", min_value=0, is_public=True)
    IndicatorFactory(code="GRDP", period_type="quarterly", is_public=False)
    TargetFactory(indicator=revenue, org_unit=province, year_from=2024, value=Decimal(1000))
    put(revenue, district, "202401", 12)
    put(revenue, province, "202401", 40)
    source = SourceDocument.objects.create(
        kind=SourceKind.CONCLUSION_NOTICE, number="1/TB-UBND", date=dt.date(2024, 1, 5), org_unit=province
    )
    Directive.objects.create(
        source=source, content="Báo cáo thu ngân sách.", lead_agency=agency, starts_on=dt.date(2024, 1, 5)
    )
    user = UserFactory(username="fuzzer")
    membership_add(user=user, role="administrator")
    return Catalogue(writer_token=api_token_create(user=user).key)


@pytest.fixture(scope="module")
def catalogue(django_db_setup: None, django_db_blocker: Any) -> Iterator[Catalogue]:
    """A small catalogue the generated requests meet, so that ids and codes in paths often name a
    record: made once for the module (in each process), inside a transaction rolled back at its end;
    each request's test runs in a savepoint of its own (pytest-django's ``db``), so that what one
    request writes is gone before the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_catalogue()
        transaction.set_rollback(True)


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # Explicit examples and generated ones; no shrinking, whose extra calls would only shorten a report.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@schema.include(method="GET").parametrize()
@FUZZ_SETTINGS
def test_anonymous_requests_get_no_server_error_and_answers_match_the_schema(case: Any, catalogue: Catalogue) -> None:
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@FUZZ_SETTINGS
def test_a_writers_requests_get_no_server_error_and_answers_match_the_schema(case: Any, catalogue: Catalogue) -> None:
    case.call_and_validate(headers={"Authorization": f"Token {catalogue.writer_token}"}, checks=CHECKS)


WRITES = [op for op in (result.ok() for result in schema.get_all_operations()) if op.method != "get"]


@pytest.mark.parametrize("operation", WRITES, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_every_write_refuses_the_anonymous_caller_before_reading_what_it_sent(
    operation: Any, catalogue: Catalogue
) -> None:
    """Why the anonymous fuzzing reads only: a body that is no JSON at all and a query of junk, sent
    to a record that exists, are refused (401 or 403) without a word about either."""
    path = re.sub(r"\{[^}]+\}", lambda m: "74" if m.group(0) == "{code}" else "1", operation.path)
    response = Client().generic(
        operation.method.upper(), f"{path}?limit=x&offset=-1", data=b"[{", content_type="application/json"
    )

    assert response.status_code in (401, 403), (response.status_code, response.content[:200])
    assert b"JSON" not in response.content
    assert b"limit" not in response.content
