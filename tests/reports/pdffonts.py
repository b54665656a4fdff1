"""The fonts a PDF lists, read with poppler's ``pdffonts`` (Debian's poppler-utils, which CI installs).

WeasyPrint compresses a PDF's objects, so its font dictionaries cannot be read from the bytes with
a pattern, and no PDF-reading library is a dependency.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

# "ABCDEF+Liberation-Serif-Bold-Italic": a subset tag, then the family and the style, spaces as hyphens.
_SUBSET = re.compile(r"^[A-Z]{6}\+")
_STYLES = {"Regular", "Book", "Bold", "Italic", "Oblique", "BoldItalic", "BoldOblique"}


def pdffonts() -> str:
    """Where pdffonts is; a skip that says why when it is missing, a failure under CI."""
    path = shutil.which("pdffonts")
    if path is None:
        reason = "pdffonts is not installed (Debian: apt-get install poppler-utils)."
        if os.environ.get("CI"):
            pytest.fail(f"{reason} It must be in CI (.ci/run installs it).", pytrace=False)
        pytest.skip(reason)
    return path


def font_names(pdf: Path) -> list[str]:
    """The name of every font the PDF embeds or refers to, as pdffonts lists them."""
    listing = subprocess.run(  # noqa: S603 - a fixed tool on a file of the test's own
        [pdffonts(), str(pdf)], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    # Two header lines ("name type …" and a rule), then one font a line; the name never has a space.
    return [line.split()[0] for line in listing.splitlines()[2:] if line.strip()]


def font_families(pdf: Path) -> set[str]:
    """The families of the PDF's fonts: "Liberation Serif" for Liberation-Serif-Bold-Italic and its subsets."""
    families = set()
    for name in font_names(pdf):
        words = _SUBSET.sub("", name).split("-")
        while len(words) > 1 and words[-1] in _STYLES:
            words.pop()
        families.add(" ".join(words))
    return families
