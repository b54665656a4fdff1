"""Text handling: normalisation (underthesea), lines of a document, sentences and clauses."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from underthesea import sent_tokenize, text_normalize

from dieuhanh.directives.extraction.lexicon import CONNECTORS, CONTINUATION_STARTS, DIRECTIVE_STARTS, SCENE_SETTERS

_SPACES = re.compile(r"[ \t\u00a0\u2002\u2003\u2009\u202f]+")
_WORD = re.compile(r"[^\W\d_]+")
_DASHES = str.maketrans({"–": "-", "—": "-", "‒": "-", "“": '"', "”": '"', "‘": "'", "’": "'"})


@functools.lru_cache(maxsize=20_000)
def _normal_word(word: str) -> str:
    # underthesea normalises one token at a time; with the space tokenizer a bare word comes back
    # as one token, its tone mark in the modern place ("hoạ" → "họa", "Uỷ" → "Ủy").
    return text_normalize(word, tokenizer="space") if len(word) > 1 else word


def normalise(text: str) -> str:
    """NFC, plain spaces and dashes, and the modern placement of tone marks, word by word.

    Only letters change; punctuation and spacing stay where they were, so the text still reads
    as the source did.
    """
    text = unicodedata.normalize("NFC", text).translate(_DASHES)
    text = _SPACES.sub(" ", text)
    return _WORD.sub(lambda m: _normal_word(m.group(0)), text)


# A dot inside a token ("ĐT.741", "QL.13", "1.500") never ends a sentence, but underthesea may
# split there; it is hidden from it behind a character that does not occur in Vietnamese text.
_INNER_DOT = re.compile(r"(?<=\w)\.(?=\d)")
_HIDDEN_DOT = "\u2024"


def sentences(paragraph: str) -> list[str]:
    """The sentences of a paragraph, split by underthesea; a trailing "/." closing mark is dropped."""
    out = []
    for hidden in sent_tokenize(_INNER_DOT.sub(_HIDDEN_DOT, paragraph)):
        stripped = hidden.replace(_HIDDEN_DOT, ".").strip()
        if stripped and stripped not in {"/.", "./.", "/", "."}:
            out.append(re.sub(r"\s*\.?/\.$", ".", stripped))
    return out


@dataclass(frozen=True)
class Token:
    """A word or a punctuation mark of a clause, with its place in the clause."""

    text: str
    lower: str
    start: int
    end: int


_TOKEN = re.compile(r"\w+|[^\w\s]")


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(0), m.group(0).lower(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def starts_with_phrase(lower_text: str, phrases: frozenset[str] | tuple[str, ...]) -> str | None:
    """The longest phrase that ``lower_text`` starts with, word-aligned; None if none."""
    best: str | None = None
    for phrase in phrases:
        if not lower_text.startswith(phrase) or (best is not None and len(phrase) <= len(best)):
            continue
        if len(lower_text) == len(phrase) or not lower_text[len(phrase)].isalnum():
            best = phrase
    return best


_SCENE = re.compile(SCENE_SETTERS)
_QUOTES = "\"'“”‘’«»"
# "…; hoàn thành trước Tết Nguyên đán": the deadline of the clause before, not a task of its own.
_COMPLETION_ONLY = re.compile(
    r"^(?:và\s+)?(?:phải\s+)?hoàn thành(?:\s+(?:xong|dứt điểm))?\s+(?:trước|trong|chậm nhất|vào|đến hết|kịp)\b"
)


def strip_connectors(text: str) -> str:
    """Drop what opens a clause without belonging to the order: quotation marks, "Cụ thể, …",
    "Đồng thời …", "Phát biểu chỉ đạo, …", "Đối với dự án X, …"."""
    changed = True
    while changed:
        changed = False
        stripped = text.strip().lstrip(_QUOTES).lstrip()
        if stripped != text:
            text, changed = stripped, True
        scene = _SCENE.match(text.lower())
        if scene is not None:
            text, changed = text[scene.end() :], True
        lower = text.lower()
        phrase = starts_with_phrase(lower, CONNECTORS)
        if phrase is not None:
            text = text[len(phrase) :].lstrip(" ,")
            changed = True
    return text


@dataclass(frozen=True)
class Marker:
    """How a line is numbered: its level (1 = "I.", 2 = "1.", 3 = "1.1.", 4 = "a)", 5 = "-", 6 = none)."""

    level: int
    text: str


_MARKER = re.compile(
    r"^(?:(?P<roman>[IVX]{1,4})\.\s+|(?P<num>\d{1,2}(?:\.\d{1,2})*)[.)]\s+|(?P<letter>[a-zđ])\)\s*|(?P<dash>[-+•*])\s*)"
)


def split_marker(line: str) -> tuple[Marker, str]:
    """The list marker of a line and the rest of it."""
    match = _MARKER.match(line)
    if match is None:
        return Marker(6, ""), line
    if match.group("roman"):
        level = 1
    elif match.group("num"):
        level = 1 + match.group("num").count(".") + 1
    elif match.group("letter"):
        level = 4
    else:
        level = 5
    return Marker(level, match.group(0).strip()), line[match.end() :].strip()


# Adverbs of resolve: before a verb of their own, they open a new order.
_RESOLVE_WORDS = frozenset({"kiên quyết", "quyết liệt"})


def starts_an_order(clause: str) -> bool:
    """Whether a clause after ";" opens a new order rather than continuing the one before."""
    lower = strip_connectors(clause.strip()).lower()
    if _COMPLETION_ONLY.match(lower):
        return False
    continuation = starts_with_phrase(lower, CONTINUATION_STARTS)
    if continuation in _RESOLVE_WORDS:
        # "…; kiên quyết xử lý các vi phạm" is an order of its own; "…; kiên quyết không để …" is not.
        rest = lower[len(continuation) :].lstrip()
        return not rest.startswith("không") and starts_with_phrase(rest, DIRECTIVE_STARTS) is not None
    if continuation is not None:
        return False
    return starts_with_phrase(lower, DIRECTIVE_STARTS) is not None


def clauses(sentence: str, *, opens_with_subject: object = None) -> list[str]:
    """Split a sentence at ";" where the next part starts a new order (a verb, or a new subject).

    ``opens_with_subject`` is a callable telling whether a part starts with an agency as its
    subject ("…; Đài Phát thanh … mở chuyên mục …"): such a part is a new order as well.
    """
    parts = [p.strip() for p in sentence.split(";")]
    out: list[str] = []
    for part in parts:
        if not part:
            continue
        new_subject = callable(opens_with_subject) and bool(opens_with_subject(part))
        if out and not (starts_an_order(part) or new_subject):
            out[-1] = f"{out[-1]}; {part}"
        else:
            out.append(part)
    return out


def terminal(text: str) -> str:
    """The closing punctuation of a line, if any."""
    stripped = text.rstrip().rstrip("\"')")
    return stripped[-1] if stripped and stripped[-1] in ".;:!?…" else ""


def is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8


def word_count(text: str) -> int:
    return len(text.split())
