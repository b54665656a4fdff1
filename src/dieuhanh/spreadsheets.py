"""Cells of the CSV and XLSX files the product writes, safe to open in a spreadsheet.

A text that starts with = + - @ (or a tab or a carriage return, which Excel skips before them) is
taken by a spreadsheet for a formula: ``=cmd|' /C calc'!A0`` in a unit's name, or in a cell of an
uploaded file echoed back in an error report, would run when the file is opened (CSV injection,
OWASP). Every writer passes the texts it did not make itself — names, codes, comments, cells of a
file — through here; its own figures stay numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Only for the types: openpyxl imports numpy, which a CSV import must not pay for at start-up
    # (tests/test_startup.py).
    from openpyxl.cell.cell import Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: object) -> object:
    """A CSV cell: a text a spreadsheet would take for a formula gets a leading apostrophe, which
    makes it text (``=1+1`` → ``'=1+1``); numbers and every other value are left as they are."""
    return "'" + value if isinstance(value, str) and formula_like(value) else value


def csv_row(values: list[Any]) -> list[Any]:
    return [csv_cell(value) for value in values]


def xlsx_cell(cell: Cell, value: object) -> Cell:
    """Put ``value`` in an XLSX cell; a text that looks like a formula is stored as text with Excel's
    leading apostrophe (the cell's ``quotePrefix``), so that it shows as written, reads back as
    written (a code in a template stays its code) and stays text when the cell is edited. Numbers
    stay numbers."""
    cell.value = value
    if formula_like(value):
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        cell.quotePrefix = True
    return cell


def xlsx_append(sheet: Any, values: list[Any]) -> None:
    """``sheet.append(values)``, each text written by ``xlsx_cell``."""
    sheet.append(values)
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        if formula_like(value):
            xlsx_cell(sheet.cell(row=row, column=column), value)
