"""The report as data: what the DOCX, PDF and HTML renderers lay out, and what tests read back.

Everything in a report is built here first, from the analytics and the wording templates;
only then does a renderer write a file. A renderer adds layout, never a figure or a word.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Part:
    """A piece of a sentence: wording from a template (``kind`` empty), or a value put into it.

    ``kind`` is ``measure`` for a figure (``name`` says which: ``value``, ``yoy_pct``,
    ``change_points``, ``ytd``, ``ytd_yoy_pct``, ``ytd_change_points``, ``plan``,
    ``plan_completion_pct``, ``projection``; ``value`` holds the exact figure before rounding,
    with its sign), or ``label`` for a name (``indicator``, ``unit``, ``period``, ``ytd_period``).
    """

    text: str
    kind: str = ""
    name: str = ""
    value: Decimal | None = None
    decimals: int = 0


@dataclass(frozen=True)
class Sentence:
    """One indicator's sentence, with the figures it states and the analytics query they answer."""

    indicator: str
    org_unit: str
    period: str
    parts: tuple[Part, ...]
    cumulative: bool = False

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts)

    @property
    def figures(self) -> list[Part]:
        return [p for p in self.parts if p.kind == "measure"]


@dataclass(frozen=True)
class Paragraph:
    """Running text: either plain wording or one indicator's sentence."""

    text: str
    sentence: Sentence | None = None
    style: str = "body"  # body, item (a dash list item), note


@dataclass(frozen=True)
class Table:
    """A table with a caption; ``numeric`` marks the columns aligned right."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()
    widths: tuple[float, ...] = ()  # relative widths of the columns
    note: str = ""


@dataclass(frozen=True)
class Chart:
    """A chart rendered on the server as a PNG, with its caption and a text alternative."""

    caption: str
    png: bytes
    alt: str
    width_cm: float = 16.0


Block = Paragraph | Table | Chart


@dataclass
class Section:
    """A numbered section (I, II …) or a subsection (1, 2 …) of the report."""

    number: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)


@dataclass
class Header:
    """The administrative header, title and closing of a document (Decree 30/2020/NĐ-CP)."""

    issuer_parent: str
    issuer: str
    number: str
    motto: str
    motto_sub: str
    place_date: str
    kind: str
    title: str
    recipients_label: str
    recipients: list[str]
    signature: list[str]
    signer: str


@dataclass
class Report:
    """A whole report: header, introduction, sections, annexes."""

    org_unit: str
    period: str
    issued_on: dt.date
    header: Header
    intro: list[Paragraph]
    sections: list[Section]
    annexes: list[Section]
    closing: list[Paragraph]

    def sentences(self) -> list[Sentence]:
        """Every indicator sentence of the report, in reading order."""
        out: list[Sentence] = []

        def walk(section: Section) -> None:
            for block in section.blocks:
                if isinstance(block, Paragraph) and block.sentence is not None:
                    out.append(block.sentence)
            for sub in section.subsections:
                walk(sub)

        for section in [*self.sections, *self.annexes]:
            walk(section)
        return out
