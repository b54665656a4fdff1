"""An XLSX is a zip: what it unpacks to is bounded before it is opened, and a worker importing a zip
bomb stays small."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from pytest_django.fixtures import Settings

from dieuhanh.figures.models import DataValue
from dieuhanh.ingest.services import import_file
from tests.conftest import Tree
from tests.factories import IndicatorFactory

pytestmark = pytest.mark.django_db

MB = 2**20
ENTRY = b"<si><t>aaaaaaaaaaaaaaaaaaaaaaaa</t></si>"


def flat_workbook() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["indicator", "org_unit", "period", "value"])
    sheet.append(["REV", "718", "202301", 5])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def bomb(*, shared_strings: int = 0, sheet_padding: int = 0) -> bytes:
    """A small workbook holding ``shared_strings`` bytes of shared strings that its workbook points
    to (so that a reader loads them) and a sheet padded with ``sheet_padding`` bytes of spaces;
    both pack about a thousand times, as a zip bomb does. Made at test time, never stored."""
    source = zipfile.ZipFile(io.BytesIO(flat_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "[Content_Types].xml" and shared_strings:
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            if member.filename == "xl/_rels/workbook.xml.rels" and shared_strings:
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdBomb" Type="http://schemas.openxmlformats.org/officeDocument/'
                    b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
                )
            if member.filename == "xl/worksheets/sheet1.xml" and sheet_padding:
                with archive.open(member.filename, "w", force_zip64=True) as part:
                    head, tail = data.split(b"<sheetData>", 1)
                    part.write(head + b"<sheetData>")
                    _pad(part, b" " * 65536, sheet_padding)
                    part.write(tail)
                continue
            archive.writestr(member, data)
        if shared_strings:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
                count = shared_strings // len(ENTRY)
                part.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="http://schemas.openxmlformats.org/')
                part.write(b'spreadsheetml/2006/main" count="%d" uniqueCount="%d">' % (count, count))
                _pad(part, ENTRY * 2048, shared_strings)
                part.write(b"</sst>")
    return out.getvalue()


def _pad(part: io.BufferedIOBase | zipfile.ZipExtFile | object, chunk: bytes, size: int) -> None:
    written = 0
    while written < size:
        part.write(chunk)  # type: ignore[attr-defined]
        written += len(chunk)


@pytest.fixture
def catalogue(tree: Tree) -> Tree:
    IndicatorFactory(code="REV", period_type="monthly")
    return tree


def test_an_xlsx_that_unpacks_beyond_the_limit_is_refused_unopened(catalogue: Tree, settings: Settings) -> None:
    settings.DIEUHANH_IMPORT_MAX_UNCOMPRESSED_BYTES = 4 * MB
    content = bomb(sheet_padding=6 * MB)
    assert len(content) < 100_000

    result = import_file(content=content, filename="so-lieu.xlsx")

    assert not result.ok
    (issue,) = result.issues
    assert issue.message.startswith("Tệp Excel khi giải nén có dung lượng 6 MB, vượt quá 4 MB")
    assert "CSV" in issue.message
    assert result.batch.status == "failed"
    assert not DataValue.objects.exists()


def test_an_xlsx_whose_shared_strings_are_too_big_is_refused(catalogue: Tree, settings: Settings) -> None:
    settings.DIEUHANH_IMPORT_MAX_UNCOMPRESSED_BYTES = 16 * MB
    content = bomb(shared_strings=3 * MB)

    result = import_file(content=content, filename="so-lieu.xlsx")

    assert not result.ok
    (issue,) = result.issues
    assert "3 MB văn bản" in issue.message
    assert "2 MB" in issue.message  # an eighth of the limit


def test_an_xlsx_part_packed_like_a_zip_bomb_is_refused(catalogue: Tree) -> None:
    content = bomb(sheet_padding=50 * MB)  # far below the default limit, but packed ~1,000 times

    result = import_file(content=content, filename="so-lieu.xlsx")

    assert not result.ok
    (issue,) = result.issues
    assert "xl/worksheets/sheet1.xml" in issue.message
    assert "50 MB" in issue.message


def test_an_ordinary_xlsx_is_imported_as_before(catalogue: Tree) -> None:
    result = import_file(content=flat_workbook(), filename="so-lieu.xlsx")

    assert result.ok, result.issues
    assert DataValue.objects.get().value == 5


# The peak is the process's own high-water mark (VmHWM); getrusage's ru_maxrss would not do, as
# Linux carries it over an exec from the process that started it (here, the test suite).
IMPORTER = """
import json, sys
import django
django.setup()
from dieuhanh.ingest.parsers import ParseError, iter_rows

def peak_mb():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024

before = peak_mb()
with open(sys.argv[1], "rb") as stream:
    try:
        rows = len(list(iter_rows("xlsx", stream)))
        messages = []
    except ParseError as exc:
        rows, messages = None, [i.message for i in exc.issues]
print(json.dumps({"before_mb": before, "peak_mb": peak_mb(), "rows": rows, "messages": messages}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="the peak is read from Linux's /proc")
def test_importing_a_zip_bomb_keeps_the_process_under_300_mb(tmp_path: Path) -> None:
    # 256 MB of shared strings in a file of a few hundred KB: read, they would take about 1 GB.
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb(shared_strings=256 * MB))
    assert path.stat().st_size < 1 * MB
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dieuhanh.settings",
        "DIEUHANH_HOME": str(tmp_path / "home"),
        "DIEUHANH_IMPORT_MAX_UNCOMPRESSED_BYTES": str(64 * MB),
    }

    # Our own interpreter, running the fixed script above on a file the test made.
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", IMPORTER, str(path)], env=env, capture_output=True, text=True, check=True, timeout=300
    )

    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["rows"] is None
    assert len(report["messages"]) == 1
    assert report["peak_mb"] < 300, report
