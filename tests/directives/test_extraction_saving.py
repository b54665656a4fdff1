"""The agencies as the text names them are kept when a proposal is saved, and shown read-only."""

from __future__ import annotations

import html
import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from dieuhanh.directives.models import Directive
from tests.directives.conftest import Clock, Province

pytestmark = pytest.mark.django_db

# Sở Tư pháp is not in the test province's catalogue.
TEXT = (
    "Giao Sở Kế hoạch và Đầu tư chủ trì, phối hợp với Sở Tài chính, Sở Tư pháp rà soát danh mục dự án, "
    "báo cáo Ủy ban nhân dân tỉnh trước ngày 15/10/2024."
)


def test_saving_from_the_command_keeps_the_names_beside_the_units(province: Province, tmp_path: Path) -> None:
    file = tmp_path / "thong-bao.txt"
    file.write_text(TEXT, encoding="utf-8")

    call_command(
        "directives", "extract", str(file), "--date", "2024-09-12", "--save", stdout=StringIO(), stderr=StringIO()
    )

    directive = Directive.objects.get()
    assert (directive.lead_agency, list(directive.coordinating_agencies.all())) == (
        province.planning,
        [province.finance],
    )
    assert directive.lead_agency_text == "Sở Kế hoạch và Đầu tư"
    assert directive.coordinating_agencies_text == "Sở Tài chính; Sở Tư pháp"


def test_the_review_page_carries_the_names_to_the_saved_directive_and_its_pages_show_them(
    clock: Clock, province: Province, office_user: object
) -> None:
    client = Client()
    client.force_login(office_user)  # type: ignore[arg-type]
    document = {"kind": "conclusion_notice", "number": "7/TB-UBND", "date": "2024-09-12", "issuer": "", "title": ""}

    read = client.post("/directives/extract/", {**document, "text": TEXT, "step": "read"})
    page = read.content.decode()
    hidden = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="(p-0-[a-z_]+)" value="([^"]*)"', page)
    }
    saved = client.post(
        "/directives/extract/",
        {
            **document,
            **hidden,
            "text": TEXT,
            "step": "save",
            "p-TOTAL_FORMS": "1",
            "p-INITIAL_FORMS": "1",
            "p-0-keep": "on",
            "p-0-content": "Rà soát danh mục dự án.",
            "p-0-lead": "SKHDT",
        },
    )
    directive = Directive.objects.get()
    detail = client.get(f"/directives/{directive.pk}/").content.decode()
    admin = Client()
    admin.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "x"))
    change = admin.get(f"/admin/directives/directive/{directive.pk}/change/").content.decode()

    assert "Sở Tư pháp" in page
    assert saved.status_code == 302
    assert (directive.lead_agency_text, directive.coordinating_agencies_text) == (
        "Sở Kế hoạch và Đầu tư",
        "Sở Tài chính; Sở Tư pháp",
    )
    assert "Sở Tài chính; Sở Tư pháp" in detail
    assert "Sở Tài chính; Sở Tư pháp" in change
    assert 'name="lead_agency_text"' not in change  # shown, not editable


def test_the_api_proposal_names_an_agency_the_catalogue_does_not_know(province: Province, office_user: object) -> None:
    client = Client()
    client.force_login(office_user)  # type: ignore[arg-type]

    response = client.post(
        "/api/v1/directives/extract/",
        json.dumps({"text": "Giao Sở Tư pháp chủ trì thẩm định dự thảo quy chế.", "date": "2024-09-12"}),
        content_type="application/json",
    )

    ((proposal,),) = [response.json()]
    assert (proposal["lead_agency"], proposal["lead_agency_text"]) == (None, "Sở Tư pháp")
