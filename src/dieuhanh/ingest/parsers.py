"""Read import files into rows, remembering where each row came from.

Formats: our CSV (``indicator,org_unit,period,value[,comment]``), DHIS2 CSV (its
fixed column order, header optional), DHIS2 dataValueSets JSON, and XLSX — either
the template the app generates (``xlsx.py``) or a sheet with our CSV header.
Parsers only read; ``validation.py`` judges what they read.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

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
    if file_format == ImportFormat.CSV:
        return parse_csv(content)
    if file_format == ImportFormat.DHIS2_CSV:
        return parse_dhis2_csv(content)
    if file_format == ImportFormat.DHIS2_JSON:
        return parse_dhis2_json(content)
    if file_format == ImportFormat.XLSX:
        from dieuhanh.ingest.xlsx import parse_xlsx  # noqa: PLC0415 - xlsx builds on this module's types

        return parse_xlsx(content)
    raise ParseError([Issue(_("Unknown file format '%(format)s'.") % {"format": file_format})])


def _decode(content: bytes) -> str:
    try:
        # Text typed on a Mac arrives decomposed (NFD); codes and comments are compared composed.
        return unicodedata.normalize("NFC", content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        # Excel's plain "CSV" on Vietnamese Windows writes the legacy code page.
        try:
            # It writes tone marks as combining characters; store the composed form.
            return unicodedata.normalize("NFC", content.decode("cp1258"))
        except UnicodeDecodeError as exc:
            raise ParseError(
                [Issue(_('The file is not text in UTF-8; save it as "CSV UTF-8" and upload again.'))]
            ) from exc


def _reader(text: str) -> Any:
    first = next((line for line in text.splitlines() if line.strip()), "")
    # Excel in a locale whose decimal mark is a comma separates fields with semicolons.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def parse_csv(content: bytes) -> list[RawRow]:
    reader = _reader(_decode(content))
    try:
        header = next(reader)
    except StopIteration:
        raise ParseError([Issue(_("The file is empty."))]) from None
    except csv.Error as exc:
        raise ParseError([Issue(_("Line 1 cannot be read as CSV: %(error)s") % {"error": exc}, line=1)]) from exc
    names = [h.strip().lower() for h in header]
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
    position = {name: i for i, name in enumerate(names)}
    columns = {name: name for name in names}
    rows: list[RawRow] = []
    line = 1
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ParseError(
                [Issue(_("Line %(line)d cannot be read as CSV: %(error)s") % {"line": start, "error": exc}, line=start)]
            ) from exc
        line = start
        if not any(cell.strip() for cell in record):
            continue

        def cell(name: str, record: list[str] = record) -> str:
            i = position.get(name)
            return record[i].strip() if i is not None and i < len(record) else ""

        rows.append(
            RawRow(
                line=line,
                indicator=cell("indicator"),
                org_unit=cell("org_unit"),
                period=cell("period"),
                value=cell("value"),
                comment=cell("comment"),
                columns=columns,
            )
        )
    return rows


def parse_dhis2_csv(content: bytes) -> list[RawRow]:
    reader = _reader(_decode(content))
    columns = {
        "indicator": "dataelement",
        "period": "period",
        "org_unit": "orgunit",
        "value": "value",
        "comment": "comment",
    }
    rows: list[RawRow] = []
    first = True
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ParseError(
                [Issue(_("Line %(line)d cannot be read as CSV: %(error)s") % {"line": start, "error": exc}, line=start)]
            ) from exc
        if not any(cell.strip() for cell in record):
            continue
        if first:
            first = False
            if record[0].strip().lower() == "dataelement":
                continue
        cells = [c.strip() for c in record] + [""] * (len(DHIS2_COLUMNS) - len(record))
        if len(record) < 6:
            raise ParseError(
                [
                    Issue(
                        _(
                            "Line %(line)d has %(n)d columns; DHIS2 CSV needs at least 6 "
                            "(dataelement, period, orgunit, categoryoptioncombo, attributeoptioncombo, value)."
                        )
                        % {"line": start, "n": len(record)},
                        line=start,
                    )
                ]
            )
        if cells[10].lower() == "true":
            raise ParseError(
                [
                    Issue(
                        _("Line %(line)d marks a value as deleted; deleting through an import is not supported.")
                        % {"line": start},
                        line=start,
                        column="deleted",
                    )
                ]
            )
        rows.append(
            RawRow(
                line=start,
                indicator=cells[0],
                period=cells[1],
                org_unit=cells[2],
                value=cells[5],
                comment=cells[8],
                columns=columns,
            )
        )
    return rows


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
