"""Read import files into rows, remembering where each row came from.

Formats: our CSV (``indicator,org_unit,period,value[,comment]``), DHIS2 CSV (read by
its header's column names), DHIS2 dataValueSets JSON, and XLSX — either the template the
app generates (``xlsx.py``) or a sheet with our CSV header. Parsers read, and refuse what
cannot be read without guessing (a row with more cells than the header, a DHIS2 feature
dieuhanh does not have); ``validation.py`` judges the figures they read.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from dieuhanh.figures.choices import ImportFormat


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
    # The value was written by a machine (DHIS2): a decimal point and no grouping, so "1.234"
    # is one point two three four, not ambiguous.
    machine_number: bool = False


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

# DHIS2 CSV columns by the names DHIS2 writes or reads them (compared without case): the field
# each one fills, and the columns DHIS2 writes that dieuhanh has no use for.
DHIS2_CSV_COLUMNS = {
    "dataelement": "indicator",
    "period": "period",
    "orgunit": "org_unit",
    "categoryoptioncombo": "category_option_combo",
    "catoptcombo": "category_option_combo",
    "attributeoptioncombo": "attribute_option_combo",
    "attroptcombo": "attribute_option_combo",
    "value": "value",
    "comment": "comment",
    "cmt": "comment",
    "deleted": "deleted",
}
DHIS2_CSV_IGNORED = ("storedby", "strby", "lastupdated", "lstupd", "created", "timestamp", "followup")
DHIS2_REQUIRED = ("indicator", "period", "org_unit", "value")
# The default category option combo (also the default attribute option combo) of every DHIS2
# instance, by UID and by name or code; a value with it (or none) is the data element's total.
DHIS2_DEFAULT_COMBO_UID = "HllvX50cXC0"
DHIS2_DEFAULT_COMBO_NAME = "default"
# Problems of a file's shape are all collected, up to this many, before it is refused.
MAX_FILE_ISSUES = 1000


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
    text = _decode_head(content[: 1 << 16])
    first = next((line for line in text.splitlines() if line.strip()), "")
    cells = [c.strip().strip('"').lower().lstrip("\ufeff") for c in re.split(r"[,;\t]", first)]
    if "dataelement" in cells:
        return ImportFormat.DHIS2_CSV
    if set(OUR_REQUIRED) <= set(cells):
        return ImportFormat.CSV
    if len(cells) >= 6:
        return ImportFormat.DHIS2_CSV
    return ImportFormat.CSV


def iter_rows(file_format: str, stream: BinaryIO) -> Iterator[RawRow]:
    """The rows of a file, read as they come for CSV (a national file does not fit in memory)."""
    if file_format == ImportFormat.CSV:
        return without_nul(iter_csv(open_text(stream)))
    if file_format == ImportFormat.DHIS2_CSV:
        return without_nul(iter_dhis2_csv(open_text(stream)))
    if file_format == ImportFormat.DHIS2_JSON:
        return without_nul(iter(parse_dhis2_json(stream.read())))
    if file_format == ImportFormat.XLSX:
        from dieuhanh.ingest.xlsx import parse_xlsx  # noqa: PLC0415 - xlsx builds on this module's types

        return without_nul(iter(parse_xlsx(stream.read())))
    raise ParseError([Issue(_("Unknown file format '%(format)s'.") % {"format": file_format})])


_TEXT_FIELDS = ("indicator", "org_unit", "period", "value", "comment")


def without_nul(rows: Iterator[RawRow]) -> Iterator[RawRow]:
    """The rows, those with a NUL character (code 0) in a cell refused, each naming its cell.

    A NUL is never part of a code, a period, a number or a comment: it comes from a binary file or
    a broken export. PostgreSQL cannot store it in text, so it is refused here, before the rows go
    to either database, and a file reads the same on both.
    """
    refusals = Refusals()
    try:
        for row in rows:
            bad = [f for f in _TEXT_FIELDS if isinstance(getattr(row, f), str) and "\x00" in getattr(row, f)]
            if not bad:
                yield row
                continue
            for name in bad:
                refusals.add(
                    Issue(
                        _(
                            "The cell holds a NUL character (code 0), which is not text; remove it. Such "
                            'characters come from a binary file or a broken export: save the file as "CSV '
                            'UTF-8" or .xlsx and upload again.'
                        ),
                        line=row.line,
                        column=row.columns.get(name, name),
                        value=getattr(row, name).replace("\x00", "\\0")[:80],
                        sheet=row.sheet,
                    )
                )
    except ParseError as exc:
        # The parser's own refusals first (they name the file's shape), then these.
        raise ParseError(exc.issues + refusals.issues) from exc
    refusals.raise_if_any()


NOT_UTF8 = _lazy('The file is not text in UTF-8; save it as "CSV UTF-8" and upload again.')
UTF16_WITHOUT_BOM = _lazy(
    "The file looks like UTF-16 text without a byte order mark, which cannot be read without guessing; "
    'save it as "CSV UTF-8" and upload again.'
)


def text_encoding(head: bytes) -> str:
    """UTF-16 with its byte order mark (Excel's "Unicode Text"), UTF-8 (with or without BOM), else
    Windows-1258, judged on the start of the file."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # The mark says which byte comes first; the codec reads it and leaves it out.
        return "utf-16"
    if len(head) >= 4 and head.count(b"\x00") * 4 >= len(head):
        # Every other byte zero: UTF-16 without its mark. Which byte comes first would be a guess.
        raise ParseError([Issue(str(UTF16_WITHOUT_BOM))])
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


def _decode_head(head: bytes) -> str:
    """The start of a file as text, to tell its format: a character cut at its end is left out."""
    encoding = text_encoding(head)
    if encoding == "utf-16":
        head = head[: len(head) // 2 * 2]
    return _nfc(head.decode(encoding, errors="ignore"))


def _nfc(text: str) -> str:
    # Text typed on a Mac (and Windows-1258) arrives decomposed; codes and comments are compared composed.
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _delimiter(first_line: str) -> str:
    # Excel in a locale whose decimal mark is a comma separates fields with semicolons; its
    # "Unicode Text" (UTF-16) with tabs.
    counts = {",": first_line.count(","), ";": first_line.count(";"), "\t": first_line.count("\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


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


class Refusals:
    """Problems of a file's shape, collected while it is read so that all of them are named."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self.more = 0

    def add(self, issue: Issue) -> None:
        if len(self.issues) < MAX_FILE_ISSUES:
            self.issues.append(issue)
        else:
            self.more += 1

    def raise_if_any(self) -> None:
        if self.more:
            self.issues.append(
                Issue(_("… and %(n)d more such problems; correct the ones above first.") % {"n": self.more})
            )
        if self.issues:
            raise ParseError(self.issues)


@dataclass(frozen=True)
class Table:
    """A CSV header: where each field is, how the file names it, which fields a row must have."""

    position: dict[str, int]
    names: dict[str, str]
    width: int
    required: tuple[str, ...]


def _fitting(
    records: Iterator[tuple[int, list[str]]], table: Table, refusals: Refusals
) -> Iterator[tuple[int, list[str]]]:
    """The records whose cells fit the header; the others are refused, each naming its line.

    A record with more cells than the header would lose the extra ones (a decimal comma in an
    unquoted comma-separated file splits one figure in two); a record may leave out trailing
    cells of optional columns (a comment nobody wrote), not of a column a figure needs.
    """
    for line, record in records:
        if len(record) > table.width:
            extra = ", ".join(cell.strip() for cell in record[table.width :])
            refusals.add(
                Issue(
                    _(
                        "The row has %(cells)d cells but the header names %(columns)d columns; the extra "
                        'cells would be lost. A number with a decimal comma must be in quotes ("1234,5"), '
                        "or the file separated by semicolons."
                    )
                    % {"cells": len(record), "columns": table.width},
                    line=line,
                    value=extra[:80],
                )
            )
            continue
        missing = [f for f in table.required if table.position[f] >= len(record)]
        if missing:
            refusals.add(
                Issue(
                    _("The row has %(cells)d cells but the header names %(columns)d columns: %(missing)s missing.")
                    % {
                        "cells": len(record),
                        "columns": table.width,
                        "missing": ", ".join(table.names[f] for f in missing),
                    },
                    line=line,
                    column=table.names[min(missing, key=lambda f: table.position[f])],
                )
            )
            continue
        yield line, record


def _cell(record: list[str], table: Table, name: str) -> str:
    i = table.position.get(name)
    return _nfc(record[i].strip()) if i is not None and i < len(record) else ""


def iter_csv(text: Iterator[str]) -> Iterator[RawRow]:
    records = _records(text)
    first = next(records, None)
    if first is None:
        raise ParseError([Issue(_("The file is empty."))])
    names = csv_header_names(first[1])
    table = Table(
        position={name: i for i, name in enumerate(names)},
        names={name: name for name in names},
        width=len(names),
        required=OUR_REQUIRED,
    )
    refusals = Refusals()
    for line, record in _fitting(records, table, refusals):
        yield RawRow(
            line=line,
            indicator=_cell(record, table, "indicator"),
            org_unit=_cell(record, table, "org_unit"),
            period=_cell(record, table, "period"),
            value=_cell(record, table, "value"),
            comment=_cell(record, table, "comment"),
            columns=table.names,
        )
    refusals.raise_if_any()


def dhis2_csv_header(header: list[str]) -> Table:
    """A DHIS2 CSV header read by its column names, or ParseError saying what it must name."""
    issues: list[Issue] = []
    position: dict[str, int] = {}
    names: dict[str, str] = {}
    for i, written in enumerate(header):
        name = written.strip().lstrip("\ufeff")
        key = name.lower()
        if key in DHIS2_CSV_IGNORED:
            continue
        field_name = DHIS2_CSV_COLUMNS.get(key)
        if field_name is None:
            issues.append(
                Issue(
                    _(
                        "Unknown column '%(column)s' in a DHIS2 CSV; the columns read are dataelement, period, "
                        "orgunit, categoryoptioncombo, attributeoptioncombo, value, comment, deleted (storedby, "
                        "lastupdated, created and followup are left aside)."
                    )
                    % {"column": name},
                    line=1,
                    column=name,
                )
            )
        elif field_name in position:
            issues.append(Issue(_("A column name appears twice in the header."), line=1, column=name))
        else:
            position[field_name], names[field_name] = i, name
    if any(f not in position for f in DHIS2_REQUIRED):
        if not position:
            # No column name at all: the first line is figures, the header is missing.
            issues = []
        issues.insert(
            0,
            Issue(
                _(
                    "A DHIS2 CSV must start with a header line naming its columns, as DHIS2 writes it: "
                    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,"
                    "lastupdated,comment,followup,deleted (dataelement, period, orgunit and value are needed)."
                ),
                line=1,
            ),
        )
    if issues:
        raise ParseError(issues)
    return Table(position=position, names=names, width=len(header), required=DHIS2_REQUIRED)


def iter_dhis2_csv(text: Iterator[str]) -> Iterator[RawRow]:
    records = _records(text)
    first = next(records, None)
    if first is None:
        raise ParseError([Issue(_("The file is empty."))])
    table = dhis2_csv_header(first[1])
    columns: dict[str, str] = {
        f: table.names[f] for f in ("indicator", "period", "org_unit", "value", "comment") if f in table.names
    }
    refusals = Refusals()
    for line, record in _fitting(records, table, refusals):
        refused = False
        for combo in ("category_option_combo", "attribute_option_combo"):
            written = _cell(record, table, combo)
            if not is_default_combo(written):
                refusals.add(_combo_issue(combo, written, line=line, column=table.names[combo]))
                refused = True
        if _cell(record, table, "deleted").lower() == "true":
            refusals.add(_deleted_issue(line=line, column=table.names["deleted"]))
            refused = True
        if refused:
            continue
        yield RawRow(
            line=line,
            indicator=_cell(record, table, "indicator"),
            period=_cell(record, table, "period"),
            org_unit=_cell(record, table, "org_unit"),
            value=_cell(record, table, "value"),
            comment=_cell(record, table, "comment"),
            columns=columns,
            machine_number=True,
        )
    refusals.raise_if_any()


def is_default_combo(written: Any) -> bool:
    """Whether a DHIS2 category (or attribute) option combo is the default one: the value is a total."""
    if written is None:
        return True
    if isinstance(written, dict):
        # Options by category ({"Sex": "Female"}): a disaggregation unless there are none.
        return not written
    text = str(written).strip()
    return text in ("", DHIS2_DEFAULT_COMBO_UID) or text.lower() == DHIS2_DEFAULT_COMBO_NAME


def _combo_issue(combo: str, written: Any, *, line: int, column: str) -> Issue:
    shown = json.dumps(written, ensure_ascii=False) if isinstance(written, dict | list) else str(written)
    if combo in ("category_option_combo", "category_options"):
        message = _(
            "'%(combo)s' is not the default category option combo: dieuhanh keeps one total per "
            "indicator, unit and period and has no disaggregations yet, so this value would be stored as "
            "the total or overwrite another one. Send the total with the default combo (%(default)s) or "
            "leave the column empty."
        )
    else:
        message = _(
            "'%(combo)s' is not the default attribute option combo: dieuhanh keeps one figure per "
            "indicator, unit and period and has no attribute options (such as a funding partner) yet. "
            "Send the figure with the default combo (%(default)s) or leave the column empty."
        )
    return Issue(
        message % {"combo": shown, "default": DHIS2_DEFAULT_COMBO_UID}, line=line, column=column, value=shown[:80]
    )


def _deleted_issue(*, line: int, column: str) -> Issue:
    return Issue(
        _(
            "The value is marked deleted; figures cannot be deleted by an import yet. Leave the value out "
            "of the file, and delete the figure in dieuhanh if it must go."
        ),
        line=line,
        column=column,
        value="true",
    )


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _key_line(text: str, key: str, outside: tuple[int, int]) -> int:
    """The line of the first ``"key":`` of the text outside the span ``outside`` (the values)."""
    for match in re.finditer(r'(?<!\\)"' + re.escape(key) + r'"\s*:', text):
        if not outside[0] <= match.start() < outside[1]:
            return _line_of(text, match.start())
    return 1


# Keys of a data value, and of the set, that name a disaggregation, as DHIS2 reads them.
_VALUE_COMBOS = {
    "categoryOptionCombo": "category_option_combo",
    "categoryOptions": "category_options",
    "attributeOptionCombo": "attribute_option_combo",
    "attributeOptions": "attribute_options",
}
_SET_COMBOS = {"attributeOptionCombo": "attribute_option_combo", "attributeOptions": "attribute_options"}


def parse_dhis2_json(content: bytes) -> list[RawRow]:
    text = _decode(content)
    try:
        # Numbers are kept as written (NaN and Infinity too): the value rules read them as they read
        # DHIS2's text, on both databases, and a 5,000-digit integer is never made a Python int.
        document = json.loads(text, parse_float=str, parse_int=str, parse_constant=str)
    except json.JSONDecodeError as exc:
        raise ParseError(
            [
                Issue(
                    _("The JSON cannot be read at line %(line)d: %(error)s") % {"line": exc.lineno, "error": exc.msg},
                    line=exc.lineno,
                )
            ]
        ) from exc
    except RecursionError as exc:
        raise ParseError(
            [
                Issue(
                    _(
                        "The JSON is nested too deeply to be read; a DHIS2 data value set is an object with a "
                        '"dataValues" list of objects, nested three levels deep.'
                    ),
                    line=1,
                )
            ]
        ) from exc
    if not isinstance(document, dict) or not isinstance(document.get("dataValues"), list):
        raise ParseError([Issue(_('The JSON must be an object with a "dataValues" list, as DHIS2 writes it.'), line=1)])
    default_period = str(document.get("period") or "")
    default_unit = str(document.get("orgUnit") or "")
    # Walk the array once more with raw_decode to learn the line each value starts on.
    lines: list[int] = []
    values_span = (len(text), len(text))
    match = re.search(r'"dataValues"\s*:\s*\[', text)
    if match:
        decoder = json.JSONDecoder(parse_float=str, parse_int=str, parse_constant=str)
        index = match.end()
        while index < len(text):
            while index < len(text) and text[index] in " \t\r\n,":
                index += 1
            if index >= len(text) or text[index] == "]":
                break
            lines.append(_line_of(text, index))
            _obj, index = decoder.raw_decode(text, index)
        values_span = (match.start(), index)
    refusals = Refusals()
    if document.get("deletion") not in (None, {}, []):
        refusals.add(
            Issue(
                _(
                    'The file has a deletion scope ("deletion"); figures cannot be deleted by an import yet. '
                    "Remove the scope from the file, and delete the figures in dieuhanh if they must go."
                ),
                line=_key_line(text, "deletion", values_span),
                column="deletion",
            )
        )
    for key, combo in _SET_COMBOS.items():
        if not is_default_combo(document.get(key)):
            refusals.add(_combo_issue(combo, document[key], line=_key_line(text, key, values_span), column=key))
    columns: dict[str, str] = {
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
        refused = False
        for key, combo in _VALUE_COMBOS.items():
            if not is_default_combo(item.get(key)):
                refusals.add(_combo_issue(combo, item[key], line=line, column=key))
                refused = True
        if str(item.get("deleted", "")).lower() == "true":
            refusals.add(_deleted_issue(line=line, column="deleted"))
            refused = True
        for key in columns.values():
            if isinstance(item.get(key), dict | list):
                refusals.add(
                    Issue(
                        _("'%(key)s' is a list or an object; it must be a text or a number.") % {"key": key},
                        line=line,
                        column=key,
                    )
                )
                refused = True
        if refused:
            continue
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
                machine_number=True,
            )
        )
    refusals.raise_if_any()
    return rows
