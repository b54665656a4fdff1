"""What every section of a catalogue document shares (docs/catalogue.md).

A catalogue document is an object whose keys are sections (``org_units``, ``indicators`` …), each a
list of records. Each app loads and exports the sections of its own models through the serializers
of its API (``orgunits.catalogue``, ``indicators.catalogue``); ``indicators.metadata`` reads the
document and runs them in order. What they share is here, in the lowest app that has a section: the
problems found, each with where it is (``org_units[3].parent``); the count of what was written; a
section's table of the document's names for the serializer's fields; and the upsert of one record
through its serializer, so that a record the API would refuse is refused, in the same words.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, TypeVar

from django.db.models import Model
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.settings import api_settings

from dieuhanh.api import RECORDS_BY_CODE
from dieuhanh.orgunits.history import catalogue_change_note, catalogue_snapshot

K = TypeVar("K", bound=Hashable)
Serializer = type[serializers.ModelSerializer[Any]]
Field = serializers.Field[Any, Any, Any, Any]

NOTHING: Mapping[str, Any] = MappingProxyType({})

# Yes and no as an operator writes them in Vietnamese, beside the forms the API reads (true, 1, yes …).
BOOLEAN_WORDS = {"có": True, "không": False}


class MetadataError(Exception):
    """The document cannot be loaded; ``errors`` lists every problem with where it is."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class MetadataLoadResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, *, created: bool) -> None:
        bucket = self.created if created else self.updated
        bucket[kind] = bucket.get(kind, 0) + 1


@dataclass(frozen=True)
class Where:
    """A place in the document: a section, one of its records, one key of it."""

    section: str
    index: int | None = None
    key: str | None = None

    def at(self, key: str) -> Where:
        return replace(self, key=key)

    def __str__(self) -> str:
        text = self.section if self.index is None else f"{self.section}[{self.index}]"
        return text if self.key is None else f"{text}.{self.key}"


@dataclass(frozen=True)
class Spread:
    """A document key that gives several serializer fields (a target's ``plan_period``: two years).

    ``read`` turns the value into the fields' values, in order, or raises ValueError with the
    message to show."""

    fields: tuple[str, ...]
    read: Callable[[Any], tuple[Any, ...]]


# A section's table: each name the document may use besides the serializer's own → its field(s).
Names = Mapping[str, str | Spread]


@dataclass
class Problems:
    """Every problem found, listed in the order of the document, each once."""

    sections: Sequence[str]
    found: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    # Per section, the keys of the records that could not be loaded: a reference to one of them is
    # not reported again (the record's own problem says what to fix).
    failed: dict[str, set[Any]] = field(default_factory=dict)

    def add(self, where: Where, message: str) -> None:
        text = f"{where}: {message}"
        if text not in self.found:
            rank = self.sections.index(where.section) if where.section in self.sections else -1
            self.found[text] = (rank, -1 if where.index is None else where.index, len(self.found))

    def fail(self, section: str, key: Any) -> None:
        self.failed.setdefault(section, set()).add(key)

    def has_failed(self, section: str, key: Any) -> bool:
        return key in self.failed.get(section, ())

    def __bool__(self) -> bool:
        return bool(self.found)

    def messages(self) -> list[str]:
        return sorted(self.found, key=self.found.__getitem__)


@dataclass
class Record:
    """One record of a section, as the serializer will take it."""

    where: Where
    item: dict[str, Any]
    data: dict[str, Any] = field(default_factory=dict)  # serializer field → value
    origin: dict[str, str] = field(default_factory=dict)  # serializer field → the document's key for it
    claimed: set[str] = field(default_factory=set)  # fields whose problem is already reported


@dataclass
class CatalogueLoad:
    """A document being loaded: what it says, the problems found so far, what was written."""

    document: Mapping[str, Any]
    problems: Problems
    result: MetadataLoadResult = field(default_factory=MetadataLoadResult)
    # The related records looked up by code (and, for units, date) so far (CodeRelatedField,
    # UnitCodeField), for the sections whose references no longer change (see upsert's ``remember``).
    known: dict[Any, Any] = field(default_factory=dict)
    # The records loaded so far by their place: a record of the document that names another by its
    # place rather than its code (a unit's own ``groups``) gets that very record.
    loaded: dict[Where, Model] = field(default_factory=dict)

    def records(
        self, section: str, serializer: Serializer, names: Names, *, extra: Collection[str] = ()
    ) -> list[Record]:
        """The section's records, each with its fields under the serializer's names.

        The keys a record may have are the serializer's writable fields, the names of the section's
        table and ``extra`` (keys its section reads itself); any other is refused: often a comma in
        an unquoted YAML value, which splits it into a second key."""
        raw = self.document.get(section) or []
        if not isinstance(raw, list):
            self.problems.add(Where(section), _("must be a list."))
            return []
        fields = {name: f for name, f in serializer().fields.items() if not f.read_only}
        known = set(fields) | set(names) | set(extra)
        out = []
        for index, item in enumerate(raw):
            where = Where(section, index)
            if not isinstance(item, dict):
                self.problems.add(where, _("must be an object."))
                continue
            for unknown in sorted(set(map(str, item)) - known):
                self.problems.add(
                    where.at(unknown), _("unknown key; check the spelling, and quote a value that contains a comma.")
                )
            record = Record(where, item)
            self._read(record, fields, names, extra)
            out.append(record)
        return out

    def _read(self, record: Record, fields: Mapping[str, Field], names: Names, extra: Collection[str]) -> None:
        for raw_key, value in record.item.items():
            key = str(raw_key)
            if key in extra:
                continue
            target = names.get(key, key)
            if isinstance(target, Spread):
                try:
                    produced = dict(zip(target.fields, target.read(value), strict=True))
                except ValueError as exc:
                    self.problems.add(record.where.at(key), str(exc))
                    record.claimed.update(target.fields)
                    continue
            else:
                produced = {target: value}
            for name, given in produced.items():
                if name not in fields:
                    continue
                if name in record.origin:
                    self.problems.add(
                        record.where,
                        _("give either %(one)s or %(other)s, not both.") % {"one": record.origin[name], "other": key},
                    )
                    record.claimed.add(name)
                    continue
                record.origin[name] = key
                plain = _plain(fields[name], given)
                if plain is not _ABSENT:
                    record.data[name] = plain

    def keyed(
        self, records: Iterable[Record], key_of: Callable[[Record], K | None], twice: Callable[[K], str]
    ) -> dict[Any, Record]:
        """The records by their natural key (a code …); a key given twice is refused the second time.
        A record without a key (its serializer will say why) is kept under its place."""
        out: dict[Any, Record] = {}
        for record in records:
            key = key_of(record)
            if key is None:
                out[record.where] = record
            elif key in out:
                self.problems.add(record.where, twice(key))
            else:
                out[key] = record
        return out

    def upsert(
        self,
        section: str,
        record: Record,
        serializer_class: Serializer,
        instance: Model | None,
        *,
        references: Mapping[str, str] = NOTHING,
        names: Names = NOTHING,
        save: bool = True,
        remember: bool | MutableMapping[Any, Any] = True,
    ) -> Model | None:
        """Create or change one record through its serializer: every field for a new one, only those the
        document gives for an existing one. Its problems are added; None if it could not be saved.

        ``references`` names the section each related field points into: a reference to a record of
        the document that failed is left out, as its own problem says what to fix. Without ``save``,
        the record is only checked. With ``remember``, a record it refers to is looked up once for the
        whole load: only where those records will not change any more (not the units while the units'
        section moves them about the tree); a dict given as ``remember`` is used instead of the
        load's, for a section that keeps it right itself."""
        data = dict(record.data)
        for name, target in references.items():
            value = data.get(name)
            if isinstance(value, list):
                data[name] = [v for v in value if not self.problems.has_failed(target, code(v))]
            elif value is not None and self.problems.has_failed(target, code(value)):
                del data[name]
                record.claimed.add(name)
        known = remember if isinstance(remember, MutableMapping) else self.known if remember else None
        context = {RECORDS_BY_CODE: known} if known is not None else {}
        serializer = serializer_class(instance, data=data, partial=instance is not None, context=context)
        if not serializer.is_valid():
            self._report(record, serializer.errors, names)
            return None
        if not save or (instance is not None and not _changes(instance, serializer.validated_data)):
            if save and instance is not None:
                self.loaded[record.where] = instance
            return instance
        before = catalogue_snapshot(instance) if instance is not None else None
        saved = serializer.save()
        catalogue_change_note(saved, before=before, after=catalogue_snapshot(saved))
        self.result.count(section, created=instance is None)
        self.loaded[record.where] = saved
        return saved

    def check_without(
        self,
        section: str,
        record: Record,
        fields: Iterable[str],
        serializer_class: Serializer,
        instance: Model | None,
        **kwargs: Any,
    ) -> None:
        """Check a record that cannot be saved, leaving out the fields whose problem is reported already:
        its other problems are listed in the same run."""
        for name in fields:
            record.data.pop(name, None)
            record.claimed.add(name)
        self.upsert(section, record, serializer_class, instance, save=False, **kwargs)

    def _report(self, record: Record, errors: Any, names: Names) -> None:
        document_name = {target: key for key, target in names.items() if isinstance(target, str)}
        for name, detail in errors.items():
            if name in record.claimed:
                continue
            if name in (api_settings.NON_FIELD_ERRORS_KEY, "__all__"):
                where = record.where
            else:
                where = record.where.at(record.origin.get(name) or document_name.get(name, name))
            for message in _flat(detail):
                self.problems.add(where, message)


def code(value: Any) -> str | None:
    """A code as the catalogue keeps it (a YAML number 74 is the code "74"); None for none."""
    if isinstance(value, Model):
        value = getattr(value, "code", None)  # a record given as itself (a group's members as they are)
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value).strip()
    return text or None


def dependency_order(keys: Iterable[K], needs: Callable[[K], Iterable[K]]) -> tuple[list[K], list[K]]:
    """``keys`` with each after those it needs among them (a unit after its parent, a ratio after its
    operands), and apart, the keys on a cycle, which no order can satisfy."""
    keys = list(keys)
    wanted = set(keys)
    state: dict[K, int] = {}  # 1: being visited, 2: done
    order: list[K] = []
    cyclic: list[K] = []
    for start in keys:
        if start in state:
            continue
        state[start] = 1
        path = [start]
        stack = [iter([n for n in needs(start) if n in wanted])]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                done = path.pop()
                state[done] = 2
                if done not in cyclic:
                    order.append(done)
            elif state.get(step) == 1:
                cyclic.extend(k for k in path[path.index(step) :] if k not in cyclic)
            elif step not in state:
                state[step] = 1
                path.append(step)
                stack.append(iter([n for n in needs(step) if n in wanted]))
    return order, cyclic


def export_records(
    serializer_class: Serializer,
    instances: Iterable[Model],
    names: Names,
    *,
    keep: Collection[str] = (),
    omit: Mapping[str, Any] = NOTHING,
) -> list[dict[str, Any]]:
    """Records as the document writes them: the serializer's writable fields under the document's
    names (the table read backwards); an empty value left out unless its field is in ``keep``, and a
    value ``omit`` gives for its field (a default not worth writing); numbers as YAML writes them."""
    document_name = {target: key for key, target in names.items() if isinstance(target, str)}
    listed = serializer_class(instances, many=True)
    fields = listed.child.fields  # type: ignore[attr-defined]
    out = []
    for data in listed.data:
        record = {}
        for name, value in data.items():
            if fields[name].read_only or (name in omit and value == omit[name]):
                continue
            if value in (None, "", []) and name not in keep:
                continue
            record[document_name.get(name, name)] = number_out(value) if isinstance(value, decimal.Decimal) else value
        out.append(record)
    return out


def number_out(value: decimal.Decimal) -> int | float:
    normal = value.normalize()
    return int(normal) if normal == normal.to_integral_value() else float(normal)


_ABSENT = object()


def _plain(field: Field, value: Any) -> Any:
    """A document's value as the serializer takes it. An empty value (null, or "" but for text) is no
    value, and no value for a field that cannot be empty is as if the key were left out (the record
    keeps what it has); yes and no may be written in Vietnamese."""
    takes_blank = isinstance(field, serializers.CharField) or getattr(field, "allow_blank", False)
    if isinstance(value, str) and not value.strip() and not takes_blank:
        value = None
    if value is None:
        return None if field.allow_null else _ABSENT
    if isinstance(field, serializers.BooleanField) and isinstance(value, str):
        return BOOLEAN_WORDS.get(value.strip().lower(), value)
    return value


def _changes(instance: Model, values: Mapping[str, Any]) -> bool:
    for name, value in values.items():
        model_field = instance._meta.get_field(name)
        if model_field.many_to_many or model_field.one_to_many:
            if {v.pk for v in value} != set(getattr(instance, name).values_list("pk", flat=True)):
                return True
        elif model_field.is_relation:
            if getattr(instance, model_field.attname) != (value.pk if value is not None else None):  # type: ignore[union-attr]
                return True
        elif getattr(instance, name) != value:
            return True
    return False


def _flat(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [f"{key}: {message}" for key, inner in detail.items() for message in _flat(inner)]
    if isinstance(detail, list):
        return [message for inner in detail for message in _flat(inner)]
    return [str(detail)]
