"""Who leads and who coordinates, read from the front of a clause.

The grammar is the one official texts use::

    [Chủ tịch UBND tỉnh] (giao | yêu cầu | đề nghị) SUBJECTS …
    SUBJECTS [chủ trì | là cơ quan chủ trì | làm đầu mối] [, phối hợp (chặt chẽ) với AGENCIES] PREDICATE
    (chủ trì,) phối hợp với AGENCIES PREDICATE            (the subject comes from a heading)

SUBJECTS is one agency or several ("Sở Tài chính, Sở Kế hoạch và Đầu tư", "Giám đốc các sở,
Thủ trưởng các ban, ngành, Chủ tịch UBND các huyện …"): the first leads, the others coordinate.
Agencies named anywhere else in the clause — those reported to ("báo cáo UBND tỉnh (qua Sở …)"),
told to act by the lead ("chỉ đạo UBND các xã …"), or merely mentioned — have no role.

Beside the catalogue codes, every role keeps the name as the clause writes it ("Sở KH&ĐT", "UBND
các xã, phường", "các cơ quan liên quan"), so that an agency the catalogue does not know is still
named: the title of its head ("Giám đốc", "Chủ tịch" …) is not part of the name, and one group
written in pieces ("Giám đốc các sở, Thủ trưởng các ban, ngành") is one name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dieuhanh.directives.extraction.agencies import AgencyCatalogue, Mention
from dieuhanh.directives.extraction.lexicon import (
    AGENCY_TYPE_WORDS,
    DIRECTIVE_STARTS,
    ISSUER,
    MODALS,
    NOT_AN_ORDER_STARTS,
    ORDER_VERBS,
    SELF_CONTAINED_AGENCIES,
    TITLES,
)
from dieuhanh.directives.extraction.text import starts_with_phrase

_ORDER_VERB = rf"(?:{'|'.join(re.escape(v) for v in ORDER_VERBS)})"
_ORDER = re.compile(rf"^{_ORDER_VERB}\s+")
_ISSUER_ORDER = re.compile(rf"^{ISSUER}\s*,?\s*(?:{_ORDER_VERB}|chỉ đạo)\s+")
# The issuer as a news report or another province's text names it: "Phó Chủ tịch UBND tỉnh Trần
# Phước Hiền yêu cầu", "Chủ tịch UBND TP. Huế yêu cầu", "Chủ tịch UBND huyện giao", "UBND tỉnh
# Lâm Đồng đã có văn bản giao": the head, the place and a person's name (capitalised words), an
# adverb, then the order. A group ("Chủ tịch UBND các huyện …") is never the issuer.
_ISSUER_HEAD = re.compile(
    r"^(?:(?:đồng chí\s+)?(?:phó\s+)?chủ tịch\s+(?:thường trực\s+)?)?(?:ủy ban nhân dân|ubnd)\s+"
    r"(?:tỉnh|thành phố|tp\.?|huyện|thị xã|tx\.?|quận|xã|phường|thị trấn|đặc khu)(?![\w])"
)
_ISSUER_TAIL = re.compile(
    rf"^\s*,?\s*(?:(?:cũng|đồng thời|tiếp tục|đã|vừa)\s+)*"
    rf"(?:(?:có|ban hành)\s+(?:văn bản|công văn)(?:\s+số\s+\S+)?\s+)?{_ORDER_VERB}\s+"
)
_LEAD_ROLE = re.compile(
    r"^\s*[,:]?\s*(?:là cơ quan chủ trì|là cơ quan đầu mối|là cơ quan thường trực|làm đầu mối|là đầu mối|chủ trì)"
    r"(?![\w])\s*,?"
)
_COORDINATE = re.compile(
    r"^\s*[,:]?\s*(?:có trách nhiệm\s+|chịu trách nhiệm\s+)?"
    r"(?:phối hợp(?:\s+chặt chẽ)?(?:\s+(?:với|cùng))?|cùng(?:\s+với)?)\s+"
)
# "căn cứ chức năng, nhiệm vụ được giao, …", "theo chức năng, nhiệm vụ, …" before the verb.
_PREFACE = re.compile(
    r"^(?:căn cứ|theo|trong phạm vi|trên cơ sở)\s+(?:vào\s+)?(?:chức năng|nhiệm vụ|phạm vi|thẩm quyền)"
    r"(?:\s*,\s*nhiệm vụ)?[^,;]*,\s*"
)
# "(cơ quan thường trực Ban Chỉ huy …)" right after an agency says what it is, not what it does.
_ASIDE = re.compile(r"^\s*\([^()]*\)")
_SEPARATOR = re.compile(r"^\s*(?:,|;|và|cùng)\s*")
_COORDINATION_STOPS = ("trong", "để", "nhằm", "về", "tại", "theo", "đối với", "thực hiện", "khi")
_UNIT_KINDS = {"unit", "group"}


@dataclass
class Roles:
    """The roles a clause states, and what is left of it (its predicate).

    ``lead`` and ``coordinating`` are catalogue codes (None, or left out, for an agency the
    catalogue does not know); ``lead_text`` and ``coordinating_texts`` are the names as written.
    """

    lead: str | None = None
    lead_named: bool = False
    coordinating: list[str] = field(default_factory=list)
    role_words: bool = False
    ordered: bool = False
    issuer_subject: bool = False
    predicate: str = ""
    lead_text: str | None = None
    coordinating_texts: list[str] = field(default_factory=list)

    @property
    def has_agency_subject(self) -> bool:
        return self.lead_named and not self.issuer_subject


def _word_starts(text: str, start: int) -> list[int]:
    return [start + m.start() for m in re.finditer(r"(?<![\w])\w", text[start:])]


def _mention_at(mentions: list[Mention], pos: int, *, at_start: bool) -> Mention | None:
    for mention in mentions:
        if mention.start == pos and (mention.kind != "bare_group" or at_start):
            return mention
    return None


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


# A People's Committee or a police force of a unit the catalogue lacks ("UBND thành phố Thuận An"
# in another province's catalogue, "Công an tỉnh", "UBND đặc khu Côn Đảo" since 1 July 2025).
_LOCAL_AGENCY = re.compile(
    r"^(?:ủy ban nhân dân|ubnd|công an)\s+"
    r"(?:tỉnh|thành phố|tp\.?|huyện|thị xã|tx\.?|quận|xã|phường|thị trấn|đặc khu)(?![\w])"
)
# Where the name of an agency the catalogue does not know ends: before its verb or role, a
# modal, a word that reports, or a preposition.
_NAME_STOPS: frozenset[str] = (
    DIRECTIVE_STARTS
    | frozenset(NOT_AN_ORDER_STARTS)
    | frozenset(MODALS)
    | frozenset(
        (
            "chủ trì", "phối hợp", "là cơ quan", "làm đầu mối", "là đầu mối", "trong", "tại", "theo", "để", "nhằm",
            "về", "đối với", "khi", "trên", "từ", "cho", "đến", "với", "cùng", "thuộc", "của", "nếu", "thì",
            "yêu cầu", "đề nghị", "giao cho", "ủy quyền",
        )
    )
)  # fmt: skip
# "Ban Quản lý dự án đầu tư xây dựng tỉnh": a verb inside a name, when what follows belongs to it.
_NAME_GOES_ON = ("tỉnh", "công trình", "khu vực", "dân dụng", "chuyên ngành")
_TOKEN = re.compile(r"\w+|[^\w\s]")
# The titles a group phrase may carry ("Giám đốc các sở", "Chủ tịch UBND các huyện …").
_GROUP_TITLE = re.compile(r"^(?:chủ tịch|giám đốc|thủ trưởng|lãnh đạo|người đứng đầu)\s+", re.IGNORECASE)


def _issuer_order_end(clause: str) -> int | None:
    """Where the order starts after the issuer named with its place or a person ("Phó Chủ tịch
    UBND tỉnh Trần Phước Hiền yêu cầu …"), or None."""
    head = _ISSUER_HEAD.match(clause.lower())
    if head is None:
        return None
    pos = head.end()
    # The place's and the person's names: capitalised words ("TP. Huế", "Trần Phước Hiền").
    while (word := re.match(r"\s*(\S+)", clause[pos:])) is not None and (
        word.group(1)[:1].isupper() or word.group(1) in {"-", "–"}
    ):
        pos += word.end()
    tail = _ISSUER_TAIL.match(clause[pos:].lower())
    return pos + tail.end() if tail else None


# "UBND các huyện: Đạ Huoai, Đạ Tẻh và Cát Tiên" names some local committees, as one name.
_NAMED_LOCALS = re.compile(r"^(?:ủy ban nhân dân|ubnd)\s+các\s+(?:huyện|thị xã|thành phố|xã|phường)\s*:\s*")
# "cơ quan Thường trực Ban An toàn giao thông huyện": the standing body of a board.
_STANDING_BODY = re.compile(r"^cơ quan thường trực(?:\s+của)?\s+(?=ban\b)")


def _unknown_start_end(text: str, pos: int) -> int | None:
    """Where the head of an agency's name that starts at ``pos`` ends: a kind of agency and a
    capitalised name ("Sở Tư pháp", "Đài Phát thanh …"), "… tỉnh" ("Công an tỉnh"), a local
    People's Committee, or None if no name starts there."""
    rest = text[pos:]
    lower = rest.lower()
    for pattern in (_NAMED_LOCALS, _STANDING_BODY, _LOCAL_AGENCY):
        head = pattern.match(lower)
        if head is not None:
            return pos + head.end()
    if rest[:1].isupper():
        phrase = starts_with_phrase(lower, SELF_CONTAINED_AGENCIES)
        if phrase is not None:
            return pos + len(phrase)
    for word in AGENCY_TYPE_WORDS:
        if rest.startswith(word + " "):
            after = rest[len(word) + 1 :]
            if after[:1].isupper() or re.match(r"tỉnh(?![\w])", after):
                return pos + len(word)
    return None


def _unknown_agency_start(text: str, pos: int) -> bool:
    return _unknown_start_end(text, pos) is not None


def _agency_starts_at(text: str, pos: int, mentions: list[Mention]) -> bool:
    mention = _mention_at(mentions, pos, at_start=False)
    if mention is not None and mention.kind != "bare_group":
        return True
    return _unknown_agency_start(text, pos)


def _unknown_agency_end(text: str, pos: int, mentions: list[Mention]) -> int | None:
    """The end of the name of an agency the catalogue does not know ("Sở Tư pháp", "Ban Quản lý
    dự án … tỉnh", "Đài Phát thanh và Truyền hình tỉnh"), or None if none starts at ``pos``.

    A name runs over capitalised words and the lower-case words official names have ("Sở Giao
    thông vận tải", "Ban Quản lý các khu công nghiệp"), over "," and "và" inside it ("Sở Văn hóa,
    Thể thao và Du lịch"), and ends where another agency starts after "," or "và", at "(", ";"
    or ":", before a verb, a role, a modal or a preposition, and at the first lower-case word
    after "tỉnh" (and the province's name).
    """
    head_end = _unknown_start_end(text, pos)
    if head_end is None:
        return None
    lower = text.lower()
    tokens = list(_TOKEN.finditer(text, head_end))
    after_province = False
    for k, token in enumerate(tokens):
        value, p = token.group(0), token.start()
        following = tokens[k + 1].start() if k + 1 < len(tokens) else None
        if value in {"(", ")", ";", ":", "…", '"'}:
            return p
        if value == ".":
            if following is None or not text[following].isupper():
                return p
            continue
        if value in {",", "và"}:
            if (
                following is None
                or not text[following].isupper()
                or _agency_starts_at(text, following, mentions)
                or starts_with_phrase(lower[following:], TITLES) is not None
            ):
                return p
            continue
        if not value[0].isalpha() or value[0].isupper():
            continue
        if after_province:
            return p
        stop = starts_with_phrase(lower[p:], _NAME_STOPS)
        if stop is not None:
            behind = _skip_spaces(text, p + len(stop))
            if stop in DIRECTIVE_STARTS and starts_with_phrase(lower[behind:], _NAME_GOES_ON) is not None:
                continue
            return p
        if value == "tỉnh":
            after_province = True
    return len(text)


def _generic_subject_end(text: str, pos: int) -> int | None:
    """A plain subject such as "Các chủ đầu tư" followed within a few words by a verb."""
    lower = text.lower()
    if not re.match(r"(?:các|những)\s", lower[pos:]):
        return None
    for count, p in enumerate(_word_starts(text, pos)):
        if count > 5:
            return None
        if count >= 2 and (starts_with_phrase(lower[p:], DIRECTIVE_STARTS) or starts_with_phrase(lower[p:], MODALS)):
            return p
    return None


# A kind of body named without "các" inside a list of subjects ("các sở, ban, ngành, đơn vị sự
# nghiệp công lập và …": the "các" of the list reaches it).
_CLASS_NOUNS = ("cơ quan", "đơn vị", "tổ chức", "doanh nghiệp")


def _class_subject_end(text: str, pos: int) -> int | None:
    """The end of "đơn vị sự nghiệp công lập" and the like, up to the next "," "và" or verb."""
    lower = text.lower()
    if starts_with_phrase(lower[pos:], _CLASS_NOUNS) is None:
        return None
    for token in _TOKEN.finditer(text, pos):
        value, p = token.group(0), token.start()
        if p == pos:
            continue
        stop = starts_with_phrase(lower[p:], _NAME_STOPS)
        # A one-word verb ends such a phrase only if no noun came before it ("sự nghiệp công lập").
        if value in {",", ";", "(", ":", "và"} or (stop is not None and " " in stop):
            return p if p > pos else None
    return len(text)


def _behind_title(clause: str, mentions: list[Mention], pos: int) -> int:
    """Where the agency starts when a title of its head stands first ("Giám đốc Sở Y tế"); else ``pos``.

    A group phrase that carries the title itself ("Chủ tịch UBND các huyện …") starts at the title.
    """
    lower = clause.lower()
    at = _mention_at(mentions, pos, at_start=False)
    if at is not None and at.kind in _UNIT_KINDS:
        return pos
    for title in sorted((t for t in TITLES if starts_with_phrase(lower[pos:], (t,))), key=len, reverse=True):
        behind = _skip_spaces(clause, pos + len(title))
        if _subject_at(clause, mentions, behind, first=False) is not None:
            return behind
    return pos


def _name(clause: str, start: int, end: int, *, group: bool = False) -> str:
    """The name as the clause writes it, spaces tidied; a group phrase without its head's title."""
    text = " ".join(clause[start:end].split()).strip(" ,;:.")
    if group:
        text = _GROUP_TITLE.sub("", text)
    return text


@dataclass
class _Named:
    code: str | None
    text: str


def parse_roles(clause: str, catalogue: AgencyCatalogue) -> Roles:
    """Read the lead, the coordinating agencies and the predicate off the front of ``clause``.

    In the grammar's order: the order ("giao …"), the subjects, the words of their roles ("chủ
    trì", "phối hợp với …"), then what is left after a preface and modals is the predicate.
    """
    mentions = catalogue.mentions(clause)
    ordered_at = _ordered_subjects_start(clause, mentions)
    ordered = ordered_at is not None
    subjects, issuer_subject, pos = _subjects(clause, mentions, ordered_at or 0, ordered=ordered)
    role_words = _role_words(clause, mentions, pos, has_subjects=bool(subjects))
    lead = subjects[0] if subjects else None
    return Roles(
        lead=lead.code if lead else None,
        lead_named=bool(subjects) or issuer_subject,
        coordinating=_unique([s.code for s in subjects[1:] if s.code] + role_words.codes, lead.code if lead else None),
        role_words=role_words.found,
        ordered=ordered,
        issuer_subject=issuer_subject,
        predicate=clause[_predicate_start(clause, role_words.end) :].strip(" ,:"),
        lead_text=lead.text if lead else None,
        coordinating_texts=_unique([s.text for s in subjects[1:]] + role_words.texts, lead.text if lead else None),
    )


def _ordered_subjects_start(clause: str, mentions: list[Mention]) -> int | None:
    """Where the subjects of an order start ("giao Sở …", "Chủ tịch UBND tỉnh yêu cầu Sở …"), or
    where an order to whoever the text addressed goes on; None if the clause is no order."""
    lower = clause.lower()
    order = _ISSUER_ORDER.match(lower) or _ORDER.match(lower)
    order_end = order.end() if order else _issuer_order_end(clause)
    if order_end is None:
        return None
    after = _skip_spaces(clause, order_end)
    if _subject_at(clause, mentions, _behind_title(clause, mentions, after)) is not None:
        return after
    if starts_with_phrase(lower[after:], DIRECTIVE_STARTS) is not None:
        # "Đặc biệt, yêu cầu chấp hành nghiêm …": an order to whoever the text addressed.
        return after
    return None


def _subjects(clause: str, mentions: list[Mention], pos: int, *, ordered: bool) -> tuple[list[_Named], bool, int]:
    """The agencies listed as subjects from ``pos`` ("Sở Tài chính, Sở Kế hoạch và Đầu tư"),
    whether the issuer is the first of them, and where the list ends."""
    subjects: list[_Named] = []
    issuer_subject = False
    while True:
        pos = _behind_title(clause, mentions, _skip_spaces(clause, pos))
        found = _subject_at(clause, mentions, pos, first=not subjects, ordered=ordered)
        if found is None:
            break
        code, kind, end = found
        if kind == "issuer" and not subjects:
            issuer_subject = True
        if kind != "issuer":
            named = _Named(code, _name(clause, pos, end, group=kind == "group"))
            # "Giám đốc các sở, Thủ trưởng các ban, ngành": one group written in two pieces.
            if kind == "group" and subjects and subjects[-1].code == code:
                subjects[-1].text = f"{subjects[-1].text}, {named.text}"
            else:
                subjects.append(named)
        pos = end
        aside = _ASIDE.match(clause[pos:])
        if aside:
            pos += aside.end()
        separator = _SEPARATOR.match(clause[pos:])
        if separator is None:
            break
        behind = pos + separator.end()
        if _subject_at(clause, mentions, _behind_title(clause, mentions, behind), first=False) is None:
            break
        pos = behind
    return subjects, issuer_subject, pos


@dataclass
class _RoleWords:
    """What the words of the roles after the subjects say: whether there are any, the agencies
    named to coordinate (codes, and names as written), and where the words end."""

    found: bool
    codes: list[str]
    texts: list[str]
    end: int


def _role_words(clause: str, mentions: list[Mention], pos: int, *, has_subjects: bool) -> _RoleWords:
    """Read "chủ trì", "là cơ quan đầu mối", "phối hợp (chặt chẽ) với AGENCIES" … from ``pos``."""
    lower = clause.lower()
    words = _RoleWords(found=False, codes=[], texts=[], end=pos)
    while True:
        lead_role = _LEAD_ROLE.match(lower[pos:])
        if lead_role:
            words.found = True
            pos += lead_role.end()
            continue
        coordinate = _COORDINATE.match(lower[pos:])
        # "Cùng …" opening a sentence with no subject is not coordination ("Cùng đi có đại diện …").
        if coordinate and not words.found and not has_subjects and lower[pos:].lstrip(" ,:").startswith("cùng"):
            coordinate = None
        if coordinate:
            words.found = True
            start = pos + coordinate.end()
            stop = _coordination_end(clause, mentions, start)
            words.codes.extend(m.code for m in mentions if start <= m.start < stop and m.kind in _UNIT_KINDS and m.code)
            words.texts.extend(_names_in(clause, mentions, start, stop))
            pos = stop
            continue
        break
    words.end = pos
    return words


def _predicate_start(clause: str, pos: int) -> int:
    """Where the predicate starts at or after ``pos``: behind a preface ("căn cứ chức năng,
    nhiệm vụ được giao, …") and any modals ("khẩn trương", "tiếp tục" …)."""
    lower = clause.lower()
    pos = _skip_spaces(clause, pos)
    preface = _PREFACE.match(lower[pos:])
    if preface:
        pos += preface.end()
    while True:
        modal = starts_with_phrase(lower[pos:].lstrip(" ,"), MODALS)
        if modal is None:
            return pos
        pos = _skip_spaces(clause, len(clause) - len(lower[pos:].lstrip(" ,")) + len(modal))


def _unique(values: list[str], lead: str | None) -> list[str]:
    out: list[str] = []
    for value in values:
        if value and value != lead and value not in out:
            out.append(value)
    return out


def agency_names(text: str, catalogue: AgencyCatalogue) -> list[str]:
    """Every agency a list names ("Sở Tài chính, UBND các huyện và các cơ quan liên quan"), as written."""
    return _names_in(text, catalogue.mentions(text), 0, len(text))


def _names_in(clause: str, mentions: list[Mention], start: int, stop: int) -> list[str]:
    """The names of the agencies between ``start`` and ``stop``, as written, in order."""
    names: list[str] = []
    pos = start
    while pos < stop:
        pos = _behind_title(clause, mentions, _skip_spaces(clause, pos))
        if pos >= stop:
            break
        mention = _mention_at(mentions, pos, at_start=False)
        if mention is not None and mention.kind in {"unit", "group", "vague"}:
            names.append(_name(clause, pos, min(mention.end, stop), group=mention.kind == "group"))
            pos = mention.end
            continue
        if mention is not None:
            pos = mention.end
            continue
        end = _unknown_agency_end(clause, pos, mentions)
        if end is not None and end > pos:
            names.append(_name(clause, pos, min(end, stop)))
            pos = end
            continue
        token = _TOKEN.match(clause, pos)
        pos = token.end() if token else pos + 1
    return [n for n in names if n]


def _subject_at(
    clause: str, mentions: list[Mention], pos: int, *, first: bool = True, ordered: bool = False
) -> tuple[str | None, str, int] | None:
    """(code, kind, end) of an agency that stands at ``pos``; kind "unit", "group", "unknown",
    "generic" or "issuer"."""
    mention = _mention_at(mentions, pos, at_start=pos == 0)
    if mention is not None and mention.kind in {"unit", "group", "bare_group", "issuer", "vague"}:
        kind = "group" if mention.kind == "bare_group" else mention.kind
        return mention.code, kind, mention.end
    unknown = _unknown_agency_end(clause, pos, mentions)
    if unknown is not None:
        return None, "unknown", unknown
    if not first:
        listed = _class_subject_end(clause, pos)
        if listed is not None:
            return None, "generic", listed
    if first and not ordered:
        generic = _generic_subject_end(clause, pos)
        if generic is not None:
            return None, "generic", generic
    return None


def _coordination_end(clause: str, mentions: list[Mention], start: int) -> int:
    """Where the list after "phối hợp với" ends: at the first verb or preposition outside a name."""
    lower = clause.lower()
    inside_until = start
    for p in _word_starts(clause, start):
        if p < inside_until or any(m.start <= p < m.end for m in mentions):
            continue
        unknown = _unknown_agency_end(clause, p, mentions)
        if unknown is not None:
            inside_until = unknown
            continue
        if clause[p].isupper():
            continue
        if starts_with_phrase(lower[p:], DIRECTIVE_STARTS) or starts_with_phrase(lower[p:], _COORDINATION_STOPS):
            return p
    return len(clause)
