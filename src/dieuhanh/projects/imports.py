"""The register from files: the projects (one row a project) and the State Treasury's monthly
disbursement (one row a project, plan year, source and month), as CSV or XLSX.

As figures are imported (``dieuhanh.ingest``), and with its pieces: the file's size and an XLSX's
unpacked size are limited before it is opened, text is read in the encodings Excel writes, a number
is read by ``ingest.validation.parse_number`` (a number that reads two ways, "2.500", is refused,
never guessed). An import is all or nothing: every row is checked first and every problem named
with its line and column; then the rows are written through the register's services in one
transaction, and the register's figures refreshed once at its end. A dry run checks and counts,
writing nothing. Each attempt is kept (``ProjectImport``): who, when, which file, the counts, the
errors.

A file's header names each column by its key (``code``), by its name in the template
("Mã dự án (code)": the key in brackets at the end), or by its name alone ("Mã dự án").
A code of a unit (investor, managing agency, commune) names a unit only with a date: the row's
start date (``start``), else today (``orgunits.selectors``, "A code becomes a unit only through the
resolver").
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import TextChoices
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from dieuhanh.accounts.selectors import acting_user
from dieuhanh.figures.choices import ImportStatus
from dieuhanh.ingest.parsers import Issue, ParseError, Refusals, _records, open_text
from dieuhanh.ingest.services import _measure, too_large_message
from dieuhanh.ingest.validation import (
    AmbiguousNumberError,
    NotANumberError,
    OutOfRangeError,
    _ambiguity_message,
    parse_number,
)
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import UnitLookupError, today, unit_among, units_by_code
from dieuhanh.projects.choices import (
    CapitalSource,
    DecisionKind,
    ProjectGroup,
    ProjectImportFormat,
    ProjectImportKind,
    ProjectSector,
    ProjectStage,
)
from dieuhanh.projects.models import Project, ProjectImport, period_problem
from dieuhanh.spreadsheets import csv_row, xlsx_cell

# An amount is kept in million đồng with three decimals (one thousand đồng), below 10^15.
AMOUNT_PLACES = 3
MAX_AMOUNT = Decimal("1e15")
MAX_STORED_ERRORS = 10_000
LIST_SEPARATORS = re.compile(r"[;,]")


@dataclass(frozen=True)
class Column:
    """A column of an import file: its key (the header's English name) and its name for people."""

    key: str
    label: str | Promise
    required: bool = False
    help: str | Promise = ""


REGISTER_COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        pgettext_lazy("import column", "Project code"),
        True,
        gettext_lazy("The code in the national public-investment system."),
    ),
    Column("name", pgettext_lazy("import column", "Project name"), True),
    Column(
        "investor",
        pgettext_lazy("import column", "Investor code"),
        True,
        gettext_lazy("The code of the investor's unit or agency."),
    ),
    Column("managing_agency", pgettext_lazy("import column", "Managing agency code")),
    Column("group", pgettext_lazy("import column", "Project group"), True),
    Column("sector", pgettext_lazy("import column", "Project sector"), True),
    Column(
        "stage", pgettext_lazy("import column", "Project stage"), False, gettext_lazy("Implementation when left empty.")
    ),
    Column(
        "sources", pgettext_lazy("import column", "Capital sources"), False, gettext_lazy("Codes separated by “;”.")
    ),
    Column("total_investment", pgettext_lazy("import column", "Total investment (million đồng)"), True),
    Column("communes", pgettext_lazy("import column", "Commune codes"), False, gettext_lazy("Codes separated by “;”.")),
    Column(
        "start",
        pgettext_lazy("import column", "Start date"),
        False,
        gettext_lazy("dd/mm/yyyy; the unit codes are read at this date."),
    ),
    Column(
        "planned_completion",
        pgettext_lazy("import column", "Planned completion date"),
        False,
        gettext_lazy("dd/mm/yyyy"),
    ),
    Column("completed", pgettext_lazy("import column", "Actual completion date"), False, gettext_lazy("dd/mm/yyyy")),
    Column(
        "policy_decision",
        pgettext_lazy("import column", "Investment policy decision number"),
        False,
        gettext_lazy("e.g. 3679/QĐ-UBND"),
    ),
    Column(
        "policy_decision_date",
        pgettext_lazy("import column", "Investment policy decision date"),
        False,
        gettext_lazy("dd/mm/yyyy"),
    ),
    Column(
        "approval_decision",
        pgettext_lazy("import column", "Project approval decision number"),
        False,
        gettext_lazy("e.g. 3679/QĐ-UBND"),
    ),
    Column(
        "approval_decision_date",
        pgettext_lazy("import column", "Project approval decision date"),
        False,
        gettext_lazy("dd/mm/yyyy"),
    ),
    Column(
        "longitude", pgettext_lazy("import column", "Longitude"), False, gettext_lazy("Decimal degrees, e.g. 106,6519.")
    ),
    Column(
        "latitude", pgettext_lazy("import column", "Latitude"), False, gettext_lazy("Decimal degrees, e.g. 10,9804.")
    ),
    Column("description", pgettext_lazy("import column", "Description")),
)

DISBURSEMENT_COLUMNS: tuple[Column, ...] = (
    Column("project", pgettext_lazy("import column", "Project code"), True),
    Column(
        "plan_year",
        pgettext_lazy("import column", "Plan year"),
        True,
        gettext_lazy("The year of the capital plan disbursed, e.g. 2024."),
    ),
    Column("source", pgettext_lazy("import column", "Capital source"), True),
    Column(
        "period",
        pgettext_lazy("import column", "Month (YYYYMM)"),
        True,
        gettext_lazy("The month of the Treasury's figure, e.g. 202406."),
    ),
    Column("amount", pgettext_lazy("import column", "Amount disbursed (million đồng)"), True),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    ProjectImportKind.REGISTER: REGISTER_COLUMNS,
    ProjectImportKind.DISBURSEMENT: DISBURSEMENT_COLUMNS,
}

# The choices a column takes, by key: written as the code, or as its name in either language.
CHOICE_COLUMNS: dict[str, type[TextChoices]] = {
    "group": ProjectGroup,
    "sector": ProjectSector,
    "stage": ProjectStage,
    "sources": CapitalSource,
    "source": CapitalSource,
}

DECISION_COLUMNS = (
    (DecisionKind.POLICY, "policy_decision", "policy_decision_date"),
    (DecisionKind.APPROVAL, "approval_decision", "approval_decision_date"),
)


# ---------------------------------------------------------------------------------------------
# Reading a file into rows of cells


@dataclass
class Row:
    """One row of a file: its cells by key, as written (text from a CSV, typed from a sheet)."""

    line: int
    cells: dict[str, Any]
    columns: dict[str, str]
    sheet: str = ""

    def issue(self, key: str, message: str, value: Any = "") -> Issue:
        shown = value if isinstance(value, str) else ("" if value is None else str(value))
        return Issue(message, line=self.line, column=self.columns.get(key, key), value=shown[:80], sheet=self.sheet)


@dataclass
class Table:
    """The rows of a file, and which of the columns it has."""

    rows: list[Row]
    present: frozenset[str]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter  # noqa: PLC0415 - openpyxl is slow to import for a CSV

    return get_column_letter(index + 1)


def _label_keys(columns: Sequence[Column]) -> dict[str, str]:
    """Each way a header may name a column (its key, its name in Vietnamese or English) → key."""
    names: dict[str, str] = {}
    for column in columns:
        names[_fold(column.key)] = column.key
        for language in ("vi", "en"):
            with translation.override(language):
                names.setdefault(_fold(str(column.label)), column.key)
                names.setdefault(_fold(f"{column.label} ({column.key})"), column.key)
    return names


def header_keys(header: Sequence[Any], columns: Sequence[Column], *, sheet: str = "") -> list[str]:
    """The key of each cell of the header ('' for an empty trailing one), or ParseError naming
    every unknown, repeated or missing column."""
    known = _label_keys(columns)
    keys: list[str] = []
    issues: list[Issue] = []
    cells = [str(c).lstrip("\ufeff").strip() if c is not None else "" for c in header]
    while cells and not cells[-1]:
        cells.pop()
    for index, written in enumerate(cells):
        folded = _fold(written)
        key = known.get(folded)
        if key is None and (bracket := re.search(r"\(([^()]*)\)\s*$", written)):
            key = known.get(_fold(bracket.group(1)))
        if key is None:
            issues.append(
                Issue(
                    _("Unknown column “%(column)s”; the columns are: %(keys)s. Download the template to see them.")
                    % {"column": written[:80], "keys": ", ".join(c.key for c in columns)},
                    line=1,
                    column=_letter(index),
                    sheet=sheet,
                )
            )
            keys.append("")
        elif key in keys:
            issues.append(
                Issue(
                    _("Column “%(column)s” appears twice in the header; keep one.") % {"column": key},
                    line=1,
                    column=_letter(index),
                    sheet=sheet,
                )
            )
            keys.append("")
        else:
            keys.append(key)
    for column in columns:
        if column.required and column.key not in keys:
            issues.append(
                Issue(
                    _("Column “%(label)s (%(key)s)” is missing from the first line; it is required.")
                    % {"label": column.label, "key": column.key},
                    line=1,
                    sheet=sheet,
                )
            )
    if issues:
        raise ParseError(issues)
    return keys


def _column_name(index: int, key: str) -> str:
    return f"{_letter(index)} ({key})"


def read_csv(stream: BinaryIO, columns: Sequence[Column]) -> Table:
    """A CSV's rows (the encodings and separators Excel writes, as a file of figures is read)."""
    records = _records(open_text(stream))
    first = next(records, None)
    if first is None:
        raise ParseError([Issue(_("The file is empty."))])
    keys = header_keys(first[1], columns)
    names = {key: _column_name(i, key) for i, key in enumerate(keys) if key}
    refusals = Refusals()
    rows: list[Row] = []
    for line, record in records:
        if len(record) > len(keys) and any(cell.strip() for cell in record[len(keys) :]):
            refusals.add(
                Issue(
                    _(
                        "The row has %(cells)d cells but the header names %(columns)d columns; the extra cells "
                        'would be lost. A number with a decimal comma must be in quotes ("1234,5"), or the file '
                        "separated by semicolons."
                    )
                    % {"cells": len(record), "columns": len(keys)},
                    line=line,
                    value=", ".join(record[len(keys) :])[:80],
                )
            )
            continue
        cells = {
            key: unicodedata.normalize("NFC", record[i].strip())
            for i, key in enumerate(keys)
            if key and i < len(record)
        }
        rows.append(Row(line=line, cells=cells, columns=names))
    refusals.raise_if_any()
    return Table(rows=rows, present=frozenset(k for k in keys if k))


def read_xlsx(content: bytes, columns: Sequence[Column]) -> Table:
    """The first sheet's rows, its first row the header (the template's layout)."""
    from openpyxl import load_workbook  # noqa: PLC0415 - openpyxl is slow to import for a CSV

    from dieuhanh.ingest.xlsx import unpacked_size_check  # noqa: PLC0415 - it imports openpyxl

    unpacked_size_check(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ParseError(
            [Issue(_("The Excel file cannot be opened (%(error)s). Save it again as .xlsx.") % {"error": exc})]
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        iterator = sheet.iter_rows(values_only=True)
        header = next(iterator, None)
        if header is None:
            raise ParseError([Issue(_("The file is empty."), sheet=sheet.title)])
        keys = header_keys(header, columns, sheet=sheet.title)
        names = {key: _column_name(i, key) for i, key in enumerate(keys) if key}
        refusals = Refusals()
        rows: list[Row] = []
        for line, values in enumerate(iterator, start=2):
            if not values or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            beyond = [i for i in range(len(keys), len(values)) if values[i] not in (None, "")]
            if beyond:
                refusals.add(
                    Issue(
                        _(
                            "A value in a column without a header would be lost; move it into the column it "
                            "belongs to, or delete it."
                        ),
                        line=line,
                        column=_letter(beyond[0]),
                        value=str(values[beyond[0]])[:80],
                        sheet=sheet.title,
                    )
                )
                continue
            cells = {key: values[i] for i, key in enumerate(keys) if key and i < len(values)}
            rows.append(Row(line=line, cells=cells, columns=names, sheet=sheet.title))
        refusals.raise_if_any()
        return Table(rows=rows, present=frozenset(k for k in keys if k))
    finally:
        workbook.close()


# ---------------------------------------------------------------------------------------------
# Reading a cell


class CellError(ValueError):
    """A cell that does not say what its column needs: the message says what to write."""


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return unicodedata.normalize("NFC", str(value)).strip()


def cell_amount(value: Any) -> Decimal:
    """An amount in million đồng: a number, not negative, with at most three decimals, below 10^15."""
    try:
        amount = parse_number(value)
    except AmbiguousNumberError as exc:
        raise CellError(_ambiguity_message(str(exc))) from exc
    except (OutOfRangeError, NotANumberError) as exc:
        raise CellError(
            _("“%(value)s” is not an amount; write the number of million đồng, e.g. 1250,5.") % {"value": value}
        ) from exc
    if amount.quantize(Decimal(1).scaleb(-AMOUNT_PLACES)) != amount:
        raise CellError(
            _("“%(value)s” has more than three decimals; amounts are in million đồng to the thousand đồng.")
            % {"value": value}
        )
    if abs(amount) >= MAX_AMOUNT:
        raise CellError(_("“%(value)s” is too large to be an amount in million đồng.") % {"value": value})
    if amount < 0:
        raise CellError(_("“%(value)s” is negative; an amount here cannot be.") % {"value": value})
    return amount.quantize(Decimal(1).scaleb(-AMOUNT_PLACES))


def cell_degrees(value: Any, *, limit: int) -> float:
    """A longitude (limit 180) or latitude (90) in decimal degrees. "106.652" reads two ways for
    figures, but only one for degrees: as a whole number it would be past the limit."""
    try:
        number = parse_number(value)
    except AmbiguousNumberError as exc:
        number = Decimal(str(exc).replace(",", "."))
    except (OutOfRangeError, NotANumberError) as exc:
        raise CellError(
            _("“%(value)s” is not a number of degrees; write it with decimals, e.g. 106,6519.") % {"value": value}
        ) from exc
    if not -limit <= number <= limit:
        raise CellError(
            _("“%(value)s” is out of range: degrees lie between −%(limit)d and %(limit)d.")
            % {"value": value, "limit": limit}
        )
    return float(number)


def cell_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date, not a time
        except ValueError:
            continue
    raise CellError(_("“%(value)s” is not a date; write it dd/mm/yyyy, e.g. 30/06/2024.") % {"value": text})


def cell_year(value: Any) -> int:
    text = cell_text(value)
    if not re.fullmatch(r"(19|20)[0-9]{2}", text):
        raise CellError(_("“%(value)s” is not a year; write it with four digits, e.g. 2024.") % {"value": text})
    return int(text)


def _choice_names(choices: type[TextChoices]) -> dict[str, str]:
    """The codes and names (in either language) of ``choices``, read once per language."""
    return _choice_names_in(choices, translation.get_language() or "")


@functools.cache
def _choice_names_in(choices: type[TextChoices], active: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for value, label in choices.choices:
        names[_fold(value)] = value
        for language in ("vi", "en"):
            with translation.override(language):
                names.setdefault(_fold(str(label)), value)
    return names


def cell_choice(value: Any, choices: type[TextChoices]) -> str:
    text = cell_text(value)
    found = _choice_names(choices).get(_fold(text))
    if found is None:
        raise CellError(
            _("“%(value)s” is not one of: %(known)s.")
            % {"value": text, "known": "; ".join(f"{v} ({label})" for v, label in choices.choices)}
        )
    return found


def cell_list(value: Any) -> list[str]:
    return [part.strip() for part in LIST_SEPARATORS.split(cell_text(value)) if part.strip()]


# ---------------------------------------------------------------------------------------------
# Checking rows


@dataclass
class RegisterRow:
    """A project as a row says it, its units resolved."""

    line: int
    code: str
    name: str
    investor: OrgUnit
    group: str
    sector: str
    stage: str
    total_investment: Decimal
    sources: list[str]
    locations: list[OrgUnit]
    managing_agency: OrgUnit | None = None
    start_on: dt.date | None = None
    planned_completion_on: dt.date | None = None
    completed_on: dt.date | None = None
    geometry: dict[str, Any] | None = None
    description: str = ""
    decisions: list[tuple[str, str, dt.date]] = field(default_factory=list)
    present: frozenset[str] = frozenset()
    source_row: Row | None = None


@dataclass
class DisbursementLine:
    """A Treasury row checked: a project's disbursement of a year's plan and source in a month."""

    line: int
    project_id: int
    plan_year: int
    source: str
    period: str
    amount: Decimal


class RowJudge:
    """Reads a row's cells one by one, collecting each problem with its line and column."""

    def __init__(self, row: Row, issues: list[Issue]) -> None:
        self.row = row
        self.issues = issues
        self.start = len(issues)
        self.refused = False

    def done(self) -> None:
        """The row's problems in the order of its columns, as a reader goes along the line."""

        def order(issue: Issue) -> tuple[int, str]:
            letters = issue.column.split(" ", 1)[0]
            return (len(letters), letters) if letters.isalpha() and letters.isupper() else (99, "")

        self.issues[self.start :] = sorted(self.issues[self.start :], key=order)

    def refuse(self, key: str, message: str, value: Any = "") -> None:
        self.refused = True
        self.issues.append(self.row.issue(key, message, value if value is not None else ""))

    def raw(self, key: str) -> Any:
        return self.row.cells.get(key)

    def empty(self, key: str) -> bool:
        return cell_text(self.raw(key)) == ""

    def read(self, key: str, reader: Callable[[Any], Any], *, required: bool = False) -> Any:
        if self.empty(key):
            if required:
                self.refuse(key, _("The cell is empty; it is required."))
            return None
        try:
            return reader(self.raw(key))
        except CellError as exc:
            self.refuse(key, str(exc), cell_text(self.raw(key)))
            return None

    def text(self, key: str, *, required: bool = False, max_length: int = 500) -> str:
        text = cell_text(self.raw(key))
        if not text and required:
            self.refuse(key, _("The cell is empty; it is required."))
        elif len(text) > max_length:
            self.refuse(key, _("The text is longer than %(n)d characters.") % {"n": max_length}, text[:40] + "…")
        return text


def _unit(judge: RowJudge, key: str, code: str, units: dict[str, list[OrgUnit]], on: dt.date) -> OrgUnit | None:
    try:
        return unit_among(units.get(code, []), code, on=on)
    except UnitLookupError as exc:
        judge.refuse(key, str(exc), code)
        return None


def check_register(
    rows: Sequence[Row], *, present: Iterable[str] = (), units: dict[str, list[OrgUnit]] | None = None
) -> tuple[list[RegisterRow], list[Issue]]:
    """Every row of a register file checked; the projects read, and every problem (file order)."""
    present = frozenset(present)
    if units is None:
        codes: set[str] = set()
        for row in rows:
            codes.update(cell_text(row.cells.get(k)) for k in ("investor", "managing_agency"))
            codes.update(cell_list(row.cells.get("communes")))
        units = units_by_code(c for c in codes if c)
    issues: list[Issue] = []
    checked: list[RegisterRow] = []
    first_line: dict[str, int] = {}
    today_ = today()
    for row in rows:
        judge = RowJudge(row, issues)
        code = judge.text("code", required=True, max_length=32)
        if code and code in first_line:
            judge.refuse(
                "code",
                _("Project %(code)s was already given on line %(line)d; give each project once.")
                % {"code": code, "line": first_line[code]},
                code,
            )
        elif code:
            first_line[code] = row.line
        name = judge.text("name", required=True, max_length=500)
        group = judge.read("group", lambda v: cell_choice(v, ProjectGroup), required=True)
        sector = judge.read("sector", lambda v: cell_choice(v, ProjectSector), required=True)
        stage = judge.read("stage", lambda v: cell_choice(v, ProjectStage)) or ProjectStage.IMPLEMENTATION
        sources: list[str] = []
        for written in cell_list(row.cells.get("sources")):
            try:
                source = cell_choice(written, CapitalSource)
            except CellError as exc:
                judge.refuse("sources", str(exc), written)
                continue
            if source not in sources:
                sources.append(source)
        total = judge.read("total_investment", cell_amount, required=True)
        start_on = judge.read("start", cell_date)
        planned = judge.read("planned_completion", cell_date)
        completed = judge.read("completed", cell_date)
        if start_on and planned and planned < start_on:
            judge.refuse("planned_completion", _("The planned completion comes before the start."), cell_text(planned))
        if start_on and completed and completed < start_on:
            judge.refuse("completed", _("The completion comes before the start."), cell_text(completed))
        on = start_on or today_
        investor_code = judge.text("investor", required=True)
        investor = _unit(judge, "investor", investor_code, units, on) if investor_code else None
        agency_code = judge.text("managing_agency")
        agency = _unit(judge, "managing_agency", agency_code, units, on) if agency_code else None
        locations: list[OrgUnit] = []
        for commune in cell_list(row.cells.get("communes")):
            unit = _unit(judge, "communes", commune, units, on)
            if unit is not None and unit not in locations:
                locations.append(unit)
        geometry = None
        longitude = judge.read("longitude", lambda v: cell_degrees(v, limit=180))
        latitude = judge.read("latitude", lambda v: cell_degrees(v, limit=90))
        if (longitude is None) != (latitude is None) and not judge.refused:
            missing = "latitude" if latitude is None else "longitude"
            judge.refuse(missing, _("Give both the longitude and the latitude, or neither."))
        elif longitude is not None and latitude is not None:
            geometry = {"type": "Point", "coordinates": [longitude, latitude]}
        decisions: list[tuple[str, str, dt.date]] = []
        for kind, number_key, date_key in DECISION_COLUMNS:
            number = judge.text(number_key, max_length=64)
            date = judge.read(date_key, cell_date)
            if number and date is None and judge.empty(date_key):
                judge.refuse(date_key, _("The decision %(number)s needs its date.") % {"number": number})
            elif date is not None and not number:
                judge.refuse(number_key, _("A decision date is given without the decision's number."))
            elif number and date is not None:
                decisions.append((kind, number, date))
        description = judge.text("description", max_length=10_000)
        judge.done()
        if judge.refused or investor is None or total is None:
            continue
        checked.append(
            RegisterRow(
                line=row.line,
                code=code,
                name=name,
                investor=investor,
                group=group,
                sector=sector,
                stage=stage,
                total_investment=total,
                sources=sources,
                locations=locations,
                managing_agency=agency,
                start_on=start_on,
                planned_completion_on=planned,
                completed_on=completed,
                geometry=geometry,
                description=description,
                decisions=decisions,
                present=present,
                source_row=row,
            )
        )
    return checked, issues


def check_disbursement(rows: Sequence[Row]) -> tuple[list[DisbursementLine], list[Issue]]:
    """Every row of a Treasury file checked: known projects, sources, months of the plan year."""
    codes = {cell_text(r.cells.get("project")) for r in rows}
    projects = dict(Project.objects.filter(code__in=[c for c in codes if c]).values_list("code", "pk"))
    issues: list[Issue] = []
    checked: list[DisbursementLine] = []
    first_line: dict[tuple[int, int, str, str], int] = {}
    for row in rows:
        judge = RowJudge(row, issues)
        code = judge.text("project", required=True, max_length=32)
        project_id = projects.get(code)
        if code and project_id is None:
            judge.refuse(
                "project",
                _("There is no project %(code)s in the register; import the project register first.") % {"code": code},
                code,
            )
        plan_year = judge.read("plan_year", cell_year, required=True)
        source = judge.read("source", lambda v: cell_choice(v, CapitalSource), required=True)
        period = judge.text("period", required=True, max_length=6 + 10)
        if period:
            problem = period_problem(period)
            if problem is not None:
                judge.refuse("period", problem, period)
            elif plan_year is not None:
                year, month = int(period[:4]), int(period[4:])
                if not (year == plan_year or (year == plan_year + 1 and month == 1)):
                    judge.refuse(
                        "period",
                        _(
                            "Capital of the %(year)s plan is disbursed in %(year)s or by 31 January of the next "
                            "year; check the month or the plan year."
                        )
                        % {"year": plan_year},
                        period,
                    )
        amount = judge.read("amount", cell_amount, required=True)
        judge.done()
        if judge.refused or project_id is None or plan_year is None or source is None or amount is None:
            continue
        key = (project_id, plan_year, source, period)
        if key in first_line:
            judge.refuse(
                "project",
                _("Duplicate: %(code)s, plan %(year)s, %(source)s, %(period)s was already given on line %(line)d.")
                % {"code": code, "year": plan_year, "source": source, "period": period, "line": first_line[key]},
                code,
            )
            continue
        first_line[key] = row.line
        checked.append(DisbursementLine(row.line, project_id, plan_year, source, period, amount))
    return checked, issues


# ---------------------------------------------------------------------------------------------
# Writing


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class _RefusedError(Exception):
    """Raised inside the import's transaction to undo it: the rows' services refused some."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("; ".join(i.message for i in issues))
        self.issues = issues


# A model field's errors → the column of the register file that gave it.
FIELD_COLUMNS = {
    "code": "code",
    "name": "name",
    "investor": "investor",
    "managing_agency": "managing_agency",
    "group": "group",
    "sector": "sector",
    "stage": "stage",
    "sources": "sources",
    "total_investment": "total_investment",
    "geometry": "longitude",
    "start_on": "start",
    "planned_completion_on": "planned_completion",
    "completed_on": "completed",
    "description": "description",
    "locations": "communes",
}


def _validation_issues(
    exc: ValidationError, *, line: int, columns: dict[str, str], fields: dict[str, str], sheet: str = ""
) -> list[Issue]:
    issues = []
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            key = fields.get(name, "")
            for message in errors:
                issues.append(Issue(message, line=line, column=columns.get(key, key), sheet=sheet))
    else:
        issues.extend(Issue(message, line=line, sheet=sheet) for message in exc.messages)
    return issues


def _snapshot(project: Project) -> tuple[Any, ...]:
    return (
        project.name,
        project.investor_id,
        project.managing_agency_id,
        project.group,
        project.sector,
        project.stage,
        list(project.sources or []),
        Decimal(project.total_investment).normalize(),
        project.geometry,
        project.start_on,
        project.planned_completion_on,
        project.completed_on,
        project.description,
        sorted(project.locations.values_list("pk", flat=True)),
        sorted(project.decisions.values_list("kind", "number", "date")),
    )


def register_write(rows: Sequence[RegisterRow], *, user: Any = None) -> tuple[Counts, list[Issue]]:
    """Save each project (and its decisions) through the register's services; the counts, and the
    problems the services' own rules found (the caller undoes the transaction on any)."""
    from dieuhanh.projects.services import decision_save, project_save  # noqa: PLC0415 - the services import this app's models

    existing = {p.code: p for p in Project.objects.filter(code__in=[r.code for r in rows])}
    counts = Counts()
    issues: list[Issue] = []
    for row in rows:
        before = existing.get(row.code)
        snapshot = _snapshot(before) if before is not None else None
        columns = row.source_row.columns if row.source_row else {}
        sheet = row.source_row.sheet if row.source_row else ""
        kept = before is not None

        def keep(key: str, new: Any, old: Any, *, kept: bool = kept, row: RegisterRow = row) -> Any:
            # A column the file does not have leaves what the register holds.
            return old if kept and key not in row.present else new

        geometry = row.geometry
        if geometry is None and before is not None:
            # The file writes points; a line or polygon drawn in dieuhanh stays when it gives none.
            geometry = before.geometry
        try:
            with transaction.atomic():
                project = project_save(
                    code=row.code,
                    name=row.name,
                    investor=row.investor,
                    group=row.group,
                    sector=row.sector,
                    stage=keep("stage", row.stage, before.stage if before else None),
                    total_investment=row.total_investment,
                    sources=keep("sources", row.sources, list(before.sources or []) if before else []),
                    locations=keep("communes", row.locations, list(before.locations.all()) if before else []),
                    geometry=geometry,
                    managing_agency=keep(
                        "managing_agency", row.managing_agency, before.managing_agency if before else None
                    ),
                    start_on=keep("start", row.start_on, before.start_on if before else None),
                    planned_completion_on=keep(
                        "planned_completion",
                        row.planned_completion_on,
                        before.planned_completion_on if before else None,
                    ),
                    completed_on=keep("completed", row.completed_on, before.completed_on if before else None),
                    description=keep("description", row.description, before.description if before else ""),
                    user=user,
                )
                for kind, number, date in row.decisions:
                    decision_save(project=project, kind=kind, number=number, date=date)
        except ValidationError as exc:
            issues.extend(_validation_issues(exc, line=row.line, columns=columns, fields=FIELD_COLUMNS, sheet=sheet))
            continue
        if snapshot is None:
            counts.created += 1
        elif _snapshot(Project.objects.get(pk=project.pk)) == snapshot:
            counts.unchanged += 1
        else:
            counts.updated += 1
    return counts, issues


def disbursement_write(rows: Sequence[DisbursementLine], *, user: Any = None) -> Counts:
    from dieuhanh.projects.services import DisbursementRow, disbursements_write  # noqa: PLC0415

    written = disbursements_write(
        rows=[DisbursementRow(r.project_id, r.plan_year, r.source, r.period, r.amount) for r in rows], user=user
    )
    return Counts(created=written.created, updated=written.updated, unchanged=written.unchanged)


def figures_refresh(*, years: Iterable[int] | None, user: Any = None) -> None:
    """The register's figures written again once, at the end of an import."""
    from dieuhanh.projects.services import projects_figures_refresh  # noqa: PLC0415

    projects_figures_refresh(years=sorted(set(years)) if years is not None else None, user=user)


# ---------------------------------------------------------------------------------------------
# The import


@dataclass
class ProjectImportResult:
    record: ProjectImport
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues


def file_format_of(filename: str, head: bytes) -> str:
    name = filename.lower()
    if name.endswith(".xls"):
        raise ParseError(
            [Issue(_("Old .xls files are not supported; save the file as .xlsx in Excel and upload again."))]
        )
    if name.endswith(".xlsx") or head[:4] == b"PK\x03\x04":
        return ProjectImportFormat.XLSX
    if name.endswith(".json") or head.lstrip()[:1] == b"{":
        return ProjectImportFormat.OC4IDS
    return ProjectImportFormat.CSV


def read_table(kind: str, file_format: str, stream: BinaryIO) -> Table:
    columns = COLUMNS[kind]
    if file_format == ProjectImportFormat.XLSX:
        return read_xlsx(stream.read(), columns)
    return read_csv(stream, columns)


def project_import(
    *,
    kind: str,
    content: bytes | BinaryIO,
    filename: str,
    user: Any = None,
    dry_run: bool = False,
    channel: str = "cli",
    file_format: str | None = None,
) -> ProjectImportResult:
    """Read, check and (unless ``dry_run`` or anything is wrong) write a file of the register:
    ``kind`` register (the projects) or disbursement (the Treasury's monthly figures); CSV, XLSX, or
    an OC4IDS project package (``oc4ids.py``) for the register. All or nothing; kept as a
    ``ProjectImport`` with its counts or its errors."""
    if kind not in ProjectImportKind.values:
        raise ValueError(kind)
    stream: BinaryIO = io.BytesIO(content) if isinstance(content, bytes) else content
    user = acting_user(user)
    size, checksum = _measure(stream)
    record = ProjectImport(kind=kind, source_name=filename[:255], channel=channel, checksum=checksum, created_by=user)
    record.file_format = file_format or ProjectImportFormat.CSV
    if size > settings.DIEUHANH_IMPORT_MAX_BYTES:
        return _rejected(record, [Issue(too_large_message())], rows=0)
    try:
        record.file_format = file_format or file_format_of(filename, stream.read(1 << 12))
        stream.seek(0)
        if (
            kind == ProjectImportKind.DISBURSEMENT
            and record.file_format == ProjectImportFormat.CSV
            and connection.vendor == "postgresql"
        ):
            # The Treasury's file checked and written by set-based SQL, with these rules' words
            # (projects/bulk.py); a file it cannot read line for line comes back to the rules below.
            postgres = _disbursement_postgres(record, stream, user=user, dry_run=dry_run)
            if postgres is not None:
                return postgres
            stream.seek(0)
        if record.file_format == ProjectImportFormat.OC4IDS:
            from dieuhanh.projects.oc4ids import oc4ids_rows  # noqa: PLC0415 - oc4ids builds on this module

            if kind != ProjectImportKind.REGISTER:
                raise ParseError([Issue(_("An OC4IDS package is imported as the project register (kind register)."))])
            package = oc4ids_rows(stream.read())
            table, extra = package.table, package
        else:
            table, extra = read_table(kind, record.file_format, stream), None
    except ParseError as exc:
        return _rejected(record, exc.issues, rows=0)
    if not table.rows:
        return _rejected(record, [Issue(_("The file has no rows in it."))], rows=0)
    record.rows_total = len(table.rows)
    years: set[int] | None
    if kind == ProjectImportKind.REGISTER:
        projects, issues = check_register(table.rows, present=table.present)
        if extra is not None:
            from dieuhanh.projects.oc4ids import with_package_details  # noqa: PLC0415

            projects = with_package_details(projects, extra)
        years = None
    else:
        lines, issues = check_disbursement(table.rows)
        years = {r.plan_year for r in lines}
    if issues:
        return _rejected(record, issues, rows=len(table.rows))
    try:
        with transaction.atomic():
            if kind == ProjectImportKind.REGISTER:
                counts, issues = register_write(projects, user=user)
                if not issues and extra is not None:
                    issues = extra.write_budgets(user=user)
            else:
                counts = disbursement_write(lines, user=user)
            if issues:
                raise _RefusedError(issues)
            record.rows_created, record.rows_updated, record.rows_unchanged = (
                counts.created,
                counts.updated,
                counts.unchanged,
            )
            if dry_run:
                transaction.set_rollback(True)
            else:
                figures_refresh(years=years, user=user)
    except _RefusedError as exc:
        return _rejected(record, exc.issues, rows=len(table.rows))
    except ValidationError as exc:
        return _rejected(record, [Issue(message) for message in exc.messages], rows=len(table.rows))
    except IntegrityError as exc:
        # A rule of the database the checks above did not foresee: refused whole, in its own words.
        return _rejected(
            record, [Issue(_("The database refused the file: %(error)s") % {"error": exc})], rows=len(table.rows)
        )
    record.status = ImportStatus.DRY_RUN if dry_run else ImportStatus.COMMITTED
    record.pk = None
    record.save()
    return ProjectImportResult(record=record)


def _disbursement_postgres(
    record: ProjectImport, stream: BinaryIO, *, user: Any, dry_run: bool
) -> ProjectImportResult | None:
    """A Treasury CSV through ``bulk.disbursement_import_postgres``: its result, or None when the
    file is one for the rules in Python (nothing was written)."""
    from dieuhanh.projects.bulk import DisbursementRejectedError, disbursement_import_postgres  # noqa: PLC0415

    try:
        counts = disbursement_import_postgres(
            stream=stream,
            dry_run=dry_run,
            after_write=lambda written: figures_refresh(years=written.plan_years, user=user),
        )
    except DisbursementRejectedError as exc:
        return _rejected(record, exc.issues, rows=exc.rows)
    except IntegrityError as exc:
        return _rejected(record, [Issue(_("The database refused the file: %(error)s") % {"error": exc})], rows=0)
    if counts is None:
        return None
    record.rows_total = counts.total
    record.rows_created, record.rows_updated, record.rows_unchanged = counts.created, counts.updated, counts.unchanged
    record.status = ImportStatus.DRY_RUN if dry_run else ImportStatus.COMMITTED
    record.pk = None
    record.save()
    return ProjectImportResult(record=record)


def _rejected(record: ProjectImport, issues: list[Issue], *, rows: int) -> ProjectImportResult:
    record.status = ImportStatus.FAILED
    record.rows_total = rows
    record.rows_created = record.rows_updated = record.rows_unchanged = 0
    record.errors = [i.as_dict() for i in issues[:MAX_STORED_ERRORS]]
    record.pk = None
    record.save()
    return ProjectImportResult(record=record, issues=issues)


# ---------------------------------------------------------------------------------------------
# Templates


def template_csv(kind: str) -> bytes:
    """The header line of a file of ``kind``, in the user's language with each key in brackets
    (UTF-8 with a byte order mark, so that Excel reads the Vietnamese)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(csv_row([f"{c.label} ({c.key})" for c in COLUMNS[kind]]))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(kind: str) -> bytes:
    """An Excel file to fill in: the header on the first sheet, and a guide to each column, with the
    codes a column of choices takes, on the second."""
    from openpyxl import Workbook  # noqa: PLC0415 - openpyxl is slow to import for a CSV
    from openpyxl.styles import Alignment, Font, PatternFill  # noqa: PLC0415

    columns = COLUMNS[kind]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook has its sheet
    sheet.title = (
        pgettext("import sheet", "Projects")
        if kind == ProjectImportKind.REGISTER
        else pgettext("import sheet", "Disbursement")
    )[:31]
    for index, column in enumerate(columns, start=1):
        cell = xlsx_cell(sheet.cell(row=1, column=index), f"{column.label} ({column.key})")
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[_letter(index - 1)].width = 22
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet(pgettext("import sheet", "Guide")[:31])
    guide.append(
        [
            pgettext("import guide", "Column"),
            pgettext("import guide", "Key"),
            pgettext("import guide", "Required"),
            pgettext("import guide", "What to write"),
        ]
    )
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for column in columns:
        allowed = ""
        if column.key in CHOICE_COLUMNS:
            allowed = "; ".join(f"{v} = {label}" for v, label in CHOICE_COLUMNS[column.key].choices)
        what = " ".join(part for part in (str(column.help), allowed) if part)
        guide.append([str(column.label), column.key, pgettext("import guide", "yes") if column.required else "", what])
    guide.append([])
    guide.append(
        [str(_("All or nothing: a file with any error is refused whole, each error named by line and column."))]
    )
    for letter, width in (("A", 36), ("B", 24), ("C", 10), ("D", 90)):
        guide.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_filename(kind: str, file_format: str) -> str:
    stem = "mau-danh-muc-du-an" if kind == ProjectImportKind.REGISTER else "mau-giai-ngan"
    return f"{stem}.{file_format}"
