"""Deadlines and recurrences in Vietnamese: "trong tháng 11/2023", "chậm nhất ngày 31/12/2024",
"trong quý IV/2024", "6 tháng đầu năm 2025", "trước ngày 20 hằng tháng", "năm học 2023-2024" …

A date in running text is a deadline only when a deadline word stands right before it
("trước", "chậm nhất", "trong", "đến hết" …). Dates without one are references or past events
("đã họp lần thứ nhất ngày 18/7/2023", "Văn bản số 12/UBND ngày 5/8/2024", "kế hoạch vốn năm
2024"); so are dates inside parentheses and dates after "đã"/"vừa" in the same phrase. When an
order holds several deadlines, the earliest is its deadline (the first one to watch).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from dieuhanh.directives.choices import LAST_DAY, Recurrence
from dieuhanh.directives.extraction.lexicon import DIRECTIVE_STARTS

MONTHLY, QUARTERLY, CONTINUOUS = Recurrence.MONTHLY.value, Recurrence.QUARTERLY.value, Recurrence.CONTINUOUS.value

# The first day of the lunar new year (Tết Nguyên đán) in Vietnam.
TET = {
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
    2031: dt.date(2031, 1, 23),
    2032: dt.date(2032, 2, 11),
    2033: dt.date(2033, 1, 31),
    2034: dt.date(2034, 2, 19),
    2035: dt.date(2035, 2, 8),
}
# The school year opens nationwide on 5 September and ends by 31 May.
SCHOOL_OPENING = (9, 5)
SCHOOL_END = (5, 31)

NUMBER_WORDS = {
    "một": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "tư": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
    "chín": 9,
    "mười": 10,
    "mười lăm": 15,
    "hai mươi": 20,
    "ba mươi": 30,
    "bốn mươi lăm": 45,
    "sáu mươi": 60,
    "chín mươi": 90,
}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


@dataclass(frozen=True)
class Timing:
    """When an order is due: a date, a recurrence (``monthly:DD``, ``quarterly``, ``continuous``), or neither."""

    deadline: dt.date | None = None
    recurrence: str | None = None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _number(text: str) -> int | None:
    text = text.strip()
    if text.isdigit():
        return int(text)
    return NUMBER_WORDS.get(text)


def _working_days_after(start: dt.date, days: int) -> dt.date:
    current = start
    while days > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


_NUMWORD = "|".join(sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True))
# Deadline words. "đến" alone only before a full date ("đến ngày 28/02/2025"), since "đến năm
# 2030" usually names a horizon rather than a due date.
_MARK = (
    r"(?:trước\s+khi\s+kết\s+thúc|trước|chậm\s+nhất(?:\s+là)?(?:\s+(?:trong|vào))?|hạn\s+chót(?:\s+là)?|"
    r"đến\s+hết|ngay\s+trong|trong|hết|kịp|xong\s+trước|không\s+muộn\s+hơn|vào|cuối)"
)


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    resolve: Callable[[re.Match[str], dt.date], dt.date | None]
    needs_mark: bool = True


def _full_date(m: re.Match[str], _doc: dt.date) -> dt.date | None:
    return _safe_date(int(m.group("y")), int(m.group("m")), int(m.group("d")))


def _day_month(m: re.Match[str], doc: dt.date) -> dt.date | None:
    day, month = int(m.group("d")), int(m.group("m"))
    found = _safe_date(doc.year, month, day)
    if found is not None and found < doc:
        found = _safe_date(doc.year + 1, month, day)
    return found


def _month(m: re.Match[str], doc: dt.date) -> dt.date | None:
    month = int(m.group("m"))
    if not 1 <= month <= 12:
        return None
    if m.group("y"):
        return _month_end(int(m.group("y")), month)
    end = _month_end(doc.year, month)
    return end if end >= doc else _month_end(doc.year + 1, month)


def _quarter(m: re.Match[str], doc: dt.date) -> dt.date | None:
    raw = m.group("q")
    quarter = _ROMAN.get(raw) or (int(raw) if raw.isdigit() else 0)
    if not 1 <= quarter <= 4:
        return None
    if m.group("y"):
        return _month_end(int(m.group("y")), quarter * 3)
    end = _month_end(doc.year, quarter * 3)
    return end if end >= doc else _month_end(doc.year + 1, quarter * 3)


def _months_of_year(m: re.Match[str], doc: dt.date) -> dt.date | None:
    months = _number(m.group("n"))
    if months is None or not 1 <= months <= 12:
        return None
    year = int(m.group("y")) if m.group("y") else doc.year
    return _month_end(year, months if m.group("part") == "đầu" else 12)


def _year(m: re.Match[str], _doc: dt.date) -> dt.date | None:
    return dt.date(int(m.group("y")), 12, 31)


def _school_year(m: re.Match[str], _doc: dt.date) -> dt.date | None:
    first, second = int(m.group("y1")), int(m.group("y2"))
    if second != first + 1:
        return None
    return dt.date(second, *SCHOOL_END)


def _school_opening(m: re.Match[str], doc: dt.date) -> dt.date | None:
    if m.group("y1"):
        return dt.date(int(m.group("y1")), *SCHOOL_OPENING)
    opening = dt.date(doc.year, *SCHOOL_OPENING)
    return opening if opening >= doc else dt.date(doc.year + 1, *SCHOOL_OPENING)


def _tet(m: re.Match[str], doc: dt.date) -> dt.date | None:
    tet = TET.get(int(m.group("y"))) if m.group("y") else next((d for _y, d in sorted(TET.items()) if d > doc), None)
    return tet - dt.timedelta(days=1) if tet is not None else None


def _relative(m: re.Match[str], doc: dt.date) -> dt.date | None:
    days = _number(m.group("n"))
    if days is None or days <= 0 or days > 366:
        return None
    if m.group("working"):
        return _working_days_after(doc, days)
    return doc + dt.timedelta(days=days)


_FULL_DATE = (
    r"(?:ngày\s+)?(?<![\d/.])(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})(?!\d)"
    r"|ngày\s+(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s+năm\s+(?P<y2>\d{4})"
)


def _full_or_long(m: re.Match[str], doc: dt.date) -> dt.date | None:
    if m.group("d2"):
        return _safe_date(int(m.group("y2")), int(m.group("m2")), int(m.group("d2")))
    return _full_date(m, doc)


_EXPRESSIONS: list[tuple[str, Callable[[re.Match[str], dt.date], dt.date | None], bool]] = [
    (_FULL_DATE, _full_or_long, True),
    (r"(?:ngày\s+)?(?<![\d/.])(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})(?![\d/])", _day_month, True),
    (r"tháng\s+(?P<m>\d{1,2})(?:\s*(?:/|năm)\s*(?P<y>\d{4}))?(?![\d/])", _month, True),
    (r"quý\s+(?P<q>iv|i{1,3}|[1-4])(?:\s*(?:/|năm)\s*(?P<y>\d{4}))?(?![\d/])", _quarter, True),
    (
        r"(?P<n>\d{1,2}|sáu|chín|ba)\s+tháng\s+(?P<part>đầu|cuối)\s+năm(?:\s+(?P<y>\d{4}))?",
        _months_of_year,
        True,
    ),
    (r"(?:lễ\s+)?khai\s+giảng(?:\s+năm\s+học(?:\s+mới)?\s+(?P<y1>\d{4})\s*-\s*(?P<y2>\d{4}))?", _school_opening, True),
    (r"năm\s+học(?:\s+mới)?\s+(?P<y1>\d{4})\s*-\s*(?P<y2>\d{4})", _school_year, True),
    (
        r"tết(?:\s+nguyên\s+đán)?(?:\s+(?:canh|tân|nhâm|quý|giáp|ất|bính|đinh|mậu|kỷ)\s+[a-zà-ỹđ]+)?"
        r"(?:\s+(?P<y>\d{4}))?",
        _tet,
        True,
    ),
    (r"năm\s+(?P<y>\d{4})(?![\d/-])", _year, True),
    (
        rf"(?:thời\s+hạn|vòng|thời\s+gian)?\s*(?P<n>\d{{1,3}}|{_NUMWORD})\s+ngày(?P<working>\s+làm\s+việc)?",
        _relative,
        True,
    ),
]

# Markers that carry their own meaning, checked before the general ones.
_SPECIAL: list[tuple[str, Callable[[re.Match[str], dt.date], dt.date | None]]] = [
    # "cuối năm 2024" is a due date with or without a deadline word before it.
    (r"cuối\s+năm\s+(?P<y>\d{4})", _year),
    # "đến ngày 28/02/2025" (the end of "từ ngày … đến ngày …"): only a full date counts.
    (
        r"đến\s+(?:hết\s+)?ngày\s+(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})(?!\d)",
        _full_date,
    ),
    # "trong năm", "trước cuối năm" with no year: the document's year. A bare "cuối năm" is not
    # enough ("hồ sơ thanh toán cuối năm" names the season, not a due date).
    (
        r"(?:trong|đến\s+hết|hết|ngay\s+trong|trước\s+cuối|chậm\s+nhất(?:\s+là)?\s+cuối)\s+năm(?:\s+nay)?(?=\s*(?:[,.;]|$))",
        lambda _m, d: dt.date(d.year, 12, 31),
    ),
    # "trước năm 2025": by the end of 2024.
    (r"trước\s+năm\s+(?P<y>\d{4})", lambda m, _d: dt.date(int(m.group("y")) - 1, 12, 31)),
    # The opening of a school year is a date of its own ("chuẩn bị … cho khai giảng năm học mới 2023-2024").
    (
        r"(?:trước\s+thềm|trước|cho|kịp|chuẩn\s+bị\s+cho|khi|phục\s+vụ|tổ\s+chức)\s+(?:lễ\s+)?khai\s+giảng"
        r"(?:\s+năm\s+học(?:\s+mới)?\s+(?P<y1>\d{4})\s*-\s*(?P<y2>\d{4}))?",
        _school_opening,
    ),
]

_PAST = re.compile(r"\b(?:đã|vừa|từng)\b")
_MONTHLY = re.compile(r"(?:hằng|hàng|mỗi)\s+tháng")
_QUARTERLY = re.compile(r"(?:hằng|hàng|mỗi)\s+quý|định\s+kỳ\s+quý|theo\s+quý")
_MONTH_DAY = re.compile(r"ngày\s+(\d{1,2})(?!\s*[/.-]\s*\d)(?!\s+tháng)")
_CONTINUOUS = re.compile(r"thường\s+xuyên|liên\s+tục|thường\s+trực")


def _compiled(with_mark: bool) -> list[_Pattern]:
    out = []
    for expression, resolve, _needs in _EXPRESSIONS:
        prefix = rf"(?:(?<![\w])({_MARK})\s+(?:ngày\s+)?)" if with_mark else rf"(?:(?<![\w])({_MARK})\s+)?"
        out.append(_Pattern(re.compile(prefix + f"(?:{expression})"), resolve, with_mark))
    return out


_RUNNING = _compiled(with_mark=True)
_FIELD = _compiled(with_mark=False)
_SPECIAL_COMPILED = [(re.compile(r"(?<![\w])" + expression), resolve) for expression, resolve in _SPECIAL]


def _blocked(text: str, position: int) -> bool:
    """A candidate inside parentheses, or after "đã"/"vừa" in its own phrase, is not a deadline."""
    before = text[:position]
    if before.count("(") > before.count(")"):
        return True
    phrase_start = max(before.rfind(","), before.rfind(";"), before.rfind(":"), before.rfind(")"))
    return bool(_PAST.search(before[phrase_start + 1 :]))


def _candidates(text: str, doc: dt.date, patterns: list[_Pattern]) -> list[tuple[int, dt.date]]:
    found: list[tuple[int, dt.date]] = []
    taken: list[tuple[int, int]] = []
    for regex, resolve in _SPECIAL_COMPILED:
        for m in regex.finditer(text):
            if _blocked(text, m.start()):
                continue
            date = resolve(m, doc)
            if date is not None:
                found.append((m.start(), date))
                taken.append((m.start(), m.end()))
    for pattern in patterns:
        for m in pattern.regex.finditer(text):
            if any(start <= m.start() < end or start < m.end() <= end for start, end in taken):
                continue
            if _blocked(text, m.start()):
                continue
            date = pattern.resolve(m, doc)
            if date is not None:
                found.append((m.start(), date))
                taken.append((m.start(), m.end()))
    return found


def _continuous(text: str) -> bool:
    """ "thường xuyên" that qualifies the order (before its verb, alone, or "nhiệm vụ thường xuyên"),
    not a place or a thing ("các điểm thường xuyên ùn tắc")."""
    for m in _CONTINUOUS.finditer(text):
        after = text[m.end() :].lstrip()
        before = text[: m.start()].rstrip()
        if not after or after[0] in ",.;:)" or before.endswith(("nhiệm vụ", "là", "một cách", "được")):
            return True
        if any(
            after.startswith(verb) and (len(after) == len(verb) or not after[len(verb)].isalnum())
            for verb in DIRECTIVE_STARTS
        ):
            return True
    return False


def timing_of(text: str, *, document_date: dt.date, field: bool = False) -> Timing:
    """The deadline or recurrence of an order's text; ``field`` for the value of a "Thời gian hoàn
    thành:" line, where the deadline word may be left out ("Quý I/2025", "Năm 2025")."""
    lower = text.lower()
    if _MONTHLY.search(lower):
        day_match = _MONTH_DAY.search(lower)
        day = int(day_match.group(1)) if day_match else LAST_DAY
        if 1 <= day <= 31:
            return Timing(recurrence=f"{MONTHLY}:{day:02d}")
    if _QUARTERLY.search(lower):
        return Timing(recurrence=QUARTERLY)
    candidates = _candidates(lower, document_date, _FIELD if field else _RUNNING)
    if candidates:
        return Timing(deadline=min(date for _pos, date in candidates))
    if (field and _CONTINUOUS.search(lower)) or _continuous(lower):
        return Timing(recurrence=CONTINUOUS)
    return Timing()
