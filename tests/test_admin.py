"""The admin, in Vietnamese, for every model of the catalogue and of collected figures."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Model
from django.test import Client

from dieuhanh.admin import KeysChecked
from dieuhanh.figures.models import DataValue, DataValueChange
from tests.conftest import Tree
from tests.factories import IndicatorFactory, TargetFactory, put

pytestmark = pytest.mark.django_db

PAGES = [
    "orgunits/orgunit",
    "orgunits/orgunitgroup",
    "orgunits/succession",
    "indicators/sector",
    "indicators/indicator",
    "indicators/target",
    "figures/datavalue",
    "figures/datavaluechange",
    "figures/importbatch",
]


@pytest.fixture
def admin_client(tree: Tree) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "x"))
    return client


@pytest.mark.parametrize("page", PAGES)
def test_every_list_page_opens_in_vietnamese(admin_client: Client, tree: Tree, page: str) -> None:
    put(IndicatorFactory(code="REV"), tree.district_a, "202301", 1)

    response = admin_client.get(f"/admin/{page}/")

    assert response.status_code == 200
    assert '<html lang="vi"' in response.content.decode()


def test_an_edit_in_the_admin_is_checked_and_audited(admin_client: Client, tree: Tree) -> None:
    value = put(IndicatorFactory(code="REV", max_value=100), tree.district_a, "202301", 1)

    admin_client.post(
        f"/admin/figures/datavalue/{value.pk}/change/", {"value": "7", "comment": "sửa", "status": "approved"}
    )
    refused = admin_client.post(
        f"/admin/figures/datavalue/{value.pk}/change/", {"value": "700", "comment": "", "status": "approved"}
    )

    value.refresh_from_db()
    assert (value.value, value.comment, value.status) == (Decimal(7), "sửa", "approved")
    change = DataValueChange.objects.get()
    assert (change.old_value, change.new_value, change.changed_by.username) == (Decimal(1), Decimal(7), "root")
    assert DataValue.objects.count() == 1
    assert refused.status_code == 200  # the form again, with the reason
    assert "100" in refused.content.decode().split("errornote")[1]


def test_the_admin_is_titled_dieuhanh_in_vietnamese(admin_client: Client) -> None:
    page = admin_client.get("/admin/").content.decode()

    title = page.split("<title>")[1].split("</title>")[0]
    header = page.split('id="site-name"')[1].split("</div>")[0]
    assert "dieuhanh" in title
    assert "dieuhanh" in header
    assert "Quản trị hệ thống" in header
    assert "<h1>Danh mục, số liệu và nhiệm vụ</h1>" in page
    assert "Django" not in title + header


def cells(page: str, column: str) -> list[str]:
    """The texts of a column of an admin list, top to bottom."""
    return [cell.split(">", 1)[1].split("</td>")[0] for cell in page.split(f'<td class="field-{column}')[1:]]


def test_the_admin_lists_figures_with_their_indicators_decimals(admin_client: Client, tree: Tree) -> None:
    # Given figures of an indicator with one decimal and of one with none
    revenue = IndicatorFactory(code="REV", decimals=1)
    enterprises = IndicatorFactory(code="ENT", decimals=0, unit="doanh nghiệp")
    put(revenue, tree.district_a, "202301", "1234.5")
    put(enterprises, tree.district_a, "202301", 12)
    TargetFactory(indicator=revenue, org_unit=tree.province, value=Decimal("74617"))

    # When the operator lists them
    values = admin_client.get("/admin/figures/datavalue/?o=1").content.decode()
    targets = admin_client.get("/admin/indicators/target/").content.decode()

    # Then each is written the Vietnamese way with its indicator's decimals, not the column's six
    assert cells(values, "shown_value") == ["12", "1.234,5"]
    assert cells(targets, "shown_value") == ["74.617,0"]


def test_the_admin_never_hides_a_stored_digit(admin_client: Client, tree: Tree) -> None:
    # Given a figure stored with more decimals than its indicator shows
    put(IndicatorFactory(code="REV", decimals=1), tree.district_a, "202301", "2.345")

    page = admin_client.get("/admin/figures/datavalue/").content.decode()

    # Then the admin, where operators check what is stored, shows all of them
    assert cells(page, "shown_value") == ["2,345"]


def test_the_history_writes_old_and_new_figures_and_the_local_time(admin_client: Client, tree: Tree) -> None:
    # Given a figure changed from 1 to 7 at 07:05 UTC on 18 July 2023
    value = put(IndicatorFactory(code="REV", decimals=1), tree.district_a, "202301", 1)
    admin_client.post(
        f"/admin/figures/datavalue/{value.pk}/change/", {"value": "7", "comment": "", "status": "approved"}
    )
    DataValueChange.objects.update(changed_at=dt.datetime(2023, 7, 18, 7, 5, tzinfo=dt.UTC))

    page = admin_client.get("/admin/figures/datavaluechange/").content.decode()

    # Then the history says 1,0 → 7,0 at 14:05 (Asia/Ho_Chi_Minh), written hour first, day first
    assert (cells(page, "shown_old_value"), cells(page, "shown_new_value")) == (["1,0"], ["7,0"])
    assert "14:05 18/7/2023" in page


def test_a_figure_opens_for_editing_as_stored_without_trailing_zeros(admin_client: Client, tree: Tree) -> None:
    value = put(IndicatorFactory(code="REV", decimals=1), tree.district_a, "202301", "1234.5")

    page = admin_client.get(f"/admin/figures/datavalue/{value.pk}/change/").content.decode()

    assert re.search(r'<input type="number" name="value" value="1234.5"', page)


def _admin_pages() -> list[Any]:
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize(
    "model_admin", [model_admin for _model, model_admin in _admin_pages()], ids=lambda m: m.model._meta.label
)
def test_every_admin_page_and_inline_checks_the_keys_its_forms_are_sent(model_admin: Any) -> None:
    if type(model_admin).__module__.startswith("axes."):  # django-axes' pages: read-only records
        return
    assert isinstance(model_admin, KeysChecked)
    assert all(issubclass(inline, KeysChecked) for inline in model_admin.inlines)


@pytest.mark.parametrize("model", [model for model, _admin in _admin_pages()], ids=lambda m: m._meta.label)
def test_no_admin_form_answers_a_server_error_whatever_it_is_sent(admin_client: Client, model: type[Model]) -> None:
    # A key no record can have (text, or beyond 64 bits) in a choice, an autocomplete box or a
    # JSON field was a server error (ValueError; OverflowError on SQLite) on 9 of the add pages.
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/"
    page = admin_client.get(url)
    if page.status_code == 403:  # a page that adds nothing (history, tokens made by the command)
        return
    assert page.status_code == 200
    answer = Client(raise_request_exception=True)
    answer.force_login(get_user_model().objects.get(username="root"))
    for sent in ["x\x00<", "-99999999999999999999", "99999999999999999999", ""]:
        body: dict[str, str] = dict.fromkeys(page.context["adminform"].form.fields, sent)
        for inline in page.context["inline_admin_formsets"]:
            prefix = inline.formset.prefix
            body |= {f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0"}
            body |= {f"{prefix}-0-{name}": sent for name in inline.formset.empty_form.fields}

        response = answer.post(url, body)

        assert response.status_code in (200, 302), sent
