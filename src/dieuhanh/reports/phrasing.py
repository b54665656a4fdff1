"""How the report is phrased: its wording, Django templates an operator can edit without touching code.

The defaults ship in the data folder ``wording/`` beside this module. A deployment changes them
by putting files of the same names into the folder named by ``DIEUHANH_REPORT_WORDING_DIR`` (or
the command's ``--wording``): a sentence template there replaces the default one, and keys of
its ``document.yaml`` replace the default keys one by one.

Figures go into sentences as *slots*: the template prints a marker, and the rendered text is
cut back into wording and figures, so that every number of a sentence is known to come from
a measure (``document.Part``). A template that cannot be used raises ``ReportWordingError``
with a message that says what to fix, before any file is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.template import Context, Engine, Template, TemplateDoesNotExist, TemplateSyntaxError
from django.utils.translation import gettext as _

from dieuhanh.reports.document import Part

DEFAULT_DIR = Path(__file__).with_name("wording")
DOCUMENT_FILE = "document.yaml"
# Markers around a slot's number in the rendered text; private-use characters no template contains.
_OPEN, _CLOSE = "\ue000", "\ue001"
_SLOT = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
# What Django prints for a name the context does not have; caught and reported by name.
_INVALID_OPEN, _INVALID_CLOSE = "\ue002", "\ue003"
_INVALID = re.compile(f"{_INVALID_OPEN}(.*?){_INVALID_CLOSE}")
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_PUNCTUATION = re.compile(r" ([,;.:)])")
_SPACE_AFTER_PARENTHESIS = re.compile(r"\( ")


class ReportWordingError(Exception):
    """A wording template or file that cannot be used; the message says what to fix."""


class Slot:
    """A value put into a sentence: prints as a marker that ``Slots.parts`` turns back into a ``Part``."""

    __slots__ = ("index", "part")

    def __init__(self, index: int, part: Part) -> None:
        self.index = index
        self.part = part

    def __str__(self) -> str:
        return f"{_OPEN}{self.index}{_CLOSE}"

    def __bool__(self) -> bool:
        # A figure of 0 is still a figure: templates test slots for presence, not for size.
        return True


class Slots:
    """The slots of one sentence being rendered."""

    def __init__(self) -> None:
        self._parts: list[Part] = []

    def add(self, part: Part) -> Slot:
        self._parts.append(part)
        return Slot(len(self._parts) - 1, part)

    def measure(self, name: str, text: str, value: Decimal | None, decimals: int) -> Slot:
        return self.add(Part(text=text, kind="measure", name=name, value=value, decimals=decimals))

    def label(self, name: str, text: str) -> Slot:
        return self.add(Part(text=text, kind="label", name=name))

    def parts(self, rendered: str, *, template: str) -> tuple[Part, ...]:
        """Cut a rendered sentence into wording and slots; tidy the wording's spaces."""
        pieces = _SLOT.split(rendered)
        # A filter on a slot (``|upper``, ``|slice``) can break its marker: refuse rather than guess.
        broken = any(c in piece for piece in pieces[::2] for c in (_OPEN, _CLOSE))
        if broken or any(int(i) >= len(self._parts) for i in pieces[1::2]):
            raise ReportWordingError(
                _("In the wording template %(name)s a filter changes a figure; print figures as they are.")
                % {"name": template}
            )
        out: list[Part] = []
        for position, piece in enumerate(pieces):
            if position % 2:
                out.append(self._parts[int(piece)])
            else:
                text = _SPACES.sub(" ", piece)
                text = _SPACE_AFTER_PARENTHESIS.sub("(", _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text))
                if text:
                    out.append(Part(text=text))
        # No space at the ends, and the sentence starts with a capital letter.
        while out and not out[0].kind and not out[0].text.strip():
            out.pop(0)
        while out and not out[-1].kind and not out[-1].text.strip():
            out.pop()
        if out and not out[0].kind:
            out[0] = Part(text=out[0].text.lstrip())
        if out and not out[-1].kind:
            out[-1] = Part(text=out[-1].text.rstrip())
        if out:
            first = out[0]
            out[0] = Part(
                text=first.text[:1].upper() + first.text[1:],
                kind=first.kind,
                name=first.name,
                value=first.value,
                decimals=first.decimals,
            )
        return tuple(out)


@dataclass(frozen=True)
class Wording:
    """The templates of one report run, loaded and checked."""

    engine: Engine
    texts: Mapping[str, Template]
    lists: Mapping[str, list[Template]]
    source: str

    def sentence(self, name: str, context: dict[str, Any], slots: Slots) -> tuple[Part, ...]:
        """Render the sentence template ``name`` (e.g. ``indicator.txt``) into parts."""
        try:
            template = self.engine.get_template(name)
        except TemplateDoesNotExist as exc:
            raise ReportWordingError(_("The wording template %(name)s is missing.") % {"name": name}) from exc
        except TemplateSyntaxError as exc:
            raise _syntax_error(name, exc) from exc
        rendered = _render(template, context, name)
        return slots.parts(rendered, template=name)

    def text(self, key: str, context: Mapping[str, Any]) -> str:
        """A text of ``document.yaml``, rendered and with its spaces tidied."""
        return _tidy(_render(self.texts[key], dict(context), f"{DOCUMENT_FILE}: {key}"))

    def items(self, key: str, context: Mapping[str, Any]) -> list[str]:
        """A list of ``document.yaml`` (recipients, signature lines), each rendered."""
        return [_tidy(_render(t, dict(context), f"{DOCUMENT_FILE}: {key}")) for t in self.lists[key]]


_LINE_BREAKS = re.compile(r"\s*\n\s*")


def _tidy(text: str) -> str:
    """Line breaks of a template become one space; runs of spaces stay (the blank of "Số:      /BC-UBND")."""
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", _LINE_BREAKS.sub(" ", text)).strip()


def _render(template: Template, context: dict[str, Any], name: str) -> str:
    try:
        rendered = template.render(Context(context, autoescape=False))
    except Exception as exc:  # a template's own tags can fail in many ways; all are the operator's to fix
        raise ReportWordingError(
            _("The wording template %(name)s cannot be rendered: %(error)s") % {"name": name, "error": exc}
        ) from exc
    missing = _INVALID.search(rendered)
    if missing:
        names = ", ".join(sorted(k for k in context if not k.startswith("_")))
        raise ReportWordingError(
            _(
                "The wording template %(name)s uses the name '%(variable)s', which does not exist; "
                "the names it can use are: %(names)s."
            )
            % {"name": name, "variable": missing.group(1), "names": names}
        )
    return rendered


def _syntax_error(name: str, exc: TemplateSyntaxError) -> ReportWordingError:
    line = getattr(exc, "template_debug", {}).get("line", "?")
    return ReportWordingError(
        _("The wording template %(name)s has an error on line %(line)s: %(error)s")
        % {"name": name, "line": line, "error": exc}
    )


def wording_dir_default() -> Path | None:
    configured = getattr(settings, "DIEUHANH_REPORT_WORDING_DIR", None)
    return Path(configured) if configured else None


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ReportWordingError(
            _("The wording file %(name)s cannot be read: %(error)s") % {"name": path.name, "error": exc}
        ) from exc
    if not isinstance(document, dict):
        raise ReportWordingError(_("The wording file %(name)s must map names to texts.") % {"name": path.name})
    return document


def wording_load(*, directory: Path | None = None) -> Wording:
    """Load and check the wording: the defaults, overridden by the files of ``directory``.

    Every text of ``document.yaml`` is compiled here, so that a mistake in any of them is
    reported before a report is built; sentence templates are compiled when first used.
    """
    directory = directory if directory is not None else wording_dir_default()
    dirs = [DEFAULT_DIR]
    document = _read_yaml(DEFAULT_DIR / DOCUMENT_FILE)
    source = str(_("the default wording"))
    if directory is not None:
        if not directory.is_dir():
            raise ReportWordingError(_("The wording folder %(path)s does not exist.") % {"path": directory})
        dirs.insert(0, directory)
        source = str(directory)
        override = directory / DOCUMENT_FILE
        if override.exists():
            changes = _read_yaml(override)
            unknown = sorted(set(changes) - set(document))
            if unknown:
                raise ReportWordingError(
                    _("The wording file %(name)s has names the report does not use: %(keys)s.")
                    % {"name": override, "keys": ", ".join(map(str, unknown))}
                )
            for key, value in changes.items():
                if isinstance(value, list) != isinstance(document[key], list):
                    raise ReportWordingError(
                        _("In the wording file %(name)s, '%(key)s' must be a text or a list of texts.")
                        % {"name": override, "key": key}
                    )
            document.update(changes)
    engine = Engine(
        dirs=[str(d) for d in dirs],
        app_dirs=False,
        autoescape=False,
        debug=True,  # syntax errors then carry their line number
        string_if_invalid=f"{_INVALID_OPEN}%s{_INVALID_CLOSE}",
    )
    texts: dict[str, Template] = {}
    lists: dict[str, list[Template]] = {}
    for key, value in document.items():
        try:
            if isinstance(value, list):
                lists[key] = [engine.from_string(str(item)) for item in value]
            elif isinstance(value, str | int | float):
                texts[key] = engine.from_string(str(value))
            else:
                raise ReportWordingError(
                    _("In the wording file %(name)s, '%(key)s' must be a text or a list of texts.")
                    % {"name": DOCUMENT_FILE, "key": key}
                )
        except TemplateSyntaxError as exc:
            raise _syntax_error(f"{DOCUMENT_FILE}: {key}", exc) from exc
    return Wording(engine=engine, texts=texts, lists=lists, source=source)
