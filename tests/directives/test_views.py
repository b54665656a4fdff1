"""The directive pages: in Vietnamese, for signed-in users, a fixed number of queries, bad input explained."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dieuhanh.directives.models import Directive, ProgressUpdate, SourceDocument
from dieuhanh.directives.services import progress_report
from tests.directives.conftest import Clock, Province
from tests.directives.helpers import add, complete

pytestmark = pytest.mark.django_db

TEXT = (
    "Sở Y tế khẩn trương đưa Bệnh viện Đa khoa 1.500 giường vào hoạt động trong tháng 11/2024.\n"
    "Ủy ban nhân dân các huyện, thị xã, thành phố đẩy nhanh giải phóng mặt bằng.\n"
    "Cửu Long"
)


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url",
    ["/directives/", "/directives/inbox/", "/directives/inbox/SYT/", "/directives/scorecards/", "/directives/extract/"],
)
def test_anonymous_visitors_are_sent_to_sign_in(url: str, province: Province) -> None:
    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_register_opens_in_vietnamese_with_the_official_categories(
    clock: Clock, source: SourceDocument, outsider: object
) -> None:
    add(source, "Đưa bệnh viện vào hoạt động.", lead="SYT", deadline=dt.date(2024, 9, 1))

    page = signed_in(outsider).get("/directives/").content.decode()

    assert '<html lang="vi"' in page
    for label in (
        "Hoàn thành đúng hạn",
        "Hoàn thành quá hạn",
        "Đang thực hiện trong hạn",
        "Đang thực hiện quá hạn",
        "Không có thời hạn",
    ):
        assert label in page
    assert "quá hạn 11 ngày" in page
    assert "1/9/2024" in page


def test_the_register_filters_by_agency_status_and_deadline_window(
    clock: Clock, source: SourceDocument, province: Province, outsider: object
) -> None:
    add(source, "Việc của Sở Y tế.", lead="SYT", deadline=dt.date(2024, 9, 1))
    add(source, "Việc của Sở Tài chính.", lead="STC", deadline=dt.date(2024, 12, 1))
    add(source, "Việc của các huyện.", lead="group:districts", deadline=dt.date(2024, 10, 1))
    client = signed_in(outsider)

    by_agency = client.get("/directives/", {"agency": "718"}).content.decode()
    by_status = client.get("/directives/", {"status": "overdue"}).content.decode()
    by_window = client.get("/directives/", {"due_from": "2024-10-01", "due_to": "2024-12-31"}).content.decode()

    assert "Việc của các huyện" in by_agency
    assert "Việc của Sở Y tế" not in by_agency
    assert "Việc của Sở Y tế" in by_status
    assert "Việc của Sở Tài chính" not in by_status
    assert "Việc của Sở Tài chính" in by_window
    assert "Việc của Sở Y tế" not in by_window


def test_a_reversed_deadline_window_is_explained(province: Province, outsider: object) -> None:
    response = signed_in(outsider).get("/directives/", {"due_from": "2024-12-01", "due_to": "2024-10-01"})

    assert response.status_code == 400
    assert "trước ngày đầu" in response.content.decode()


def _more(source: SourceDocument, n: int) -> None:
    for i in range(n):
        directive = add(source, f"Việc {i}", lead="SYT" if i % 2 else "STC", deadline=dt.date(2024, 10, 1 + i))
        progress_report(directive=directive, percent=30, text="Đang làm.")


def test_the_register_costs_the_same_queries_for_three_or_thirty_directives(
    clock: Clock, source: SourceDocument, province: Province, office_user: object
) -> None:
    client = signed_in(office_user)
    _more(source, 3)
    few = queries(client, "/directives/")
    _more(source, 27)

    assert queries(client, "/directives/") == few
    assert queries(client, "/directives/?agency=SYT") == few


def test_the_register_as_at_a_date_costs_the_same_queries_for_three_or_thirty_directives(
    clock: Clock, source: SourceDocument, province: Province, office_user: object
) -> None:
    clock.move_to(dt.date(2024, 12, 1))
    client = signed_in(office_user)
    _more(source, 3)
    few = queries(client, "/directives/?as_of=2024-10-20")
    _more(source, 27)

    assert queries(client, "/directives/?as_of=2024-10-20") == few
    assert queries(client, "/directives/?as_of=2024-10-20&status=overdue") == few


def test_the_scorecards_page_costs_the_same_queries_for_three_or_thirty_directives(
    clock: Clock, source: SourceDocument, province: Province, outsider: object
) -> None:
    client = signed_in(outsider)
    _more(source, 3)
    few = queries(client, "/directives/scorecards/?period=2024")
    _more(source, 27)

    assert queries(client, "/directives/scorecards/?period=2024") == few


def test_the_scorecards_period_is_chosen_in_words(clock: Clock, province: Province, outsider: object) -> None:
    client = signed_in(outsider)

    response = client.get("/directives/scorecards/?year=2024&part=Q3", HTTP_ACCEPT_LANGUAGE="vi")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="Q3" selected>Quý III</option>' in html
    assert 'type="text"' not in html.split('class="pickers"')[1].split("</form>")[0]
    # Nine months are no scorecard period: not offered
    assert 'value="9M"' not in html
    assert client.get("/directives/scorecards/?year=2024&part=9M").status_code == 400


def test_the_inbox_costs_the_same_queries_for_three_or_thirty_directives(
    clock: Clock, source: SourceDocument, province: Province, reporter: object
) -> None:
    client = signed_in(reporter)
    _more(source, 3)
    few = queries(client, "/directives/inbox/SYT/")
    _more(source, 27)

    assert queries(client, "/directives/inbox/SYT/") == few


def test_a_directives_page_costs_the_same_queries_whatever_its_history(
    clock: Clock, source: SourceDocument, province: Province, office_user: object
) -> None:
    directive = add(source, lead="SYT", deadline=dt.date(2024, 12, 1), coordinating=["STC", "SKHDT"])
    client = signed_in(office_user)
    progress_report(directive=directive, percent=10, text="Bắt đầu.")
    few = queries(client, f"/directives/{directive.pk}/")
    for percent in (20, 30, 40, 50):
        progress_report(directive=directive, percent=percent, text="Tiếp tục.")

    assert queries(client, f"/directives/{directive.pk}/") == few


def test_a_contact_inbox_shows_what_it_leads_coordinates_and_its_messages(
    clock: Clock, source: SourceDocument, province: Province, reporter: object
) -> None:
    add(source, "Việc chủ trì.", lead="SYT", deadline=dt.date(2024, 10, 1))
    add(source, "Việc phối hợp.", lead="STC", coordinating=["SYT"])
    returned = add(source, "Việc bị trả lại.", lead="SYT")
    complete(returned, on=clock.today, accept=False)
    client = signed_in(reporter)

    chooser = client.get("/directives/inbox/")
    page = client.get("/directives/inbox/SYT/").content.decode()
    client.post("/directives/notifications/read/", {"next": "/directives/inbox/SYT/"})
    after = client.get("/directives/inbox/SYT/").content.decode()

    assert chooser["Location"] == "/directives/inbox/SYT/"
    assert "Việc chủ trì" in page
    assert "Việc phối hợp" in page
    assert "Thiếu biên bản" in page
    assert "Thiếu biên bản" not in after


@pytest.mark.usefixtures("clock", "province")
def test_the_lead_agency_reports_with_evidence_and_the_office_confirms_on_the_page(
    source: SourceDocument, reporter: object, office_user: object, outsider: object
) -> None:
    directive = add(source, lead="SYT", deadline=dt.date(2024, 9, 30))
    url = f"/directives/{directive.pk}/"
    form = {
        "percent": "100",
        "reported_on": "2024-09-12",
        "text": "Bệnh viện đã hoạt động.",
        "evidence": [SimpleUploadedFile("anh.jpg", b"jpeg", content_type="image/jpeg")],
    }

    refused = signed_in(outsider).post(url, form)
    form["evidence"] = [SimpleUploadedFile("anh.jpg", b"jpeg", content_type="image/jpeg")]
    reported = signed_in(reporter).post(url, form)
    update = ProgressUpdate.objects.get()
    page = signed_in(office_user).get(url).content.decode()
    confirmed = signed_in(office_user).post(url, {"update": update.pk, "review": "accept", "note": ""})
    evidence = signed_in(outsider).get(f"/directives/evidence/{update.evidence.get().pk}/")

    assert refused.status_code == 403
    assert reported.status_code == 302
    assert "Xác nhận hoàn thành" in page
    assert confirmed.status_code == 302
    directive.refresh_from_db()
    assert directive.completed_on == dt.date(2024, 9, 12)
    assert b"".join(evidence.streaming_content) == b"jpeg"  # type: ignore[attr-defined]


def test_a_bad_report_shows_the_form_again_with_the_reason(
    clock: Clock, source: SourceDocument, province: Province, reporter: object
) -> None:
    directive = add(source, lead="SYT")

    response = signed_in(reporter).post(
        f"/directives/{directive.pk}/", {"percent": "50", "reported_on": "2024-10-01", "text": "Sớm quá."}
    )

    assert response.status_code == 400
    assert "Ngày báo cáo không được ở tương lai" in response.content.decode()


def test_the_operator_reads_a_text_reviews_the_proposals_and_saves_them(
    clock: Clock, province: Province, office_user: object
) -> None:
    client = signed_in(office_user)
    document = {"kind": "conclusion_notice", "number": "1/TB-UBND", "date": "2024-09-12", "issuer": "", "title": ""}

    read = client.post("/directives/extract/", {**document, "text": TEXT, "step": "read"})
    page = read.content.decode()
    assert read.status_code == 200
    assert page.count("<fieldset") == 2
    assert "Cửu Long" not in page.split("2. Rà soát")[1]
    assert 'value="2024-11-30"' in page

    saved = client.post(
        "/directives/extract/",
        {
            **document,
            "text": TEXT,
            "step": "save",
            "p-TOTAL_FORMS": "2",
            "p-INITIAL_FORMS": "2",
            "p-0-keep": "on",
            "p-0-content": "Sở Y tế đưa bệnh viện vào hoạt động.",
            "p-0-lead": "SYT",
            "p-0-deadline": "2024-12-15",
            "p-1-content": "Không phải nhiệm vụ.",
        },
    )

    assert saved.status_code == 302
    (directive,) = Directive.objects.all()
    assert (directive.lead_agency, directive.deadline) == (province.health, dt.date(2024, 12, 15))
    assert SourceDocument.objects.get().text == TEXT


def test_a_text_file_that_is_not_utf8_is_explained(province: Province, office_user: object) -> None:
    response = signed_in(office_user).post(
        "/directives/extract/",
        {
            "kind": "plan",
            "date": "2024-09-12",
            "step": "read",
            "upload": SimpleUploadedFile("kh.txt", "Kế hoạch".encode("utf-16")),
        },
    )

    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()


def test_reading_texts_needs_the_permission_to_add_directives(province: Province, reporter: object) -> None:
    assert signed_in(reporter).get("/directives/extract/").status_code == 403


def test_the_scorecards_page_shows_rates_in_vietnamese_format(
    clock: Clock, source: SourceDocument, province: Province, outsider: object
) -> None:
    for day in (1, 2, 3):
        directive = add(source, lead="SYT", deadline=dt.date(2024, 9, 10 + day))
        complete(directive, on=dt.date(2024, 9, 12))

    page = signed_in(outsider).get("/directives/scorecards/", {"period": "2024"}).content.decode()
    bad = signed_in(outsider).get("/directives/scorecards/", {"period": "2024-09"})

    assert re.search(r"66,7\s*</td>", page)
    assert bad.status_code == 400


def test_a_document_whose_directives_cannot_be_saved_is_not_saved_either(
    province: Province, office_user: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dieuhanh.directives import views
    from dieuhanh.directives.services import DirectiveError

    def refuse(**_kwargs: object) -> None:
        raise DirectiveError(["Nhiệm vụ 1: không có cơ quan chủ trì mã 'X'."])

    monkeypatch.setattr(views, "directives_create", refuse)
    response = signed_in(office_user).post(
        "/directives/extract/",
        {
            "kind": "plan",
            "date": "2024-09-12",
            "text": TEXT,
            "step": "save",
            "p-TOTAL_FORMS": "1",
            "p-INITIAL_FORMS": "1",
            "p-0-keep": "on",
            "p-0-content": "Rà soát.",
        },
    )

    assert response.status_code == 400
    assert "không có cơ quan chủ trì" in response.content.decode()
    assert not SourceDocument.objects.exists()


def test_a_groups_directive_shows_once_in_a_coordinating_agencys_inbox(
    clock: Clock, source: SourceDocument, province: Province, outsider: object
) -> None:
    add(source, "Giải phóng mặt bằng.", lead="group:districts", coordinating=["SKHDT"])

    page = signed_in(outsider).get("/directives/inbox/SKHDT/").content.decode()

    assert page.count("Giải phóng mặt bằng.") == 1


def test_the_directive_page_writes_ids_beyond_999_plainly(
    source: SourceDocument, reporter: object, office_user: object
) -> None:
    # With thousands separators on, an id of 12345 written as "12.345" named no record: the office's
    # confirmation form sent update=12.345, the source's link ?source=12.345.
    directive = add(source, lead="SYT", deadline=dt.date(2024, 9, 30))
    SourceDocument.objects.filter(pk=source.pk).update(id=23456)
    Directive.objects.filter(pk=directive.pk).update(id=12345, source_id=23456)
    url = "/directives/12345/"
    signed_in(reporter).post(url, {"percent": "100", "reported_on": "2024-09-12", "text": "Đã xong."})
    ProgressUpdate.objects.filter(directive_id=12345).update(id=34567)

    page = signed_in(office_user).get(url).content.decode()
    confirmed = signed_in(office_user).post(url, {"update": "34567", "review": "accept", "note": ""})

    assert "#12345" in page
    assert "?source=23456" in page
    assert 'name="update" value="34567"' in page
    assert 'id="note-34567"' in page
    assert "12.345" not in page
    assert "34.567" not in page
    assert confirmed.status_code == 302
