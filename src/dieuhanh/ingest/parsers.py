"""Read import files into rows, remembering where each row came from.

Formats: our CSV (``indicator,org_unit,period,value[,comment]``), DHIS2 CSV (its
fixed column order, header optional), DHIS2 dataValueSets JSON, and XLSX — either
the template the app generates (``xlsx.py``) or a sheet with our CSV header.
Parsers only read; ``validation.py`` judges what they read.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from dieuhanh.ingest.models import ImportFormat


@dataclass
class RawRow:
    """One figure as written in the file, with where it was written."""

    line: int
    indicator: str
    org_unit: str
    period: str
    value: Any
    comment: str = ""
    sheet: str = ""
    # Field name → how the file calls that column (a header name, or an Excel column letter).
    columns: dict[str, str] = field(default_factory=dict)


@dataclass
class Issue:
    """A problem with the file, in the user's language, pointing at a line and column."""

    message: str
    line: int | None = None
    column: str = ""
    value: str = ""
    sheet: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "sheet": self.sheet,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


class ParseError(Exception):
    """The file as a whole cannot be read (wrong format, broken encoding, missing header)."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("; ".join(i.message for i in issues))
        self.issues = issues


OUR_COLUMNS = ("indicator", "org_unit", "period", "value", "comment")
OUR_REQUIRED = ("indicator", "org_unit", "period", "value")
DHIS2_COLUMNS = (
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
    "deleted",
)


def detect_format(filename: str, content: bytes) -> str:
    name = filename.lower()
    if name.endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        return ImportFormat.XLSX
    if name.endswith(".json") or content.lstrip()[:1] in (b"{", b"["):
        return ImportFormat.DHIS2_JSON
    if name.endswith(".xls"):
        raise ParseError(
            [Issue(_("Old .xls files are not supported; save the file as .xlsx in Excel and upload again."))]
        )
    text = _decode(content)
    first = next((line for line in text.splitlines() if line.strip()), "")
    cells = [c.strip().strip('"').lower() for c in re.split(r"[,;\t]", first)]
    if cells and cells[0] == "dataelement":
        return ImportFormat.DHIS2_CSV
    if set(OUR_REQUIRED) <= set(cells):
        return ImportFormat.CSV
    if len(cells) >= 6:
        return ImportFormat.DHIS2_CSV
    return ImportFormat.CSV


def parse(file_format: str, content: bytes) -> list[RawRow]:
    return list(iter_rows(file_format, io.BytesIO(content)))


def iter_rows(file_format: str, stream: BinaryIO) -> Iterator[RawRow]:
    """The rows of a file, read as they come for CSV (a national file does not fit in memory)."""
    if file_format == ImportFormat.CSV:
        return iter_csv(open_text(stream))
    if file_format == ImportFormat.DHIS2_CSV:
        return iter_dhis2_csv(open_text(stream))
    if file_format == ImportFormat.DHIS2_JSON:
        return iter(parse_dhis2_json(stream.read()))
    if file_format == ImportFormat.XLSX:
        from dieuhanh.ingest.xlsx import parse_xlsx  # noqa: PLC0415 - xlsx builds on this module's types

        return iter(parse_xlsx(stream.read()))
    raise ParseError([Issue(_("Unknown file format '%(format)s'.") % {"format": file_format})])


NOT_UTF8 = _lazy('The file is not text in UTF-8; save it as "CSV UTF-8" and upload again.')


def text_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1258, judged on the start of the file."""
    # A multi-byte character may be cut at the end of the sample: judge whole lines only.
    sample = head[: head.rfind(b"\n") + 1] if b"\n" in head else head
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        # Excel's plain "CSV" on Vietnamese Windows writes the legacy code page.
        return "cp1258"
    return "utf-8-sig"


def open_text(stream: BinaryIO) -> Iterator[str]:
    """The lines of a text file as they are read, its encoding judged on its start."""
    head = stream.read(1 << 16)
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=text_encoding(head), newline="")
    try:
        # A plain loop, not ``yield from``: closing this generator early must not close the file.
        for line in text:  # noqa: UP028 - ``yield from`` would close the caller's file on an early stop
            yield line
    except UnicodeDecodeError as exc:
        raise ParseError([Issue(str(NOT_UTF8))]) from exc
    finally:
        # The caller owns the binary stream; do not let the wrapper close it (if still open).
        with contextlib.suppress(ValueError):
            text.detach()


def _decode(content: bytes) -> str:
    """A whole (small) file as text, by the same rule as ``open_text``."""
    try:
        return _nfc(content.decode(text_encoding(content[: 1 << 16])))
    except UnicodeDecodeError as exc:
        raise ParseError([Issue(str(NOT_UTF8))]) from exc


def _nfc(text: str) -> str:
    # Text typed on a Mac (and Windows-1258) arrives decomposed; codes and comments are compared composed.
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _delimiter(first_line: str) -> str:
    # Excel in a locale whose decimal mark is a comma separates fields with semicolons.
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _first_line(text: Iterator[str]) -> tuple[str, list[str]]:
    """The first non-blank line, and the lines before it (to be replayed)."""
    skipped: list[str] = []
    for line in text:
        if line.strip():
            return line, skipped
        skipped.append(line)
    return "", skipped


def csv_header_names(header: list[str]) -> list[str]:
    """Our CSV's column names, or ParseError saying what the first line must be."""
    names = [h.strip().lower().lstrip("\ufeff") for h in header]
    issues = []
    for required in OUR_REQUIRED:
        if required not in names:
            issues.append(
                Issue(
                    _(
                        "Column '%(column)s' is missing; "
                        "the first line must be: indicator,org_unit,period,value[,comment]."
                    )
                    % {"column": required},
                    line=1,
                )
            )
    for name in names:
        if name not in OUR_COLUMNS:
            issues.append(
                Issue(
                    _("Unknown column '%(column)s'; allowed are indicator, org_unit, period, value, comment.")
                    % {"column": name},
                    line=1,
                    column=name,
                )
            )
    if len(set(names)) != len(names):
        issues.append(Issue(_("A column name appears twice in the header."), line=1))
    if issues:
        raise ParseError(issues)
    return names


def _records(text: Iterator[str]) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) of every CSV record, blank lines skipped."""
    first, skipped = _first_line(text)
    if not first:
        return
    replay = itertools.chain(skipped, [first], text)
    reader = csv.reader(replay, delimiter=_delimiter(first))
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ParseError(
                [Issue(_("Line %(line)d cannot be read as CSV: %(error)s") % {"line": start, "error": exc}, line=start)]
            ) from exc
        if any(cell.strip() for cell in record):
            yield start, record


def parse_csv(content: bytes) -> list[RawRow]:
    return list(iter_csv(open_text(io.BytesIO(content))))


def iter_csv(text: Iterator[str]) -> Iterator[RawRow]:
    records = _records(text)
    first = next(records, None)
    if first is None:
        raise ParseError([Issue(_("The file is empty."))])
    names = csv_header_names(first[1])
    position = {name: i for i, name in enumerate(names)}
    columns = {name: name for name in names}
    for line, record in records:

        def cell(name: str, record: list[str] = record) -> str:
            i = position.get(name)
            return _nfc(record[i].strip()) if i is not None and i < len(record) else ""

        yield RawRow(
            line=line,
            indicator=cell("indicator"),
            org_unit=cell("org_unit"),
            period=cell("period"),
            value=cell("value"),
            comment=cell("comment"),
            columns=columns,
        )


def parse_dhis2_csv(content: bytes) -> list[RawRow]:
    return list(iter_dhis2_csv(open_text(io.BytesIO(content))))


def iter_dhis2_csv(text: Iterator[str]) -> Iterator[RawRow]:
    columns = {
        "indicator": "dataelement",
        "period": "period",
        "org_unit": "orgunit",
        "value": "value",
        "comment": "comment",
    }
    first = True
    for line, record in _records(text):
        if first:
            first = False
            if record[0].strip().lower().lstrip("\ufeff") == "dataelement":
                continue
        if len(record) < 6:
            raise ParseError(
                [
                    Issue(
                        _(
                            "Line %(line)d has %(n)d columns; DHIS2 CSV needs at least 6 "
                            "(dataelement, period, orgunit, categoryoptioncombo, attributeoptioncombo, value)."
                        )
                        % {"line": line, "n": len(record)},
                        line=line,
                    )
                ]
            )
        cells = [_nfc(c.strip()) for c in record] + [""] * (len(DHIS2_COLUMNS) - len(record))
        if cells[10].lower() == "true":
            raise ParseError(
                [
                    Issue(
                        _("Line %(line)d marks a value as deleted; deleting through an import is not supported.")
                        % {"line": line},
                        line=line,
                        column="deleted",
                    )
                ]
            )
        yield RawRow(
            line=line,
            indicator=cells[0],
            period=cells[1],
            org_unit=cells[2],
            value=cells[5],
            comment=cells[8],
            columns=columns,
        )


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def parse_dhis2_json(content: bytes) -> list[RawRow]:
    text = _decode(content)
    try:
        document = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise ParseError(
            [
                Issue(
                    _("The JSON cannot be read at line %(line)d: %(error)s") % {"line": exc.lineno, "error": exc.msg},
                    line=exc.lineno,
                )
            ]
        ) from exc
    if not isinstance(document, dict) or not isinstance(document.get("dataValues"), list):
        raise ParseError([Issue(_('The JSON must be an object with a "dataValues" list, as DHIS2 writes it.'), line=1)])
    default_period = str(document.get("period") or "")
    default_unit = str(document.get("orgUnit") or "")
    # Walk the array once more with raw_decode to learn the line each value starts on.
    lines: list[int] = []
    match = re.search(r'"dataValues"\s*:\s*\[', text)
    if match:
        decoder = json.JSONDecoder()
        index = match.end()
        while index < len(text):
            while index < len(text) and text[index] in " \t\r\n,":
                index += 1
            if index >= len(text) or text[index] == "]":
                break
            lines.append(_line_of(text, index))
            _obj, index = decoder.raw_decode(text, index)
    columns = {
        "indicator": "dataElement",
        "period": "period",
        "org_unit": "orgUnit",
        "value": "value",
        "comment": "comment",
    }
    rows: list[RawRow] = []
    for position, item in enumerate(document["dataValues"]):
        line = lines[position] if position < len(lines) else position + 1
        if not isinstance(item, dict):
            raise ParseError([Issue(_("Item %(n)d of dataValues is not an object.") % {"n": position + 1}, line=line)])
        if str(item.get("deleted", "")).lower() == "true":
            raise ParseError(
                [
                    Issue(
                        _("A value marked as deleted cannot be imported; deleting through an import is not supported."),
                        line=line,
                        column="deleted",
                    )
                ]
            )
        value = item.get("value")
        rows.append(
            RawRow(
                line=line,
                indicator=str(item.get("dataElement") or "").strip(),
                period=str(item.get("period") or default_period).strip(),
                org_unit=str(item.get("orgUnit") or default_unit).strip(),
                value="" if value is None else value,
                comment=str(item.get("comment") or "").strip(),
                columns=columns,
            )
        )
    return rows
