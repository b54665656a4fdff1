"""The pipeline: lines → sections and list items → sentences → clauses → proposed directives.

See docs/directives.md for the rules in prose. In short:

1. Lines. The recipients ("Kính gửi: …"), the closing list ("Nơi nhận: …") and the signature end
   or skip parts of the text. A line with no closing punctuation and few words is a title, a
   caption ("Ảnh minh hoạ") or a byline ("Cửu Long"), never an order. Sections of aims, targets,
   findings and funding ("I. MỤC ĐÍCH, YÊU CẦU", "1. Đánh giá chung") hold no orders.
2. Headings that name agencies ("2. Công an tỉnh:", "1. Giao Sở Giáo dục và Đào tạo:") give their
   agencies to the items under them; lines such as "- Cơ quan chủ trì: …", "- Thời gian hoàn
   thành: …" give theirs to the item above.
3. Sentences come from underthesea; a sentence splits at ";" where the next part starts an order
   of its own (a verb, or a new subject).
4. A clause is an order when, its subject and roles set aside, it starts with a verb of command
   ("tập trung", "khẩn trương", "rà soát" …) or states roles ("chủ trì", "phối hợp với");
   not when it reports ("đã", "đạt", "là") or is the issuer speaking of itself.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from dieuhanh.directives.extraction.agencies import AgencyCatalogue, Mention
from dieuhanh.directives.extraction.deadlines import Timing, timing_of
from dieuhanh.directives.extraction.lexicon import (
    CLOSING_FORMULAS,
    DIRECTIVE_STARTS,
    END_OF_TEXT_PREFIXES,
    NON_TASK_SECTIONS,
    NOT_AN_ORDER_STARTS,
    SIGNATURE_LINES,
)
from dieuhanh.directives.extraction.roles import Roles, parse_roles
from dieuhanh.directives.extraction.suggest import suggest_lead
from dieuhanh.directives.extraction.text import (
    clauses,
    is_upper,
    normalise,
    sentences,
    split_marker,
    starts_with_phrase,
    strip_connectors,
    terminal,
    word_count,
)

# A line without closing punctuation and at most this many words is a title, caption or byline.
HEADING_WORDS = 15
_HEADER_LINES = re.compile(
    r"^(?:số\s*:|v/v\b|về việc\b|cộng hòa xã hội chủ nghĩa|độc lập\s*-\s*tự do|"
    r"[\w\s.]+,\s*ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}\s*$)"
)
_FIELD_AGENCY = re.compile(r"^(?:cơ quan|đơn vị)?\s*(?P<role>chủ trì|phối hợp)(?:\s+thực hiện)?\s*:\s*(?P<value>.+)$")
_FIELD_TIME = re.compile(
    r"^(?:thời gian|thời hạn|tiến độ)(?:\s+(?:hoàn thành|thực hiện|báo cáo))?\s*:\s*(?P<value>.+)$"
)
_CLOSING = [re.compile(p) for p in CLOSING_FORMULAS]


@dataclass
class ProposedDirective:
    """One order found in a text, as the extractor proposes it for review."""

    content: str
    lead_agency: str | None
    coordinating_agencies: list[str]
    deadline: dt.date | None
    recurrence: str | None
    source_sentence: str
    # Filled from the field of the task when the text names no agency (only if asked for).
    lead_suggested: bool = False

    def as_json(self) -> dict[str, Any]:
        """The object ``dieuhanh directives extract --format json`` prints."""
        return {
            "content": self.content,
            "lead_agency": self.lead_agency,
            "coordinating_agencies": list(self.coordinating_agencies),
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "recurrence": self.recurrence,
            "source_sentence": self.source_sentence,
        }


@dataclass
class _Context:
    level: int
    lead: str | None
    coordinating: list[str]


@dataclass
class _State:
    contexts: list[_Context] = field(default_factory=list)
    skip_level: int | None = None
    in_recipients: bool = False
    item: list[ProposedDirective] = field(default_factory=list)


def _content(clause: str) -> str:
    text = strip_connectors(clause.strip()).strip()
    text = re.sub(r"\s*[;:,]+$", "", text).rstrip()
    if text and text[-1] not in ".!?":
        text += "."
    return text[:1].upper() + text[1:]


def _is_order(clause: str, roles: Roles) -> bool:
    lower = clause.lower().strip()
    if terminal(clause) == ":":
        return False
    if any(p.search(lower) for p in _CLOSING):
        return False
    if roles.issuer_subject and not roles.ordered:
        return False
    predicate = roles.predicate.lower().lstrip(" ,:")
    if starts_with_phrase(predicate, NOT_AN_ORDER_STARTS):
        return False
    if roles.role_words or roles.ordered:
        return True
    return starts_with_phrase(predicate, DIRECTIVE_STARTS) is not None


def _field_agencies(value: str, catalogue: AgencyCatalogue) -> tuple[bool, str | None, list[str]]:
    """(named, first, others) of a "Cơ quan chủ trì/phối hợp:" value; unknown agencies count as named."""
    mentions: list[Mention] = catalogue.mentions(value)
    named: list[str | None] = []
    for part in re.split(r"\s*[;,]\s*|\s+và\s+", value):
        if not part.strip():
            continue
        start = value.find(part)
        inside = [m for m in mentions if m.start < start + len(part) and m.end > start]
        codes = [m.code for m in inside if m.kind in {"unit", "group"} and m.code]
        if codes:
            named.extend(c for c in codes if c not in named)
        elif any(m.kind == "vague" for m in inside):
            continue
        elif part[:1].isupper():
            named.append(None)
    if not named:
        return False, None, []
    return True, named[0], [c for c in named[1:] if c and c != named[0]]


def _apply_field(line: str, state: _State, catalogue: AgencyCatalogue, document_date: dt.date) -> bool:
    """Give a "- Cơ quan chủ trì: …" / "- Thời gian hoàn thành: …" line to the item above; True if it was one."""
    lower = line.lower()
    agency = _FIELD_AGENCY.match(lower)
    time = _FIELD_TIME.match(lower)
    if not (agency or time) or not state.item:
        return bool(agency or time)
    value = line[len(line) - len((agency or time).group("value")) :]  # type: ignore[union-attr]
    for directive in state.item:
        if agency and agency.group("role") == "chủ trì":
            named, lead, others = _field_agencies(value, catalogue)
            if named:
                directive.lead_agency = lead
                directive.coordinating_agencies = _merge(others, directive.coordinating_agencies, lead)
        elif agency:
            _named, first, others = _field_agencies(value, catalogue)
            extra = [c for c in [first, *others] if c]
            directive.coordinating_agencies = _merge(directive.coordinating_agencies, extra, directive.lead_agency)
        else:
            timing = timing_of(value, document_date=document_date, field=True)
            if timing.deadline or timing.recurrence:
                directive.deadline, directive.recurrence = timing.deadline, timing.recurrence
    return True


def _merge(first: list[str], second: list[str], lead: str | None) -> list[str]:
    out: list[str] = []
    for code in [*first, *second]:
        if code != lead and code not in out:
            out.append(code)
    return out


def _line_kind(body: str) -> str:
    """ "heading" (no closing punctuation, short or in capitals), "intro" (ends with ":") or "text"."""
    mark = terminal(body)
    if is_upper(body) or (mark == "" and word_count(body) <= HEADING_WORDS):
        return "heading"
    if mark == ":":
        return "intro"
    return "text"


def extract_directives(
    text: str, *, document_date: dt.date, catalogue: AgencyCatalogue, suggest_leads: bool = False
) -> list[ProposedDirective]:
    """The orders of a Vietnamese text, in order, with lead, coordinating agencies and timing.

    ``document_date`` is the date of the text: it gives the year of deadlines written without one
    and the start of relative ones ("trong 10 ngày"). With ``suggest_leads``, an order whose text
    names no agency gets a lead proposed from its field (see ``suggest.py``), flagged as such.
    """
    state = _State()
    found: list[ProposedDirective] = []
    for raw in text.splitlines():
        line = normalise(raw).strip()
        if not line:
            continue
        lower = line.lower()
        if lower.startswith(END_OF_TEXT_PREFIXES):
            break
        if lower.startswith("kính gửi"):
            state.in_recipients = True
            continue
        marker, body = split_marker(line)
        if state.in_recipients:
            if marker.level == 5 or terminal(body) == ";":
                continue
            state.in_recipients = False
        if lower in SIGNATURE_LINES or lower.startswith(SIGNATURE_LINES) or _HEADER_LINES.match(lower):
            continue
        if marker.level >= 5 and _apply_field(body, state, catalogue, document_date):
            continue
        kind = _line_kind(body)
        section_level = marker.level if marker.level < 6 else (1 if is_upper(body) else 6)
        if section_level < 6:
            state.contexts = [c for c in state.contexts if c.level < section_level]
            state.item = []
            if state.skip_level is not None and section_level <= state.skip_level:
                state.skip_level = None
        if kind == "heading" or (kind == "intro" and marker.level < 6):
            title = body.rstrip(":").strip().lower()
            if section_level < 6 and any(title.startswith(w) for w in NON_TASK_SECTIONS):
                state.skip_level = section_level
            elif marker.level < 6:
                roles = parse_roles(body.rstrip(":").strip(), catalogue)
                if roles.has_agency_subject:
                    state.contexts.append(_Context(marker.level, roles.lead, roles.coordinating))
            continue
        if kind == "intro" or state.skip_level is not None:
            continue
        state.item = []
        found.extend(_orders_of(body, marker.level, state, catalogue, document_date))
    if suggest_leads:
        for directive in found:
            if directive.lead_agency is None and not directive.coordinating_agencies:
                suggestion = suggest_lead(directive.content, catalogue)
                if suggestion is not None:
                    directive.lead_agency, directive.lead_suggested = suggestion, True
    return found


def _orders_of(
    body: str, level: int, state: _State, catalogue: AgencyCatalogue, document_date: dt.date
) -> list[ProposedDirective]:
    context = state.contexts[-1] if state.contexts else None
    out: list[ProposedDirective] = []
    item_roles: Roles | None = None
    for sentence in sentences(body):
        previous: Roles | None = None
        for part in clauses(sentence, opens_with_subject=lambda p: parse_roles(p, catalogue).has_agency_subject):
            clause = strip_connectors(part)
            roles = parse_roles(clause, catalogue)
            if not _is_order(clause, roles):
                if roles.has_agency_subject:
                    previous = roles
                continue
            lead, coordinating = _roles_in_context(roles, previous, item_roles if level < 6 else None, context)
            timing: Timing = timing_of(clause, document_date=document_date)
            directive = ProposedDirective(
                content=_content(clause),
                lead_agency=lead,
                coordinating_agencies=coordinating,
                deadline=timing.deadline,
                recurrence=timing.recurrence,
                source_sentence=sentence.strip(),
            )
            out.append(directive)
            state.item.append(directive)
            if roles.lead_named:
                previous = item_roles = roles
            elif previous is None:
                previous = Roles(lead=lead, lead_named=lead is not None, coordinating=coordinating)
    return out


def _roles_in_context(
    roles: Roles, previous: Roles | None, item: Roles | None, context: _Context | None
) -> tuple[str | None, list[str]]:
    """The clause's own subject, else the subject of the clause before it in the sentence, else
    of the item's earlier sentence, else the heading's; its own "phối hợp với" list is added."""
    if roles.lead_named:
        return roles.lead, list(roles.coordinating)
    for source in (previous, item):
        if source is not None and source.lead_named:
            return source.lead, _merge(source.coordinating, roles.coordinating, source.lead)
    if context is not None:
        return context.lead, _merge(context.coordinating, roles.coordinating, context.lead)
    return None, list(roles.coordinating)
