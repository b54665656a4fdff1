"""What the base layout asks of the database."""

from __future__ import annotations

from django import template

from dieuhanh.figures.selectors import demo_data_present

register = template.Library()


@register.simple_tag
def sample_data_present() -> bool:
    """Whether to show the sample-data banner (one small query)."""
    return demo_data_present()


@register.filter
def indent(level: object) -> str:
    """Non-breaking spaces that indent an option of a tree picker (options ignore CSS padding)."""
    return "\u00a0\u00a0\u00a0" * int(str(level or 0))
