"""The report's fonts travel with it: the PDF and the charts use the Liberation Serif 2 files shipped in
the package, whatever fonts the machine has, and nothing prints a font warning.

The PDF test runs the command as an operator would, in a process of its own whose fontconfig knows
no Liberation font at all (only DejaVu, where the machine has it, so that a glyph missing from the
report's font would visibly fall back to it), on the demo loaded into an SQLite file of its own.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import subprocess
import sys
import tomllib
import warnings
from decimal import Decimal
from pathlib import Path

import pytest

from tests.reports.pdffonts import font_families, font_names, pdffonts

ROOT = Path(__file__).resolve().parents[2]
FONT_DIR = ROOT / "src" / "dieuhanh" / "reports" / "fonts"
FACES = ("Regular", "Bold", "Italic", "BoldItalic")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
# Words of the report whose letters Liberation Serif 1 lacked, and that came out in DejaVu.
WORDS = ["Ước cả năm đạt", "tỷ đồng", "Tổng mức bán lẻ hàng hóa", "Kim ngạch xuất khẩu", "giảm 2,54 điểm phần trăm"]


def test_the_package_ships_the_four_faces_with_their_licence_and_provenance() -> None:
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["*"]

    files = sorted(p.name for p in FONT_DIR.iterdir() if p.is_file() and p.name != "__init__.py")

    assert sorted(f"LiberationSerif-{face}.ttf" for face in FACES) == [f for f in files if f.endswith(".ttf")]
    assert "SIL OPEN FONT LICENSE Version 1.1" in (FONT_DIR / "OFL.txt").read_text()
    provenance = (FONT_DIR / "PROVENANCE.md").read_text()
    assert "fonts-liberation2" in provenance
    assert "2.1.5" in provenance
    # Every file of the folder goes into the wheel, or an installed product would lack them.
    assert all(any(fnmatch.fnmatch(name, pattern) for pattern in package_data) for name in files)


def test_a_chart_writes_vietnamese_in_the_shipped_font_without_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    import matplotlib
    from matplotlib import font_manager

    from dieuhanh.reports.charts import bar_chart

    with warnings.catch_warnings(record=True) as raised, caplog.at_level(logging.DEBUG, logger="matplotlib"):
        warnings.simplefilter("always")
        png = bar_chart(
            labels=WORDS,
            values=[Decimal("1234.5"), Decimal("98.2"), Decimal("-4"), Decimal("0"), Decimal("50")],
            value_texts=["1.234,5 tỷ đồng", "98,2%", "-4,0", "0,0", "ước 50"],
            colors=["#2e7d32"] * len(WORDS),
            reference=Decimal(100),
        )

    assert png.startswith(b"\x89PNG")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert [str(w.message) for w in raised] == []  # a glyph missing from the font warns
    # Text the chart does not style itself (an offset, a minus sign) is in the same font.
    default = font_manager.findfont(font_manager.FontProperties(family=matplotlib.rcParams["font.family"]))
    assert Path(default).name == "LiberationSerif-Regular.ttf"


@pytest.fixture
def isolated(tmp_path: Path) -> dict[str, str]:
    """The environment of a process that knows no Liberation font, with the demo in an SQLite file."""
    folders = f"<dir>{DEJAVU}</dir>" if DEJAVU.is_dir() else ""
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig>{folders}<cachedir>{tmp_path / 'fontconfig'}</cachedir></fontconfig>\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_URL", "DIEUHANH_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'dieuhanh.sqlite3'}",
        DIEUHANH_HOME=str(tmp_path),
        FONTCONFIG_FILE=str(config),
        MPLCONFIGDIR=str(tmp_path / "matplotlib"),  # matplotlib's font list, built afresh
        XDG_CACHE_HOME=str(tmp_path / "cache"),
    )
    return env


def dieuhanh(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - the product's own command
        [sys.executable, "-m", "dieuhanh", *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.mark.own_sqlite
def test_the_pdf_lists_only_the_shipped_font_and_the_command_prints_no_font_warning(
    isolated: dict[str, str], tmp_path: Path
) -> None:
    # Given a machine without Liberation fonts (to this process) and the demo's figures
    pdffonts()
    loaded = dieuhanh(isolated, "demo", "--load-only", "--until", "202306")  # the report's half-year
    assert loaded.returncode == 0, loaded.stderr

    # When an operator writes the half-year report as PDF
    made = dieuhanh(
        isolated, "report", "--org-unit", "74", "--period", "2023S1", "--format", "pdf",
        "--output", str(tmp_path / "bao-cao.pdf"),
    )  # fmt: skip

    # Then the command says nothing about fonts, and the PDF has one family: the shipped one
    assert made.returncode == 0, made.stderr
    assert [line for line in made.stderr.splitlines() if "font" in line.lower()] == []
    pdf = tmp_path / "bao-cao.pdf"
    assert font_families(pdf) == {"Liberation Serif"}, font_names(pdf)
    # The report uses all four faces: text, headings, the date line, the recipients' label.
    assert {name.split("+")[-1] for name in font_names(pdf)} == {
        "Liberation-Serif",
        "Liberation-Serif-Bold",
        "Liberation-Serif-Italic",
        "Liberation-Serif-Bold-Italic",
    }
