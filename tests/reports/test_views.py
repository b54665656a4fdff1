"""The reports page: who may read, download and make reports; what a made report keeps."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

import docx
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dieuhanh.reports.models import GeneratedReport
from tests.reports.conftest import Plans

pytestmark = pytest.mark.django_db


def client_of(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    if user is not None:
        client.force_login(user)
    return client


def make(client: Client, **fields: Any) -> Any:
    data = {"org_unit": "74", "period": "2023S1", "formats": ["docx", "html"], **fields}
    return client.post(reverse("reports:index"), data)


def test_an_outsider_is_sent_to_sign_in(plans: Plans) -> None:
    response = client_of(None).get(reverse("reports:index"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_colleague_without_the_permission_cannot_read_reports(plans: Plans, colleague: Any) -> None:
    assert client_of(colleague).get(reverse("reports:index")).status_code == 403


def test_a_reader_sees_the_reports_kept_but_cannot_make_one(plans: Plans, reader: Any, writer: Any) -> None:
    make(client_of(writer))

    page = client_of(reader).get(reverse("reports:index"))
    refused = make(client_of(reader))

    assert page.status_code == 200
    assert "Báo cáo đã lưu" in page.content.decode()
    assert 'name="period"' not in page.content.decode()
    assert refused.status_code == 403
    assert GeneratedReport.objects.count() == 2


def test_a_writer_makes_a_report_in_each_format_and_it_is_kept(plans: Plans, writer: Any) -> None:
    response = make(client_of(writer))

    assert response.status_code == 302
    kept = list(GeneratedReport.objects.order_by("file_format"))
    assert [(r.org_unit.code, r.period, r.file_format, r.trigger, r.created_by) for r in kept] == [
        ("74", "2023S1", "docx", "page", writer),
        ("74", "2023S1", "html", "page", writer),
    ]
    assert all(r.size > 0 and r.file.storage.exists(r.file.name) for r in kept)


def test_a_kept_report_downloads_as_the_file_it_was(plans: Plans, writer: Any, reader: Any) -> None:
    make(client_of(writer))
    record = GeneratedReport.objects.get(file_format="docx")

    response = client_of(reader).get(reverse("reports:download", args=[record.pk]))
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]

    assert response.status_code == 200
    assert 'filename="bao-cao-kt-xh-74-2023S1.docx"' in response["Content-Disposition"]
    text = "\n".join(p.text for p in docx.Document(BytesIO(content)).paragraphs)
    assert "Thu ngân sách 6 tháng đầu năm 2023" in text


def test_a_wrong_period_is_refused_with_what_to_write(plans: Plans, writer: Any) -> None:
    response = make(client_of(writer), period="2023H1")

    assert response.status_code == 400
    assert "không phải là kỳ hợp lệ" in response.content.decode() or "2023H1" in response.content.decode()
    assert GeneratedReport.objects.count() == 0


def test_the_preview_reads_the_report_in_the_sites_layout(plans: Plans, reader: Any) -> None:
    response = client_of(reader).get(reverse("reports:preview"), {"org_unit": "74", "period": "2023S1"})
    page = response.content.decode()

    assert response.status_code == 200
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page
    assert 'class="site-header"' in page
    # The figures are approved: the report states them as final ("đạt", not "ước đạt").
    assert "Thu ngân sách 6 tháng đầu năm 2023 đạt" in page


def test_the_list_costs_the_same_queries_for_three_reports_as_for_thirty(plans: Plans, writer: Any) -> None:
    make(client_of(writer), formats=["html"])
    make(client_of(writer), formats=["html", "docx"])
    client = client_of(writer)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("reports:index"))
    originals = list(GeneratedReport.objects.all())
    for _ in range(9):
        for record in originals:
            record.pk = None
            record.save()
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("reports:index"))

    assert GeneratedReport.objects.count() == 30
    assert len(many) == len(few)


def test_the_menu_shows_reports_only_to_those_who_may_read_them(plans: Plans, reader: Any, colleague: Any) -> None:
    link = f'href="{reverse("reports:index")}"'

    assert link in client_of(reader).get(reverse("dashboard:overview")).content.decode()
    assert link not in client_of(colleague).get(reverse("dashboard:overview")).content.decode()


def test_the_admin_lists_the_reports_kept_and_cannot_edit_them(plans: Plans, writer: Any) -> None:
    from django.contrib.auth import get_user_model

    make(client_of(writer), formats=["html"])
    root = client_of(get_user_model().objects.create_superuser("root", "root@example.org", "x"))
    record = GeneratedReport.objects.get()

    listing = root.get("/admin/reports/generatedreport/")
    adding = root.get("/admin/reports/generatedreport/add/")

    assert listing.status_code == 200
    assert "2023S1" in listing.content.decode()
    assert adding.status_code == 403
    assert root.post(f"/admin/reports/generatedreport/{record.pk}/change/", {"period": "2024"}).status_code == 403


def test_on_the_demo_the_reports_page_offers_today_s_city_first_and_each_code_once(demo: Any, writer: Any) -> None:

    html = client_of(writer).get(reverse("reports:index")).content.decode()
    select = html[html.index('name="org_unit"') : html.index("</select>", html.index('name="org_unit"'))]
    options = re.findall(r'<option value="([^"]+)"([^>]*)>([^<]*)</option>', select)
    values = [value for value, _attrs, _label in options]
    # The city of today, chosen by default; the former city's code is the same, and the report's
    # period decides which of the two a report is about: one choice, not two alike.
    assert values[0] == "79"
    assert "selected" in options[0][1]
    assert values.count("79") == 1
    assert [value for value, attrs, _label in options if "selected" in attrs] == ["79"]
    # The former provinces stay (a report of 2023 is theirs), named with their end.
    labels = {value: label for value, _attrs, label in options}
    assert "74" in labels
    assert "30/6/2025" in labels["74"]
