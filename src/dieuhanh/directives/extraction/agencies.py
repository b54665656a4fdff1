"""Agency names in a text, matched to the unit catalogue.

Each unit of the catalogue is known under its name and the forms documents use for it:
without the province's name ("Sở Tài chính"), with "tỉnh" ("Cục Thống kê tỉnh"), abbreviated
("Sở KH&ĐT", "Sở TN&MT", "Sở LĐ-TB&XH", "UBND TP. Thủ Dầu Một", "KBNN"). A district-level or
commune-level unit is an agency only as its People's Committee ("UBND thành phố Dĩ An"): the
bare place name ("trên địa bàn thành phố Dĩ An") is a place, not an agency.

Groups (see docs/directives.md):

- "UBND các huyện, thị xã, thành phố" (also "cấp huyện", or "Các huyện, thị xã, thành phố" as a
  subject) → ``group:districts``, the district-level units;
- "UBND các xã, phường, thị trấn" (or "cấp xã") → ``group:communes``;
- "các sở, ban, ngành" (and "Giám đốc các sở", "Thủ trưởng các ban, ngành") → ``group:agencies``;
- "… liên quan", "các cơ quan, đơn vị", "các địa phương" name nobody in particular and are left out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from dieuhanh.directives.choices import GROUP_AGENCIES, GROUP_COMMUNES, GROUP_DISTRICTS
from dieuhanh.directives.extraction.text import normalise, tokenize

AGENCY = "agency"
DISTRICT = "district"
COMMUNE = "commune"
PROVINCE = "province"

GROUP_NAMES = {
    GROUP_DISTRICTS: "UBND các huyện, thị xã, thành phố",
    GROUP_COMMUNES: "UBND các xã, phường, thị trấn",
    GROUP_AGENCIES: "Các sở, ban, ngành",
}
GROUP_KINDS = {GROUP_DISTRICTS: DISTRICT, GROUP_COMMUNES: COMMUNE, GROUP_AGENCIES: AGENCY}


@dataclass(frozen=True)
class AgencyRecord:
    """A unit of the catalogue as the extractor sees it."""

    code: str
    name: str
    kind: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to >= day)


@dataclass(frozen=True)
class Mention:
    """A stretch of a clause that names an agency, a group, the issuer, or nobody in particular.

    ``kind`` is "unit" (``code`` is a unit's code), "group" (``code`` is a group code),
    "issuer" (the province's own People's Committee or its chairman), "vague" ("các cơ quan
    liên quan") or "bare_group" (a group named without "UBND", which counts only as a subject).
    """

    start: int
    end: int
    kind: str
    code: str | None = None


# Several words that documents also write as one abbreviation; both forms match.
_COLLAPSE: list[tuple[tuple[str, ...], str]] = [
    (("ủy", "ban", "nhân", "dân"), "ubnd"),
    (("hội", "đồng", "nhân", "dân"), "hđnd"),
    (("thành", "phố"), "tp"),
    (("thị", "xã"), "tx"),
    (("thị", "trấn"), "ttr"),
    (("khu", "công", "nghiệp"), "kcn"),
    (("kho", "bạc", "nhà", "nước"), "kbnn"),
    (("bảo", "hiểm", "xã", "hội"), "bhxh"),
]
_DROP = {".", "-", "–", "(", ")", '"', "'"}
_SKIPPABLE = {","}


@dataclass(frozen=True)
class _CanonicalToken:
    value: str
    start: int
    end: int


def _canonical(text: str) -> list[_CanonicalToken]:
    """Lower-case words of ``text`` with abbreviations collapsed, "&" read as "và", dots and dashes dropped."""
    raw = [t for t in tokenize(text) if t.lower not in _DROP]
    out: list[_CanonicalToken] = []
    i = 0
    while i < len(raw):
        for words, short in _COLLAPSE:
            if tuple(t.lower for t in raw[i : i + len(words)]) == words:
                out.append(_CanonicalToken(short, raw[i].start, raw[i + len(words) - 1].end))
                i += len(words)
                break
        else:
            value = "và" if raw[i].lower == "&" else raw[i].lower
            out.append(_CanonicalToken(value, raw[i].start, raw[i].end))
            i += 1
    return out


def _initials(words: list[str]) -> str:
    return "".join(w[0] for w in words if w)


def _acronyms(name: str) -> set[str]:
    """Forms like "KH&ĐT", "KHĐT", "LĐ-TB&XH", "VHTT&DL" of "Kế hoạch và Đầu tư" etc."""
    parts = [p.strip() for p in re.split(r"\s*(?:,|-|\bvà\b|&)\s*", name.lower()) if p.strip()]
    groups = [_initials(p.split()) for p in parts]
    if sum(len(g) for g in groups) < 3:
        return set()
    forms = {"".join(groups), " ".join(groups)}
    if len(groups) >= 2:
        forms.add(" ".join(groups[:-1]) + " và " + groups[-1])
        forms.add("".join(groups[:-1]) + " và " + groups[-1])
    return forms


@dataclass
class AgencyCatalogue:
    """The units an extraction may name, with every form of their names, indexed for matching."""

    records: list[AgencyRecord]
    on: dt.date | None = None
    _by_first: dict[str, list[tuple[tuple[str, ...], AgencyRecord]]] = field(default_factory=dict, init=False)
    _by_code: dict[str, AgencyRecord] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        usable = [r for r in self.records if self.on is None or r.valid_on(self.on)]
        self._by_code = {r.code: r for r in usable}
        provinces = [r for r in usable if r.kind == PROVINCE]
        province_names = {
            re.sub(r"^(?:tỉnh|thành phố)\s+", "", normalise(p.name), flags=re.IGNORECASE) for p in provinces
        }
        index: dict[str, list[tuple[tuple[str, ...], AgencyRecord]]] = defaultdict(list)
        seen: dict[tuple[str, ...], AgencyRecord | None] = {}
        for record in usable:
            for alias in self._aliases(record, province_names):
                key = tuple(t.value for t in _canonical(alias))
                if not key:
                    continue
                if key in seen and seen[key] is not None and seen[key] != record:
                    seen[key] = None  # two units answer to this form: it names neither
                elif key not in seen:
                    seen[key] = record
        for key, owner in seen.items():
            if owner is not None:
                index[key[0]].append((key, owner))
        for entries in index.values():
            entries.sort(key=lambda e: len(e[0]), reverse=True)
        self._by_first = dict(index)

    @staticmethod
    def _aliases(record: AgencyRecord, province_names: set[str]) -> set[str]:
        name = normalise(record.name).strip()
        aliases = {name}
        if record.kind == PROVINCE:
            return {"UBND tỉnh", "Ủy ban nhân dân tỉnh", f"UBND {name}", name}
        if record.kind in (DISTRICT, COMMUNE):
            bare = re.sub(r"^(?:thành phố|thị xã|huyện|quận|phường|xã|thị trấn)\s+", "", name, flags=re.IGNORECASE)
            types = ("thành phố", "thị xã", "huyện") if record.kind == DISTRICT else ("phường", "xã", "thị trấn")
            # Only as a People's Committee; a town may have been a thị xã in an older text.
            return {f"UBND {t} {bare}" for t in types} | {f"UBND {bare}"}
        base = name
        for province in province_names:
            base = re.sub(rf"\s+(?:tỉnh\s+)?{re.escape(province)}$", "", base, flags=re.IGNORECASE)
        aliases |= {base, f"{base} tỉnh"} | {f"{base} {p}" for p in province_names}
        if base.endswith(" tỉnh"):
            aliases.add(base[: -len(" tỉnh")] + " tỉnh")
        kind_word = re.match(r"^(Sở|Ban|Cục)\s+(.+)$", base)
        if kind_word:
            for acronym in _acronyms(kind_word.group(2)):
                aliases |= {f"{kind_word.group(1)} {acronym}", f"{kind_word.group(1)} {acronym} tỉnh"}
        return aliases

    def record(self, code: str) -> AgencyRecord | None:
        return self._by_code.get(code)

    def members(self, group: str) -> list[AgencyRecord]:
        """The units a group code stands for, valid on the catalogue's date."""
        kind = GROUP_KINDS.get(group)
        return [r for r in self._by_code.values() if r.kind == kind]

    def mentions(self, text: str) -> list[Mention]:
        """Every agency, group, issuer or vague mention in ``text``, left to right, not overlapping."""
        found = _group_mentions(text) + self._unit_mentions(text)
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        out: list[Mention] = []
        for mention in found:
            if out and mention.start < out[-1].end:
                continue
            out.append(mention)
        return out

    def _unit_mentions(self, text: str) -> list[Mention]:
        tokens = _canonical(text)
        out: list[Mention] = []
        i = 0
        while i < len(tokens):
            best: tuple[int, AgencyRecord] | None = None
            for key, record in self._by_first.get(tokens[i].value, []):
                end = _match(tokens, i, key)
                if end is not None and (best is None or end > best[0]):
                    best = (end, record)
            if best is None:
                i += 1
                continue
            end, record = best
            if record.kind == AGENCY and _local_counterpart(tokens, i, end):
                i += 1
                continue
            kind = "issuer" if record.kind == PROVINCE else "unit"
            out.append(Mention(tokens[i].start, tokens[end - 1].end, kind, None if kind == "issuer" else record.code))
            i = end
        return out


# "Công an các huyện", "BHXH huyện …", "Chi cục Thuế": the district-level counterpart of a
# provincial agency, not the agency itself.
_LOCAL_AFTER = {"các", "huyện", "tp", "tx", "xã", "phường", "ttr", "cấp", "quận", "khu"}


def _local_counterpart(tokens: list[_CanonicalToken], start: int, end: int) -> bool:
    after = tokens[end].value if end < len(tokens) else ""
    before = tokens[start - 1].value if start > 0 else ""
    return after in _LOCAL_AFTER or before == "chi"


def _match(tokens: list[_CanonicalToken], start: int, key: tuple[str, ...]) -> int | None:
    """The index after the match of ``key`` at ``start`` (commas in the text may be skipped), or None."""
    i = start
    for k, value in enumerate(key):
        while k > 0 and i < len(tokens) and tokens[i].value in _SKIPPABLE and value not in _SKIPPABLE:
            i += 1
        if i >= len(tokens) or tokens[i].value != value:
            return None
        i += 1
    return i


_UBND = r"(?:ủy ban nhân dân|ubnd)"
# "huyện, thị xã, thành phố" in any order, also "huyện, thành, thị"; "các huyện: A, B và C" names
# three districts, not the group.
_DISTRICT_KINDS = r"(?:thị xã|thành phố|thị|thành|tp\.?|tx\.?)"
_DISTRICT_LIST = rf"(?:các|cấp)\s+huyện(?:\s*(?:,|và)\s*{_DISTRICT_KINDS})*(?!\s*:)"
_GROUPS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"(?:chủ tịch\s+)?{_UBND}\s+{_DISTRICT_LIST}"), GROUP_DISTRICTS),
    # "UBND huyện, thị xã, thành phố" without "các": the list makes it the group.
    (re.compile(rf"(?:chủ tịch\s+)?{_UBND}\s+huyện(?:\s*(?:,|và)\s*{_DISTRICT_KINDS})+"), GROUP_DISTRICTS),
    (
        re.compile(
            rf"(?:chủ tịch\s+)?{_UBND}\s+(?:các|cấp)\s+(?:xã|phường)"
            r"(?:\s*(?:,|và)\s*(?:xã|phường|thị trấn|đặc khu))*(?!\s*:)"
        ),
        GROUP_COMMUNES,
    ),
    (
        re.compile(
            r"(?:(?:giám đốc|thủ trưởng|lãnh đạo|người đứng đầu)\s+)?các\s+(?:sở|ban|ngành)"
            r"(?:\s*(?:,|và)\s*(?:sở|ban|ngành|đoàn thể|hội|cơ quan|địa phương|đơn vị(?=\s+(?:cấp|thuộc)\s+tỉnh)))*"
            r"(?:\s+(?:tỉnh|thuộc tỉnh|cấp tỉnh))?"
            r"(?!\s*(?:,\s*)?(?:có\s+)?liên\s+quan)"
        ),
        GROUP_AGENCIES,
    ),
]
_VAGUE = re.compile(
    r"(?:các|những)\s+(?:sở|ban|ngành|cơ quan|đơn vị|địa phương|tổ chức)[\w\s,]*?(?:có\s+)?liên\s+quan"
    r"|(?:các|những)\s+(?:cơ quan|đơn vị|địa phương|tổ chức)"
    r"(?:\s*(?:,|và)\s*(?:cơ quan|đơn vị|địa phương|tổ chức|doanh nghiệp)(?![\w]))*"
)
_BARE_DISTRICTS = re.compile(rf"^{_DISTRICT_LIST.replace('(?:các|cấp)', 'các')}")
_ISSUER = re.compile(rf"(?:phó\s+)?chủ tịch\s+{_UBND}\s+tỉnh|{_UBND}\s+tỉnh|tỉnh ủy|(?:hội đồng nhân dân|hđnd)\s+tỉnh")


def _group_mentions(text: str) -> list[Mention]:
    lower = text.lower()
    out: list[Mention] = []
    for pattern, code in _GROUPS:
        out.extend(Mention(m.start(), m.end(), "group", code) for m in pattern.finditer(lower))
    out.extend(Mention(m.start(), m.end(), "vague") for m in _VAGUE.finditer(lower))
    bare = _BARE_DISTRICTS.match(lower)
    if bare and "," in bare.group(0):
        out.append(Mention(bare.start(), bare.end(), "bare_group", GROUP_DISTRICTS))
    out.extend(Mention(m.start(), m.end(), "issuer") for m in _ISSUER.finditer(lower))
    return out


def catalogue_from(records: Iterable[AgencyRecord], *, on: dt.date | None = None) -> AgencyCatalogue:
    return AgencyCatalogue(records=list(records), on=on)
