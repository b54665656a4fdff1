"""Charts drawn on the server as PNG images (matplotlib, offline), for DOCX, PDF and HTML alike."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from dieuhanh.analytics.readmodel.writing import status_colours
from dieuhanh.reports.fonts import REGULAR, matplotlib_use_report_font

NEUTRAL = "#1f5f99"
# The document's typeface, shipped with the package (reports/fonts), by file: a Liberation Serif of
# another version installed on the machine (version 1 lacks letters such as ế) is never used instead.
matplotlib_use_report_font()
WIDTH_INCHES = 6.3  # 16 cm, the text width of an A4 page with the decree's margins
DPI = 200


def _font(size: float) -> FontProperties:
    return FontProperties(fname=REGULAR, size=size)


def status_color(status: str | None) -> str:
    """A status's colour from the one palette the pages use, so a leader reads the report as the screen."""
    return status_colours(status).strong


def bar_chart(
    *,
    labels: Sequence[str],
    values: Sequence[Decimal],
    value_texts: Sequence[str],
    colors: Sequence[str],
    reference: Decimal | None,
) -> bytes:
    """Horizontal bars, first label on top, each with its figure written at its end; an optional
    dashed reference line (100 % of the plan)."""
    count = len(labels)
    height = 0.9 + 0.32 * count
    # A Figure of its own, not pyplot's global state: web requests may draw at the same time.
    fig = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    positions = list(range(count))[::-1]
    numbers = [float(v) for v in values]
    ax.barh(positions, numbers, color=list(colors), height=0.65)
    ax.set_yticks(positions, labels=list(labels), fontproperties=_font(9))
    top = max([*numbers, float(reference or 0), 0.0]) or 1.0
    ax.set_xlim(min(0.0, *numbers) * 1.1, top * 1.18)
    for position, number, text in zip(positions, numbers, value_texts, strict=True):
        ax.text(number + top * 0.01, position, text, va="center", fontproperties=_font(8))
    if reference is not None:
        ax.axvline(float(reference), color="#555555", linestyle="--", linewidth=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:,.0f}".replace(",", "."))
    for label in ax.get_xticklabels():
        label.set_fontproperties(_font(8))
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
