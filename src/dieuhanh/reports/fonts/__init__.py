"""The report's typeface, shipped with the package: Liberation Serif 2 (SIL Open Font License 1.1).

Liberation Serif has Times New Roman's metrics, the decree's font, and version 2 has every
Vietnamese letter. Shipping it makes a report look the same on every machine: without it, the PDF
and the charts took whatever serif the machine had, mixing DejaVu into words such as "ước", and
matplotlib warned once for every piece of text it could not find the font for. Where the files come
from: PROVENANCE.md beside this file; the licence: OFL.txt.
"""

from __future__ import annotations

import functools
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent
# The family as the font files name themselves; the PDF names its fonts after the CSS family, so the
# print CSS uses the same name.
FAMILY = "Liberation Serif"
# (CSS font-weight, CSS font-style) → file.
FACES = {
    ("normal", "normal"): FONT_DIR / "LiberationSerif-Regular.ttf",
    ("bold", "normal"): FONT_DIR / "LiberationSerif-Bold.ttf",
    ("normal", "italic"): FONT_DIR / "LiberationSerif-Italic.ttf",
    ("bold", "italic"): FONT_DIR / "LiberationSerif-BoldItalic.ttf",
}
REGULAR = FACES["normal", "normal"]


def font_face_css() -> str:
    """@font-face rules for the four faces, read from the package's files (for WeasyPrint)."""
    return "\n".join(
        f'@font-face {{ font-family: "{FAMILY}"; src: url("{path.as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for (weight, style), path in FACES.items()
    )


@functools.cache
def matplotlib_use_report_font() -> None:
    """Register the four faces with matplotlib and make them its default, once per process.

    Registered by file, so that matplotlib never looks the family up among the machine's fonts; the
    default family covers the text a chart does not style itself (tick labels, a minus sign).
    """
    import matplotlib  # noqa: PLC0415 - matplotlib is loaded only by what draws a chart
    from matplotlib import font_manager  # noqa: PLC0415

    for path in FACES.values():
        font_manager.fontManager.addfont(str(path))
    matplotlib.rcParams["font.family"] = [FAMILY]
