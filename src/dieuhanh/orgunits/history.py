"""The catalogue's history: every create, change and deletion of a sector, indicator, target, org unit,
group or succession, with who made it, when, through which way, and each field's old and new value.

One service, called by every way of writing the catalogue: the API's viewsets and the admin's pages
(through the mixins of ``orgunits.api.views`` and ``orgunits.admin``), the catalogue loader (for each
record it saves, ``orgunits.documents.CatalogueLoad.upsert``), the commands (``shares``) and the demo.
A caller opens a *recording* (``catalogue_recording``) saying the way and the user; each write is
noted in it (``catalogue_change_note``) with the record as it was before (``catalogue_snapshot``) and
as it is after, and the recording writes its notes in one statement when it closes, inside the
caller's transaction: a catalogue file of thousands of records costs one insert per thousand rows,
and a write rolled back leaves no history. A recording opened inside another joins it: the outer way
wins (the demo loads its catalogue through the loader, and is recorded as the demo).

It lives in ``orgunits``, the lowest app of the catalogue, so that both catalogue apps can call it.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model

from dieuhanh.actors import acting_user
from dieuhanh.orgunits.choices import ChangeAction, ChangeWay
from dieuhanh.orgunits.models import CatalogueChange

__all__ = [
    "CatalogueRecording",
    "OverwrittenEdit",
    "catalogue_change_note",
    "catalogue_recording",
    "catalogue_snapshot",
    "overwritten_edits",
]

# Fields whose change is not the operator's: timestamps, and the tree's materialised path.
_NOT_RECORDED = frozenset({"created_at", "updated_at", "path", "depth"})
# Many-to-many sides recorded with a record by default (a group's members, as its API writes them).
_MANY_BY_DEFAULT: Mapping[str, tuple[str, ...]] = {"orgunits.orgunitgroup": ("members",)}
_BATCH = 1000


@dataclass(frozen=True)
class _Ref:
    """A related record in a snapshot, named by its code when the recording is written (in bulk)."""

    model: type[Model]
    pk: Any


Snapshot = dict[str, Any]


@dataclass
class _Note:
    action: str
    instance_model: str
    object_id: Any
    code: str
    key: str
    changes: dict[str, list[Any]]


@dataclass
class CatalogueRecording:
    """The changes of one write (a request, an admin page, a file, a command), written when it ends."""

    way: str
    user: Any = None
    source: str = ""
    notes: list[_Note] = field(default_factory=list)

    def write(self) -> list[CatalogueChange]:
        """Store the notes taken so far, in one statement per thousand, and forget them."""
        if not self.notes:
            return []
        codes = _codes_of(value for note in self.notes for pair in note.changes.values() for value in pair)
        user = acting_user(self.user)
        rows = [
            CatalogueChange(
                user=user,
                way=self.way,
                source=self.source[:255],
                action=note.action,
                model=note.instance_model,
                object_id=note.object_id,
                code=note.code[:64],
                key=note.key[:300],
                changes={name: [_named(v, codes) for v in pair] for name, pair in note.changes.items()},
            )
            for note in self.notes
        ]
        self.notes = []
        return CatalogueChange.objects.bulk_create(rows, batch_size=_BATCH)


_CURRENT: ContextVar[CatalogueRecording | None] = ContextVar("catalogue_recording", default=None)


@contextmanager
def catalogue_recording(*, way: str, user: Any = None, source: str = "") -> Iterator[CatalogueRecording]:
    """Record the catalogue writes made inside the block, as made through ``way`` by ``user``; they are
    stored when the block ends without an error. Inside another recording, joins it."""
    outer = _CURRENT.get()
    if outer is not None:
        if source and not outer.source:
            outer.source = source
        yield outer
        return
    recording = CatalogueRecording(way=way, user=user, source=source)
    token = _CURRENT.set(recording)
    try:
        yield recording
        recording.write()
    finally:
        _CURRENT.reset(token)


def catalogue_snapshot(instance: Model, *, many: Sequence[str] | None = None) -> Snapshot:
    """A record's recorded fields as they are now: values as JSON takes them, a related record by a
    reference resolved to its code when written. ``many``: its many-to-many sides to include (a
    group's members by default; a query each)."""
    values: Snapshot = {}
    for model_field in instance._meta.concrete_fields:
        if model_field.primary_key or model_field.name in _NOT_RECORDED:
            continue
        raw = getattr(instance, model_field.attname)
        if model_field.is_relation:
            values[model_field.name] = _Ref(model_field.related_model, raw) if raw is not None else None  # type: ignore[arg-type]
        else:
            values[model_field.name] = _plain(raw)
    names = _MANY_BY_DEFAULT.get(instance._meta.label_lower, ()) if many is None else many
    if instance.pk is not None:
        for name in names:
            values[name] = sorted(str(c) for c in getattr(instance, name).values_list("code", flat=True))
    return values


def catalogue_change_note(
    instance: Model, *, before: Snapshot | None, after: Snapshot | None, way: str = ChangeWay.CLI
) -> None:
    """Note a write of ``instance``: a creation (no ``before``), a change (both; nothing if no field
    changed) or a deletion (no ``after``). Outside a recording, it is stored at once, as made through
    ``way`` by nobody (a command)."""
    if before is None and after is None:
        return
    changes = _diff(before or {}, after or {})
    if before is not None and after is not None and not changes:
        return
    action = ChangeAction.CREATE if before is None else ChangeAction.DELETE if after is None else ChangeAction.UPDATE
    code, key = _identity(instance)
    note = _Note(action, instance._meta.label_lower, instance.pk, code, key, changes)
    recording = _CURRENT.get()
    if recording is not None:
        recording.notes.append(note)
        return
    CatalogueRecording(way=way, notes=[note]).write()


@dataclass(frozen=True)
class OverwrittenEdit:
    """A field changed by someone through another way that a load would now set back."""

    change: CatalogueChange
    fields: list[str]


def overwritten_edits(recording: CatalogueRecording) -> list[OverwrittenEdit]:
    """Of the writes noted in ``recording`` (not yet stored), those that undo a change made to the same
    record through another way since ``recording``'s way last wrote it: a field edited there and set
    again now, or a record deleted there and created again now. Its last recorded change tells (one
    query)."""
    noted = {(n.instance_model, n.key): n for n in recording.notes if n.action != ChangeAction.DELETE}
    if not noted:
        return []
    latest: dict[tuple[str, str], CatalogueChange] = {}
    for change in CatalogueChange.objects.filter(
        model__in={m for m, _k in noted}, key__in={k for _m, k in noted}
    ).order_by("id"):
        latest[(change.model, change.key)] = change
    edits = []
    for place, note in noted.items():
        last = latest.get(place)
        if last is None or last.way == recording.way:
            continue
        if last.action == ChangeAction.DELETE:
            edits.append(OverwrittenEdit(last, []))
            continue
        fields = sorted(set(last.changes) & set(note.changes))
        if fields:
            edits.append(OverwrittenEdit(last, fields))
    return sorted(edits, key=lambda e: e.change.pk)


def _identity(instance: Model) -> tuple[str, str]:
    """A record's code (what the history is filtered by) and its key (which record it is, through time)."""
    label = instance._meta.label_lower
    if label == "indicators.target":
        indicator, unit = instance.indicator, instance.org_unit  # type: ignore[attr-defined]
        years = instance.years_label  # type: ignore[attr-defined]
        return indicator.code, f"{indicator.code} @ {unit.code} {years}"
    if label == "orgunits.succession":
        predecessor, successor = instance.predecessor, instance.successor  # type: ignore[attr-defined]
        return predecessor.code, f"{predecessor.code} → {successor.code} ({_plain(instance.effective_date)})"  # type: ignore[attr-defined]
    code = str(getattr(instance, "code", "") or "")
    if label == "orgunits.orgunit" and instance.valid_from is not None:  # type: ignore[attr-defined]
        # A code names a unit only with a date: the unit from its first day.
        return code, f"{code} ({_plain(instance.valid_from)})"  # type: ignore[attr-defined]
    return code, code


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _diff(before: Snapshot, after: Snapshot) -> dict[str, list[Any]]:
    out = {}
    for name in dict.fromkeys([*before, *after]):
        old, new = before.get(name), after.get(name)
        if old in ("", [], None) and new in ("", [], None):
            continue
        if old != new:
            out[name] = [old, new]
    return out


def _codes_of(values: Iterable[Any]) -> dict[tuple[type[Model], Any], str]:
    wanted: dict[type[Model], set[Any]] = {}
    for value in values:
        if isinstance(value, _Ref):
            wanted.setdefault(value.model, set()).add(value.pk)
    codes = {}
    for model, pks in wanted.items():
        for pk, code in model._default_manager.filter(pk__in=pks).values_list("pk", "code"):
            codes[(model, pk)] = str(code)
    return codes


def _named(value: Any, codes: Mapping[tuple[type[Model], Any], str]) -> Any:
    if isinstance(value, _Ref):
        return codes.get((value.model, value.pk), f"#{value.pk}")
    return value
