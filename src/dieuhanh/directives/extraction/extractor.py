"""The pipeline: lines → sections and list items → sentences → clauses → proposed directives.

See docs/directives.md for the rules in prose. In short:

1. Lines. The recipients ("Kính gửi: …"), the closing list ("Nơi nhận: …") and the signature end
   or skip parts of the text. A line with no closing punctuation and few words is a title, a
   caption ("Ảnh minh hoạ") or a byline ("Cửu Long"), never an order. Sections of aims, targets,
   findings and funding ("I. MỤC ĐÍCH, YÊU CẦU", "1. Đánh giá chung") hold no orders.
2. Headings that name agencies ("2. Công an tỉnh:", "1. Giao Sở Giáo dục và Đào tạo:") give their
   agencies to the items under them, as does an unnumbered line ending in ":" that hands orders out
   ("UBND tỉnh giao Ban Quản lý dự án …:") to the list it opens; lines such as "- Cơ quan chủ
   trì: …", "- Thời gian hoàn thành: …" give theirs to the item above.
3. Sentences come from underthesea; a sentence splits at ";" where the next part starts an order
   of its own (a verb, or a new subject).
4. A clause is an order when, its subject and roles set aside, it starts with a verb of command
   ("tập trung", "khẩn trương", "rà soát" …) or states roles ("chủ trì", "phối hợp với");
   not when it reports ("đã", "đạt", "là") or is the issuer speaking of itself.
5. Who leads and who coordinates is given twice: as catalogue codes, and as the names the text
   writes (in its own spelling: only spaces and Unicode composition are normalised), so that an
   agency the catalogue does not know is still named.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
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
from dieuhanh.directives.extraction.roles import Roles, agency_names, parse_roles
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

# A line without closing punctuation and at most this many words is a title, caption or byline;
# a news headline may run longer, up to HEADLINE_WORDS, when no "." ";" or ":" stands inside it.
HEADING_WORDS = 15
HEADLINE_WORDS = 30
_INNER_STOPS = re.compile(r"[.;:](?:\s|$)")
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
    # The agencies as the text names them, known to the catalogue or not.
    lead_agency_text: str | None = None
    coordinating_agencies_text: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The object ``dieuhanh directives extract --format json`` prints."""
        return {
            "content": self.content,
            "lead_agency": self.lead_agency,
            "lead_agency_text": self.lead_agency_text,
            "coordinating_agencies": list(self.coordinating_agencies),
            "coordinating_agencies_text": list(self.coordinating_agencies_text),
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "recurrence": self.recurrence,
            "source_sentence": self.source_sentence,
        }


# The level of an intro's context until the first numbered line under it sets it.
_PENDING = -1


@dataclass
class _Context:
    level: int
    lead: str | None
    coordinating: list[str]
    lead_text: str | None = None
    coordinating_texts: list[str] = field(default_factory=list)


@dataclass
class _Assigned:
    """Who a directive is given to: codes, and names as written."""

    lead: str | None = None
    coordinating: list[str] = field(default_factory=list)
    lead_text: str | None = None
    coordinating_texts: list[str] = field(default_factory=list)


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


def _apply_field(
    line: str, state: _State, catalogue: AgencyCatalogue, document_date: dt.date, as_written: Callable[[str], str]
) -> bool:
    """Give a "- Cơ quan chủ trì: …" / "- Thời gian hoàn thành: …" line to the item above; True if it was one."""
    lower = line.lower()
    agency = _FIELD_AGENCY.match(lower)
    time = _FIELD_TIME.match(lower)
    if not (agency or time) or not state.item:
        return bool(agency or time)
    value = line[len(line) - len((agency or time).group("value")) :]  # type: ignore[union-attr]
    names = [as_written(n) for n in agency_names(value, catalogue)] if agency else []
    for directive in state.item:
        if agency and agency.group("role") == "chủ trì":
            named, lead, others = _field_agencies(value, catalogue)
            if named:
                directive.lead_agency = lead
                directive.coordinating_agencies = _merge(others, directive.coordinating_agencies, lead)
                lead_text = names[0] if names else None
                directive.lead_agency_text = lead_text
                directive.coordinating_agencies_text = _merge(
                    names[1:], directive.coordinating_agencies_text, lead_text
                )
        elif agency:
            _named, first, others = _field_agencies(value, catalogue)
            extra = [c for c in [first, *others] if c]
            directive.coordinating_agencies = _merge(directive.coordinating_agencies, extra, directive.lead_agency)
            directive.coordinating_agencies_text = _merge(
                directive.coordinating_agencies_text, names, directive.lead_agency_text
            )
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
    words = word_count(body)
    if is_upper(body) or (
        mark == "" and (words <= HEADING_WORDS or (words <= HEADLINE_WORDS and not _INNER_STOPS.search(body)))
    ):
        return "heading"
    if mark == ":":
        return "intro"
    return "text"


_PLAIN_SPACES = re.compile(r"[ \t\u00a0\u2002\u2003\u2009\u202f]+")


def _as_written_in(raw: str, line: str) -> Callable[[str], str]:
    """A name found in ``line`` (the normalised text) spelt as ``raw`` writes it.

    Normalising keeps every character in place (tone marks move inside a word, a dash stays one
    character), so the same stretch of the raw line, its spaces tidied and in NFC, is the name as
    written. Where that does not hold, or the name is not a stretch of the line (a group written in
    pieces), the normalised name is kept.
    """
    plain = _PLAIN_SPACES.sub(" ", unicodedata.normalize("NFC", raw)).strip()

    def as_written(name: str) -> str:
        start = line.find(name)
        if start < 0 or len(plain) != len(line):
            return name
        return plain[start : start + len(name)]

    return as_written


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
        as_written = _as_written_in(raw, line)
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
        if marker.level >= 5 and _apply_field(body, state, catalogue, document_date, as_written):
            continue
        kind = _line_kind(body)
        section_level = marker.level if marker.level < 6 else (1 if is_upper(body) else 6)
        if section_level < 6:
            for pending in state.contexts:
                if pending.level == _PENDING:
                    # An unnumbered intro holds for the list it opens: the items at this level.
                    pending.level = section_level - 1
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
                    state.contexts.append(
                        _Context(
                            marker.level,
                            roles.lead,
                            roles.coordinating,
                            as_written(roles.lead_text) if roles.lead_text else None,
                            [as_written(t) for t in roles.coordinating_texts],
                        )
                    )
            continue
        if kind == "intro" and state.skip_level is None:
            context = _intro_context(body, catalogue, as_written)
            if context is not None:
                state.contexts.append(context)
            continue
        if state.skip_level is not None:
            continue
        state.item = []
        found.extend(
            _orders_of(
                body,
                level=marker.level,
                state=state,
                catalogue=catalogue,
                document_date=document_date,
                as_written=as_written,
            )
        )
    if suggest_leads:
        for directive in found:
            if (
                directive.lead_agency is None
                and directive.lead_agency_text is None
                and not directive.coordinating_agencies
            ):
                suggestion = suggest_lead(directive.content, catalogue)
                if suggestion is not None:
                    directive.lead_agency, directive.lead_suggested = suggestion, True
    return found


def _intro_context(body: str, catalogue: AgencyCatalogue, as_written: Callable[[str], str]) -> _Context | None:
    """The agencies an unnumbered line ending in ":" hands the items under it to, or None.

    "Ủy ban nhân dân tỉnh giao Ban Quản lý dự án đầu tư xây dựng tỉnh:" and "Để …, Chủ tịch UBND
    tỉnh yêu cầu Giám đốc các sở … triển khai thực hiện các nội dung sau:" give the numbered items
    that follow to the agencies named after the order verb, as a heading "2. Công an tỉnh:" does.
    A line that hands nothing to anyone ("UBND tỉnh có ý kiến như sau:") gives nothing.
    """
    text = body.rstrip(":").strip()
    # A purpose or a situation may come first: "Để khắc phục …, Chủ tịch UBND tỉnh yêu cầu …".
    starts = [0, *(m.end() for m in re.finditer(r",\s*", text))]
    for start in starts:
        roles = parse_roles(text[start:], catalogue)
        if roles.ordered and roles.has_agency_subject:
            return _Context(
                _PENDING,
                roles.lead,
                roles.coordinating,
                as_written(roles.lead_text) if roles.lead_text else None,
                [as_written(t) for t in roles.coordinating_texts],
            )
    return None


def _orders_of(
    body: str,
    *,
    level: int,
    state: _State,
    catalogue: AgencyCatalogue,
    document_date: dt.date,
    as_written: Callable[[str], str],
) -> list[ProposedDirective]:
    context = state.contexts[-1] if state.contexts else None
    out: list[ProposedDirective] = []
    item_roles: Roles | None = None
    for sentence in sentences(body):
        previous: Roles | None = None
        opens_with_order: bool | None = None
        for part in clauses(sentence, opens_with_subject=lambda p: parse_roles(p, catalogue).has_agency_subject):
            clause = strip_connectors(part)
            roles = parse_roles(clause, catalogue)
            if roles.lead_text:
                roles.lead_text = as_written(roles.lead_text)
            roles.coordinating_texts = [as_written(t) for t in roles.coordinating_texts]
            is_order = _is_order(clause, roles)
            if opens_with_order is None:
                opens_with_order = is_order
            elif not opens_with_order and not (roles.lead_named or roles.role_words or roles.ordered):
                # "… vẫn còn hạn chế: …; thực hiện chỉ đạo cấp trên còn chậm": the parts of a
                # sentence that opens with a report or an assessment report too, unless one
                # names who must act.
                is_order = False
            if not is_order:
                if roles.has_agency_subject:
                    previous = roles
                continue
            # Within one paragraph or list item, a sentence that names nobody is given to the
            # subject of the sentence before it ("… Đồng thời, phân công …").
            assigned = _roles_in_context(roles, previous, item_roles, context)
            timing: Timing = timing_of(clause, document_date=document_date)
            directive = ProposedDirective(
                content=_content(clause),
                lead_agency=assigned.lead,
                coordinating_agencies=assigned.coordinating,
                deadline=timing.deadline,
                recurrence=timing.recurrence,
                source_sentence=sentence.strip(),
                lead_agency_text=assigned.lead_text,
                coordinating_agencies_text=assigned.coordinating_texts,
            )
            out.append(directive)
            state.item.append(directive)
            if roles.lead_named:
                previous = item_roles = roles
            elif previous is None:
                previous = Roles(
                    lead=assigned.lead,
                    lead_named=assigned.lead is not None or assigned.lead_text is not None,
                    coordinating=assigned.coordinating,
                    lead_text=assigned.lead_text,
                    coordinating_texts=assigned.coordinating_texts,
                )
    return out


def _roles_in_context(roles: Roles, previous: Roles | None, item: Roles | None, context: _Context | None) -> _Assigned:
    """The clause's own subject, else the subject of the clause before it in the sentence, else
    of the item's earlier sentence, else the heading's; its own "phối hợp với" list is added."""
    if roles.lead_named:
        return _Assigned(roles.lead, list(roles.coordinating), roles.lead_text, list(roles.coordinating_texts))
    for source in (previous, item):
        if source is not None and source.lead_named:
            return _Assigned(
                source.lead,
                _merge(source.coordinating, roles.coordinating, source.lead),
                source.lead_text,
                _merge(source.coordinating_texts, roles.coordinating_texts, source.lead_text),
            )
    if context is not None:
        return _Assigned(
            context.lead,
            _merge(context.coordinating, roles.coordinating, context.lead),
            context.lead_text,
            _merge(context.coordinating_texts, roles.coordinating_texts, context.lead_text),
        )
    return _Assigned(None, list(roles.coordinating), None, list(roles.coordinating_texts))
