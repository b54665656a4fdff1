"""Who leads and who coordinates, read from the front of a clause.

The grammar is the one official texts use::

    [Chủ tịch UBND tỉnh] (giao | yêu cầu | đề nghị) SUBJECTS …
    SUBJECTS [chủ trì | là cơ quan chủ trì | làm đầu mối] [, phối hợp (chặt chẽ) với AGENCIES] PREDICATE
    (chủ trì,) phối hợp với AGENCIES PREDICATE            (the subject comes from a heading)

SUBJECTS is one agency or several ("Sở Tài chính, Sở Kế hoạch và Đầu tư", "Giám đốc các sở,
Thủ trưởng các ban, ngành, Chủ tịch UBND các huyện …"): the first leads, the others coordinate.
Agencies named anywhere else in the clause — those reported to ("báo cáo UBND tỉnh (qua Sở …)"),
told to act by the lead ("chỉ đạo UBND các xã …"), or merely mentioned — have no role.
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
    ORDER_VERBS,
    TITLES,
)
from dieuhanh.directives.extraction.text import starts_with_phrase

_ORDER = re.compile(rf"^(?:{'|'.join(re.escape(v) for v in ORDER_VERBS)})\s+")
_ISSUER_ORDER = re.compile(rf"^{ISSUER}\s*,?\s*(?:{'|'.join(re.escape(v) for v in ORDER_VERBS)}|chỉ đạo)\s+")
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
    """The roles a clause states, and what is left of it (its predicate)."""

    lead: str | None = None
    lead_named: bool = False
    coordinating: list[str] = field(default_factory=list)
    role_words: bool = False
    ordered: bool = False
    issuer_subject: bool = False
    predicate: str = ""

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
# in another province's catalogue, "Công an tỉnh").
_LOCAL_AGENCY = re.compile(
    r"^(?:ủy ban nhân dân|ubnd|công an)\s+(?:tỉnh|thành phố|tp\.?|huyện|thị xã|tx\.?|quận|xã|phường|thị trấn)\b"
)


def _unknown_agency_end(text: str, pos: int) -> int | None:
    """The end of an agency name the catalogue does not know ("Ban Quản lý dự án … tỉnh", "Đài …")."""
    rest = text[pos:]
    if not _LOCAL_AGENCY.match(rest.lower()) and not any(
        rest.startswith(word + " ") and len(rest) > len(word) + 1 and rest[len(word) + 1].isupper()
        for word in AGENCY_TYPE_WORDS
    ):
        return None
    lower = text.lower()
    for p in _word_starts(text, pos + 1):
        if p <= pos:
            continue
        if text[p].isupper():
            continue
        if starts_with_phrase(lower[p:], DIRECTIVE_STARTS) or starts_with_phrase(
            lower[p:], ("chủ trì", "phối hợp", "có trách nhiệm", "chịu trách nhiệm", "cần", "phải", "là cơ quan")
        ):
            return p
    return None


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


def parse_roles(clause: str, catalogue: AgencyCatalogue) -> Roles:
    """Read the lead, the coordinating agencies and the predicate off the front of ``clause``."""
    roles = Roles()
    mentions = catalogue.mentions(clause)
    lower = clause.lower()
    pos = 0
    order = _ISSUER_ORDER.match(lower) or _ORDER.match(lower)
    subjects: list[str | None] = []
    if order:
        after = _skip_spaces(clause, order.end())
        if _subject_at(clause, mentions, after) is not None:
            pos, roles.ordered = after, True
    while True:
        pos = _skip_spaces(clause, pos)
        title = starts_with_phrase(lower[pos:], TITLES)
        if title is not None:
            behind = _skip_spaces(clause, pos + len(title))
            if _mention_at(mentions, behind, at_start=True) is not None:
                pos = behind
        found = _subject_at(clause, mentions, pos, first=not subjects, ordered=roles.ordered)
        if found is None:
            break
        code, kind, end = found
        if kind == "issuer" and not subjects:
            roles.issuer_subject = True
        if kind != "issuer":
            subjects.append(code)
        pos = end
        aside = _ASIDE.match(clause[pos:])
        if aside:
            pos += aside.end()
        separator = _SEPARATOR.match(clause[pos:])
        if separator is None:
            break
        behind = pos + separator.end()
        title = starts_with_phrase(lower[behind:], TITLES)
        probe = _skip_spaces(clause, behind + len(title)) if title else behind
        if _subject_at(clause, mentions, behind, first=False) is None and (
            _subject_at(clause, mentions, probe, first=False) is None
        ):
            break
        pos = behind
    roles.lead_named = bool(subjects) or roles.issuer_subject
    coordinating: list[str] = [c for c in subjects[1:] if c]
    while True:
        lead_role = _LEAD_ROLE.match(lower[pos:])
        if lead_role:
            roles.role_words = True
            pos += lead_role.end()
            continue
        coordinate = _COORDINATE.match(lower[pos:])
        # "Cùng …" opening a sentence with no subject is not coordination ("Cùng đi có đại diện …").
        if coordinate and not roles.role_words and not subjects and lower[pos:].lstrip(" ,:").startswith("cùng"):
            coordinate = None
        if coordinate:
            roles.role_words = True
            start = pos + coordinate.end()
            stop = _coordination_end(clause, mentions, start)
            coordinating.extend(
                m.code for m in mentions if start <= m.start < stop and m.kind in _UNIT_KINDS and m.code
            )
            pos = stop
            continue
        break
    pos = _skip_spaces(clause, pos)
    preface = _PREFACE.match(lower[pos:])
    if preface:
        pos += preface.end()
    while True:
        modal = starts_with_phrase(lower[pos:].lstrip(" ,"), MODALS)
        if modal is None:
            break
        pos = _skip_spaces(clause, len(clause) - len(lower[pos:].lstrip(" ,")) + len(modal))
    roles.lead = subjects[0] if subjects else None
    seen: set[str] = set()
    roles.coordinating = []
    for code in coordinating:
        if code != roles.lead and code not in seen:
            seen.add(code)
            roles.coordinating.append(code)
    roles.predicate = clause[pos:].strip(" ,:")
    return roles


def _subject_at(
    clause: str, mentions: list[Mention], pos: int, *, first: bool = True, ordered: bool = False
) -> tuple[str | None, str, int] | None:
    """(code, kind, end) of an agency that stands at ``pos``; kind "unit", "group", "unknown",
    "generic" or "issuer"."""
    mention = _mention_at(mentions, pos, at_start=pos == 0)
    if mention is not None and mention.kind in {"unit", "group", "bare_group", "issuer"}:
        kind = "group" if mention.kind == "bare_group" else mention.kind
        return mention.code, kind, mention.end
    unknown = _unknown_agency_end(clause, pos)
    if unknown is not None:
        return None, "unknown", unknown
    if first and not ordered:
        generic = _generic_subject_end(clause, pos)
        if generic is not None:
            return None, "generic", generic
    return None


def _coordination_end(clause: str, mentions: list[Mention], start: int) -> int:
    """Where the list after "phối hợp với" ends: at the first verb or preposition outside a name."""
    lower = clause.lower()
    for p in _word_starts(clause, start):
        if any(m.start <= p < m.end for m in mentions):
            continue
        if clause[p].isupper():
            continue
        if starts_with_phrase(lower[p:], DIRECTIVE_STARTS) or starts_with_phrase(lower[p:], _COORDINATION_STOPS):
            return p
    return len(clause)
