"""Scoring the extractor against the labelled set in tests/fixtures/directives/.

Matching. A proposed directive matches a labelled one when the words of their contents overlap
enough: the token F1 (as in reading-comprehension benchmarks: 2·P·R/(P+R) over the multisets of
lower-cased words, punctuation left out) is at least ``MATCH_F1``. Pairs are made one to one,
best overlap first. A proposal that matches no label is a false positive (precision); a label
that no proposal matches is a miss (recall). Merging two labelled orders into one proposal, or
cutting one into two, therefore costs, as it should.

Over the matched pairs: the deadline is right when both the date and the recurrence equal the
label's (both empty counts as right); the lead is right when the codes are equal (both empty
counts as right); coordination is right when the sets are equal.

Two kinds of texts: those written for the tests (``*.labels.yaml`` in the fixtures folder, read
with the Bình Dương demo catalogue) and published ones (``published/``, real texts of other
provinces, read with no catalogue: their labels hold group codes only, and the agencies as
written). For the published ones the names are scored too: the lead's name is right when it is
the label's (spaces and Unicode composition aside), the coordinating names when the sets are equal.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dieuhanh.directives.extraction import AgencyCatalogue, ProposedDirective, catalogue_from, extract_directives

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "directives"
PUBLISHED = FIXTURES / "published"
MATCH_F1 = 0.5
_WORD = re.compile(r"\w+")


def words(text: str) -> Counter[str]:
    return Counter(w.lower() for w in _WORD.findall(text))


def token_f1(a: str, b: str) -> float:
    wa, wb = words(a), words(b)
    common = sum((wa & wb).values())
    if common == 0:
        return 0.0
    precision, recall = common / sum(wa.values()), common / sum(wb.values())
    return 2 * precision * recall / (precision + recall)


@dataclass
class Label:
    text: str
    lead: str | None
    coordinating: list[str]
    deadline: dt.date | None
    recurrence: str | None
    suggested_lead: str | None
    lead_text: str | None = None
    coordinating_text: list[str] = field(default_factory=list)


@dataclass
class Document:
    name: str
    text: str
    date: dt.date
    heldout: bool
    labels: list[Label]
    published: bool = False
    # 2 for the published texts of the second search (scored apart: see evaluate()).
    search: int = 1


def _name(text: str | None) -> str | None:
    return " ".join(unicodedata.normalize("NFC", text).split()) if text else None


def load_documents(*, published: bool | None = None) -> list[Document]:
    """The labelled texts: written for the tests, published (real), or both (``None``)."""
    folders = {False: [FIXTURES], True: [PUBLISHED], None: [FIXTURES, PUBLISHED]}[published]
    documents = []
    for folder in folders:
        for path in sorted(folder.glob("*.labels.yaml")):
            data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
            labels = [
                Label(
                    text=item["text"],
                    lead=item.get("lead"),
                    coordinating=[str(c) for c in item.get("coordinating") or []],
                    deadline=item.get("deadline"),
                    recurrence=item.get("recurrence"),
                    suggested_lead=item.get("suggested_lead"),
                    lead_text=_name(item.get("lead_text")),
                    coordinating_text=[_name(str(c)) or "" for c in item.get("coordinating_text") or []],
                )
                for item in data["directives"]
            ]
            documents.append(
                Document(
                    name=data["document"],
                    text=(folder / data["document"]).read_text(encoding="utf-8"),
                    date=data["date"],
                    heldout=bool(data.get("heldout")),
                    labels=labels,
                    published=bool(data.get("published")),
                    search=int(data.get("search") or 1),
                )
            )
    return documents


@dataclass
class Score:
    labelled: int = 0
    proposed: int = 0
    matched: int = 0
    deadline_right: int = 0
    lead_right: int = 0
    named_leads: int = 0
    named_lead_right: int = 0
    coordination_right: int = 0
    suggestions: int = 0
    suggestion_right: int = 0
    # Names as written (published texts only).
    named_pairs: int = 0
    lead_text_right: int = 0
    coordination_text_right: int = 0
    misses: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            setattr(self, name, value + getattr(other, name))

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def precision(self) -> float:
        return self._ratio(self.matched, self.proposed)

    @property
    def recall(self) -> float:
        return self._ratio(self.matched, self.labelled)

    @property
    def deadline_accuracy(self) -> float:
        return self._ratio(self.deadline_right, self.matched)

    @property
    def lead_accuracy(self) -> float:
        return self._ratio(self.lead_right, self.matched)

    @property
    def named_lead_accuracy(self) -> float:
        return self._ratio(self.named_lead_right, self.named_leads)

    @property
    def coordination_accuracy(self) -> float:
        return self._ratio(self.coordination_right, self.matched)

    @property
    def lead_text_accuracy(self) -> float:
        return self._ratio(self.lead_text_right, self.named_pairs)

    @property
    def coordination_text_accuracy(self) -> float:
        return self._ratio(self.coordination_text_right, self.named_pairs)

    def line(self, title: str) -> str:
        names = (
            f"  lead as written {self.lead_text_accuracy:.3f}  coordinating as written "
            f"{self.coordination_text_accuracy:.3f} (of {self.named_pairs})"
            if self.named_pairs
            else ""
        )
        return (
            f"{title:<46} labelled {self.labelled:>3}  proposed {self.proposed:>3}  "
            f"precision {self.precision:.3f}  recall {self.recall:.3f}  deadline {self.deadline_accuracy:.3f}  "
            f"lead {self.lead_accuracy:.3f} (named {self.named_lead_accuracy:.3f} of {self.named_leads})  "
            f"coordinating {self.coordination_accuracy:.3f}{names}"
        )


def score(document: Document, proposals: list[ProposedDirective], *, suggestions: list[ProposedDirective]) -> Score:
    result = Score(labelled=len(document.labels), proposed=len(proposals))
    pairs = sorted(
        (
            (token_f1(p.content, label.text), i, j)
            for i, p in enumerate(proposals)
            for j, label in enumerate(document.labels)
        ),
        reverse=True,
    )
    used_p: set[int] = set()
    used_l: set[int] = set()
    matched: list[tuple[int, int]] = []
    for f1, i, j in pairs:
        if f1 < MATCH_F1:
            break
        if i in used_p or j in used_l:
            continue
        used_p.add(i)
        used_l.add(j)
        matched.append((i, j))
    result.matched = len(matched)
    for i, j in matched:
        p, label = proposals[i], document.labels[j]
        deadline_ok = (p.deadline, p.recurrence) == (label.deadline, label.recurrence)
        lead_ok = p.lead_agency == label.lead
        result.deadline_right += deadline_ok
        result.lead_right += lead_ok
        if label.lead is not None:
            result.named_leads += 1
            result.named_lead_right += lead_ok
        result.coordination_right += set(p.coordinating_agencies) == set(label.coordinating)
        names_ok = True
        if document.published:
            lead_text_ok = _name(p.lead_agency_text) == label.lead_text
            coordination_text_ok = {_name(t) for t in p.coordinating_agencies_text} == set(label.coordinating_text)
            result.named_pairs += 1
            result.lead_text_right += lead_text_ok
            result.coordination_text_right += coordination_text_ok
            names_ok = lead_text_ok and coordination_text_ok
        if not (deadline_ok and lead_ok and names_ok and set(p.coordinating_agencies) == set(label.coordinating)):
            result.wrong.append(
                f"{document.name}: {label.text[:70]!r}\n    got  lead={p.lead_agency} {p.lead_agency_text!r} "
                f"coord={p.coordinating_agencies} {p.coordinating_agencies_text} "
                f"deadline={p.deadline} recurrence={p.recurrence}\n    want lead={label.lead} {label.lead_text!r} "
                f"coord={label.coordinating} {label.coordinating_text} deadline={label.deadline} "
                f"recurrence={label.recurrence}"
            )
        if label.suggested_lead is not None:
            result.suggestions += 1
            result.suggestion_right += suggestions[i].lead_agency == label.suggested_lead
    result.misses = [
        f"{document.name}: {document.labels[j].text[:90]!r}" for j in range(len(document.labels)) if j not in used_l
    ]
    result.false_positives = [
        f"{document.name}: {proposals[i].content[:90]!r}" for i in range(len(proposals)) if i not in used_p
    ]
    return result


def evaluate(catalogue: AgencyCatalogue, documents: list[Document] | None = None) -> dict[str, Score]:
    """Scores per document, and for "written" (the texts written for the tests, read with
    ``catalogue``), its "development" and "held-out" parts, and "published" (read with no
    catalogue), with its parts the rules were tuned on and held out, and the texts of the second
    search apart (labelled before their first run, after which one rule was made on them)."""
    totals = {
        "written": Score(),
        "development": Score(),
        "held-out": Score(),
        "published": Score(),
        "published, tuned on": Score(),
        "published, held out": Score(),
        "published, second search": Score(),
    }
    scores: dict[str, Score] = {}
    for document in documents or load_documents():
        used = catalogue_from([]) if document.published else catalogue
        proposals = extract_directives(document.text, document_date=document.date, catalogue=used)
        suggested = extract_directives(document.text, document_date=document.date, catalogue=used, suggest_leads=True)
        result = score(document, proposals, suggestions=suggested)
        scores[document.name] = result
        if document.published:
            totals["published"].add(result)
            if document.search == 2:
                totals["published, second search"].add(result)
            else:
                totals["published, held out" if document.heldout else "published, tuned on"].add(result)
        else:
            totals["written"].add(result)
            totals["held-out" if document.heldout else "development"].add(result)
    return {**scores, **totals}
