"""The admin of the register opens, in Vietnamese, for every model."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from dieuhanh.directives.models import SourceDocument
from tests.directives.helpers import add

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "page",
    [
        "directives/sourcedocument",
        "directives/directive",
        "directives/agencycontact",
        "directives/reminder",
        "directives/notification",
        "directives/evidencefile",
    ],
)
def test_every_list_page_and_a_directives_page_open_in_vietnamese(source: SourceDocument, page: str) -> None:
    directive = add(source, lead="SYT")
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "x"))

    listing = client.get(f"/admin/{page}/")
    change = client.get(f"/admin/directives/directive/{directive.pk}/change/")

    assert listing.status_code == 200
    assert '<html lang="vi"' in listing.content.decode()
    assert change.status_code == 200
