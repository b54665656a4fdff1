"""Reading the figures a dashboard page shows, by the data attributes its templates put on them."""

from __future__ import annotations

from html.parser import HTMLParser


class _Figures(HTMLParser):
    """Elements ``<tag data-{key}=…>`` → {measure: the text shown, "period": …, "status": …, "tone": …}."""

    def __init__(self, tag: str, key: str) -> None:
        super().__init__()
        self.tag, self.key = tag, f"data-{key}"
        self.found: dict[str, dict[str, str]] = {}
        self.items: list[dict[str, str]] = []
        self._item: str | None = None
        self._depth = 0
        self._measure: str | None = None
        self._measure_depth = 0
        self._text: list[str] = []
        # Inside a partial mark ("1/9 units reported"), kept apart from the figure it marks, or inside
        # words for screen readers only ("(favourable)"): not what the figure shows.
        self._partial_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if self._item is None:
            if tag == self.tag and self.key in a:
                self._item, self._depth = a[self.key], 1
                # Every data attribute of the element (indicator, unit, period), then its figures.
                self.found[self._item] = {k[5:]: v for k, v in a.items() if k.startswith("data-")}
                self.found[self._item].setdefault("period", "")
                self.items.append(self.found[self._item])
            return
        if tag == self.tag:
            self._depth += 1
        hidden = "visually-hidden" in a.get("class", "").split()
        if "data-partial" in a or "data-unapproved" in a or hidden or self._partial_depth:
            if "data-partial" in a:
                self.found[self._item]["partial"] = a["data-partial"]
            if "data-unapproved" in a:
                # "gồm số liệu chưa phê duyệt", kept apart from the figure it marks like a partial mark.
                self.found[self._item]["unapproved"] = "yes"
            self._partial_depth += 1
        if "data-status" in a:
            self.found[self._item]["status"] = a["data-status"]
        if self._measure is None and "data-measure" in a:
            self._measure, self._measure_depth, self._text = a["data-measure"], 0, []
            # The change on last year's arrow and colour (a gap's are not kept).
            if a["data-measure"] == "change":
                self.found[self._item]["trend"] = a.get("data-trend", "")
                self.found[self._item]["tone"] = a.get("data-tone", "")
        if self._measure is not None:
            self._measure_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self._item is None:
            return
        if self._partial_depth:
            self._partial_depth -= 1
        if self._measure is not None:
            self._measure_depth -= 1
            if self._measure_depth == 0:
                # A status cell's words are kept apart from its code (data-status).
                name = "status_text" if self._measure == "status" else self._measure
                self.found[self._item][name] = " ".join("".join(self._text).split())
                self._measure = None
        if tag == self.tag:
            self._depth -= 1
            if self._depth == 0:
                self._item = None

    def handle_data(self, data: str) -> None:
        if self._measure is not None and not self._partial_depth:
            self._text.append(data)


def figures_in(html: str, *, tag: str, key: str = "indicator") -> dict[str, dict[str, str]]:
    """The figures of every ``<tag data-{key}>`` of a page (tiles: li; table rows: tr)."""
    parser = _Figures(tag, key)
    parser.feed(html)
    return parser.found


def section(html: str, start: str, end: str | None = None) -> str:
    """The part of a page from the first ``start`` (to the next ``end``)."""
    part = html.split(start, 1)[1]
    return part.split(end, 1)[0] if end else part


def rows_in(html: str, *, tag: str = "tr", key: str = "indicator") -> list[dict[str, str]]:
    """Like ``figures_in``, as a list in page order (a key may come back, with another unit)."""
    parser = _Figures(tag, key)
    parser.feed(html)
    return parser.items
