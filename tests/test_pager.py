"""The pager the paged lists share (the directives' register, the projects' list): its links keep
the list's filters and name the page as a number a URL reads, whatever its size."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.utils import translation


def test_the_pager_links_both_neighbours_keeping_the_filters() -> None:
    page = Paginator(range(120), 50).page(2)

    with translation.override("vi"):
        html = render_to_string("_pager.html", {"page": page, "query": "year=2024&sector=health"})

    assert 'href="?year=2024&amp;sector=health&amp;page=1"' in html
    assert 'href="?year=2024&amp;sector=health&amp;page=3"' in html
    assert "Trang 2 / 3" in html


def test_the_pager_names_a_page_beyond_999_without_a_thousands_separator() -> None:
    # 1.000 is a thousand to a Vietnamese reader, but page=1.000 asks for no page at all.
    page = Paginator(range(3000), 1).page(1000)

    with translation.override("vi"):
        html = render_to_string("_pager.html", {"page": page, "query": ""})

    assert 'href="?page=999"' in html
    assert 'href="?page=1001"' in html
    assert "Trang 1.000 / 3.000" in html


def test_a_single_page_has_no_pager() -> None:
    page = Paginator(range(10), 50).page(1)

    assert render_to_string("_pager.html", {"page": page, "query": ""}).strip() == ""
