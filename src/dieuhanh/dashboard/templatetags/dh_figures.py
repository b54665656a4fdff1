"""Figures in templates: thin filters over analytics' one way of writing a figure (``readmodel.writing``)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dieuhanh.analytics.readmodel import writing
from dieuhanh.analytics.readmodel.book import Figure, rebased_note, unapproved_note
from dieuhanh.analytics.readmodel.periods import lower_first

register = template.Library()


@register.filter
def figure(value: object, decimals: object = 1) -> str:
    """A number with ``decimals`` places, grouped and in the active language's format; "–" if missing."""
    return writing.number(value, int(str(decimals)))


@register.filter
def percent(value: object) -> str:
    """A percentage with one decimal (the % sign is in the column heading)."""
    return writing.number(value, writing.PERCENT_DECIMALS)


@register.filter
def signed_percent(value: object) -> str:
    """A change in percent with one decimal and its sign: +12,3 / -4,0 / 0,0."""
    return writing.signed(value, writing.PERCENT_DECIMALS)


@register.filter
def status_label(status: object) -> str:
    """The badge text of an analytics status; empty when there is none (a plan, but no data yet)."""
    return writing.status_label(status)


@register.filter
def localized(obj: object, field: str = "name") -> str:
    """``obj.<field>_en`` when English is active and it is filled in, else ``obj.<field>`` (Vietnamese)."""
    if (get_language() or "").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return str(english)
    return str(getattr(obj, field, "") or "")


@register.filter
def short_name(indicator: object) -> str:
    """An indicator's name where space is short: its short name, or in English its English name."""
    english: str = str(getattr(indicator, "name_en", "") or "")
    if english and (get_language() or "").startswith("en"):
        return english
    short: str = str(getattr(indicator, "short_name", "") or "")
    return short or str(getattr(indicator, "name", "") or "")


@register.simple_tag
def change(value: writing.Change | None, measure: str = "change") -> SafeString:
    """A change as every page writes it: its arrow, the signed figure and its unit (% or points),
    coloured by whether it is good news for the indicator; "–" when unknown. A gap to the plan
    (``measure="gap"``, already negative when behind) has no arrow: it is not a movement."""
    if value is None or not value.known:
        return format_html('<span class="change" data-measure="{}">{}</span>', measure, writing.MISSING)
    tone = value.tone
    hidden = {"good": _("favourable"), "bad": _("unfavourable")}.get(tone)
    return format_html(
        '<span class="change{}" data-measure="{}" data-trend="{}" data-tone="{}" data-points="{}">{}'
        '<span class="num">{}</span>{}</span>',
        f" change--{tone}" if tone else "",
        measure,
        value.trend,
        tone,
        "true" if value.in_points else "false",
        format_html('<span class="arrow" aria-hidden="true">{}</span> ', value.arrow)
        if value.arrow and measure != "gap"
        else "",
        value.text,
        format_html(' <span class="visually-hidden">({})</span>', hidden) if hidden else "",
    )


@register.simple_tag
def status_badge(figure: Figure) -> SafeString:
    """The status of a figure as a badge; "no figure yet" for a plan without figures; nothing otherwise."""
    status = figure.status
    if status:
        return format_html(
            '<span class="badge badge--{}" data-status="{}">{}</span>', status, status, figure.status_label
        )
    if figure.measures.plan is not None:
        return format_html('<span class="badge badge--no_target">{}</span>', _("No figure yet"))
    return SafeString("")


@register.simple_tag
def partial_mark(reported: str) -> SafeString:
    """ "1/9 đơn vị đã báo cáo" beside a figure that is some of the units' only; nothing for a whole one."""
    if not reported:
        return SafeString("")
    done, expected = reported.split("/")
    return format_html(
        '<span class="partial" data-partial="{}">{}</span>',
        reported,
        _("%(done)s/%(expected)s units reported") % {"done": done, "expected": expected},
    )


@register.simple_tag
def unapproved_mark(figure: Figure) -> SafeString:
    """ "gồm số liệu chưa phê duyệt" beside a figure that rests on at least one figure awaiting
    approval (the ``submitted`` basis only); nothing otherwise."""
    if not figure.unapproved:
        return SafeString("")
    return format_html(
        '<span class="unapproved" data-unapproved title="{}">{}</span>',
        _("This figure rests on at least one figure awaiting approval; it may still change."),
        _("includes unapproved figures"),
    )


@register.simple_tag
def unapproved_hint(*groups: Iterable[object] | None) -> SafeString:
    """The note under a table or tiles where a figure rests on figures awaiting approval; nothing
    where none does. Takes figures, or rows, tiles or groups of them."""
    figures = [f for items in groups if items for f in _figures_of(items)]
    note = unapproved_note(figures)
    if not note:
        return SafeString("")
    return format_html('<p class="hint unapproved-note" data-unapproved-note>{}</p>', note)


@register.filter(name="lower_first")
def lower_first_filter(text: object) -> str:
    """A period label mid-sentence: "Tháng 6/2023" → "tháng 6/2023"."""
    return lower_first(str(text))


@register.simple_tag
def rebased_mark(figure: Figure, part: str = "value") -> SafeString:
    """A compact "quy đổi" beside a re-based number (``part``: value, previous, ytd, previous_ytd,
    projection), naming what it was re-based from in its tooltip and to screen readers; beside a
    number missing for a reason, the reason ("chưa rõ tỷ lệ của Phường E"); else nothing.
    Every name is escaped: unit names are the catalogue's, not ours."""
    if figure.is_rebased(part):
        composition = figure.rebased_title(part)
        return format_html(
            '<sup class="rebased" data-rebased="{}" title="{}">{}<span class="visually-hidden">: {}</span></sup>',
            part,
            composition,
            writing.REBASED_MARK,
            composition,
        )
    short = figure.missing_short(part)
    if short:
        return format_html(
            '<span class="missing-reason" data-missing-reason="{}" title="{}">{}</span>',
            figure.missing_reason(part),
            figure.missing_text(part),
            short,
        )
    return SafeString("")


@register.simple_tag
def rebased_flag(on: bool, title: str, part: str = "value") -> SafeString:
    """The "quy đổi" mark where ``on`` (a chart's point, whose composition is its unit's: ``title``)."""
    if not on:
        return SafeString("")
    return format_html(
        '<sup class="rebased" data-rebased="{}" title="{}">{}<span class="visually-hidden">: {}</span></sup>',
        part,
        title,
        writing.REBASED_MARK,
        title,
    )


def _figures_of(items: Iterable[object]) -> list[Figure]:
    figures: list[Figure] = []
    for item in items:
        if isinstance(item, Figure):
            figures.append(item)
        elif isinstance(getattr(item, "figure", None), Figure):
            figures.append(item.figure)  # type: ignore[attr-defined]
        elif hasattr(item, "rows"):
            figures.extend(_figures_of(item.rows))
    return figures


@register.simple_tag
def rebased_hint(*groups: Iterable[object] | None) -> SafeString:
    """The note under a table or tiles showing re-based figures ("Số liệu cùng kỳ quy đổi theo địa
    giới hành chính mới."); nothing where none is. Takes figures, or rows, tiles or groups of them."""
    figures = [f for items in groups if items for f in _figures_of(items)]
    note = rebased_note(figures)
    if not note:
        return SafeString("")
    return format_html('<p class="hint rebased-note" data-rebased-note>{}</p>', note)
