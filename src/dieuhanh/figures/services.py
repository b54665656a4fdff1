"""The one way figures are written: a batch of typed rows, one value set, one value deleted.

Every collector — file imports, the demo, directive scorecards, the API and the admin — writes
through these functions, which keep the history (``DataValueChange``), the batch's counts and
``figures_changed``: the duties after a write (the planner's statistics, then the
``figures_written`` signal on which analytics refreshes its rollups and the answer cache's
stamp), done once, inside the write's transaction.

Rows arrive checked: parsing a file, looking codes up and the rules of a figure (period type,
validity, min and max) belong to the collector that read them (``ingest.validation``). This
module trusts the ids it is given, as the database, with no foreign keys on the figures, does.

Two strategies write a batch: a portable one (below) and, on PostgreSQL, set-based SQL over a
staging table (``figures.postgres``), which a file import fills by ``COPY`` of the file and
checks in SQL, and which a large batch of typed rows fills by ``COPY`` of the rows.
"""

from __future__ import annotations

import contextvars
import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, cast

from django.db import IntegrityError, connection, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.selectors import acting_user
from dieuhanh.figures.choices import ChangeAction, DataValueStatus, ImportStatus
from dieuhanh.figures.models import DataValue, DataValueChange, ImportBatch
from dieuhanh.figures.signals import figures_written
from dieuhanh.figures.statistics import refresh_figure_statistics
from dieuhanh.indicators.fields import ExactDecimalField
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.models import OrgUnit

WRITE_CHUNK = 2_000
# From this many rows on PostgreSQL, a batch of typed rows is copied into a staging table and
# merged by set-based SQL (one statement each for the changes, their history and the new figures).
POSTGRES_COPY_FROM = 5_000

# (indicator id, unit id, the start of the figure's period): what analytics refreshes after a
# write — the year of each, from its earliest changed period on.
ChangedKey = tuple[int, int, dt.date]

# Set while a service writes figures and will announce them itself, so that the guard on single
# saves (analytics.signals) does not take them for a write around the services.
_managed_write: contextvars.ContextVar[bool] = contextvars.ContextVar("managed_write", default=False)


@contextmanager
def managed_write() -> Iterator[None]:
    token = _managed_write.set(True)
    try:
        yield
    finally:
        _managed_write.reset(token)


def in_managed_write() -> bool:
    return _managed_write.get()


# ---- the rules of higher layers: locked figures and the status of a write ----------------------
#
# The figures app knows no data set or approval: the reporting app, above it, registers two hooks
# when it starts (``ReportingConfig.ready``). A *write guard* is shown the figures a write would
# create, change or delete and refuses the write (``FigureLockedError``) when one is locked (a
# figure of an approved report); a *status policy* decides the status of a figure written with no
# explicit status (``status=None``). Without a policy such a figure is submitted, as before.

# (indicator id, unit id, period code): one figure.
FigureKey = tuple[int, int, str]
# (indicator id, unit id): what a status policy decides by.
FigurePair = tuple[int, int]
WriteGuard = Callable[[Callable[[], Iterable[FigureKey]]], None]
StatusPolicy = Callable[[set[FigurePair]], dict[FigurePair, str]]

_write_guards: list[WriteGuard] = []
_status_policies: list[StatusPolicy] = []


class FigureLockedError(Exception):
    """A write touched a figure a higher layer has locked (a figure of an approved report); the
    message says which report and who may reopen it."""


def write_guard_register(guard: WriteGuard) -> None:
    """Have ``guard`` shown every write's figures before they are written (once per guard)."""
    if guard not in _write_guards:
        _write_guards.append(guard)


def status_policy_register(policy: StatusPolicy) -> None:
    """Have ``policy`` decide the status of figures written without one (the last one registered)."""
    _status_policies[:] = [policy]


def figures_guard(keys: Callable[[], Iterable[FigureKey]] | Iterable[FigureKey]) -> None:
    """Ask every write guard about the figures ``keys`` names (a callable: computed when a guard
    asks); raises FigureLockedError."""
    if not _write_guards:
        return
    if callable(keys):
        source = keys
    else:
        fixed = list(keys)

        def source() -> Iterable[FigureKey]:
            return fixed

    for guard in _write_guards:
        guard(source)


def statuses_decide(pairs: set[FigurePair]) -> dict[FigurePair, str]:
    """The status of a figure of each (indicator, unit) written with no explicit status."""
    if not _status_policies:
        return dict.fromkeys(pairs, DataValueStatus.SUBMITTED)
    decided = _status_policies[0](pairs)
    return {pair: decided.get(pair, DataValueStatus.SUBMITTED) for pair in pairs}


class WritableRow(Protocol):
    """A checked figure to store: ids from the catalogue, a parsed period, an exact number."""

    @property
    def indicator_id(self) -> int: ...
    @property
    def org_unit_id(self) -> int: ...
    @property
    def period(self) -> Period: ...
    @property
    def value(self) -> Decimal: ...
    @property
    def comment(self) -> str: ...


@dataclass(frozen=True)
class FigureRow:
    """A figure a program computed (the demo, a scorecard), ready to write."""

    indicator_id: int
    org_unit_id: int
    period: Period
    value: Decimal
    comment: str = ""


def figures_changed(
    *, count: int, keys: Callable[[], set[ChangedKey]] | Iterable[ChangedKey] = (), complete: bool = False
) -> list[str]:
    """Every duty after figures were written, once, inside the write's transaction.

    ``count`` figures were created, changed or deleted; ``keys`` says which (indicator id, unit
    id, start of the period), or computes it when asked. ``complete`` asks that what analytics derives from
    the figures be made whole now, even where it was out of date before this write. Returns
    what the listeners did worth telling an operator ("Rollups rebuilt: …"), in their language.
    """
    refresh_figure_statistics(changed=count)
    key_source: Callable[[], set[ChangedKey]]
    if callable(keys):
        key_source = keys
    else:
        fixed = set(keys)

        def key_source() -> set[ChangedKey]:
            return fixed

    answers = figures_written.send(sender=DataValue, count=count, keys=key_source, complete=complete)
    return [str(note) for _listener, note in answers if note]


def figures_write(
    rows: Sequence[WritableRow],
    *,
    batch: ImportBatch,
    user: Any = None,
    status: str | None = None,
    dry_run: bool = False,
    keep_existing: bool = False,
    announce: bool = True,
) -> ImportBatch:
    """Store checked rows under ``batch``, all or nothing: new figures are created, changed ones
    updated with a line of history each, equal ones counted as unchanged. The batch is saved with
    its status and counts. ``status`` is the status of the figures written; None lets the status
    policy decide it figure by figure (``statuses_decide``). A figure a write guard locks refuses
    the whole write (``FigureLockedError``). ``dry_run`` counts without writing a figure. ``keep_existing`` leaves
    figures already held as they are (the sample data never overwrites an operator's figure).
    ``announce=False`` leaves ``figures_changed`` to the caller, who writes more in the same
    transaction and announces it all once.
    """
    user = acting_user(user)
    with transaction.atomic(), managed_write():
        batch.status = ImportStatus.DRY_RUN if dry_run else ImportStatus.COMMITTED
        batch.rows_total = len(rows)
        batch.save()
        if connection.vendor == "postgresql" and len(rows) >= POSTGRES_COPY_FROM:
            from dieuhanh.figures import postgres  # noqa: PLC0415 - psycopg's COPY, PostgreSQL only

            counts = postgres.write_rows(
                rows,
                batch=batch,
                user=user,
                status=status,
                dry_run=dry_run,
                keep_existing=keep_existing,
                announce=announce,
            )
            created, updated = counts.created, counts.updated
        else:
            created, updated = _write_portably(
                rows,
                batch=batch,
                user=user,
                status=status,
                dry_run=dry_run,
                keep_existing=keep_existing,
                announce=announce,
            )
        batch.rows_created, batch.rows_updated = created, updated
        batch.rows_unchanged = len(rows) - created - updated
        batch.save(update_fields=["rows_total", "rows_created", "rows_updated", "rows_unchanged"])
    return batch


def _write_portably(
    rows: Sequence[WritableRow],
    *,
    batch: ImportBatch,
    user: Any,
    status: str | None,
    dry_run: bool,
    keep_existing: bool,
    announce: bool,
) -> tuple[int, int]:
    figures_guard(lambda: [(row.indicator_id, row.org_unit_id, row.period.code) for row in rows])
    existing = _existing_values(rows, lock=not dry_run)
    now = timezone.now()
    decided = statuses_decide({(row.indicator_id, row.org_unit_id) for row in rows}) if status is None else {}
    # New figures as plain tuples (indicator, unit, period, start, value, comment, status): a model
    # instance each would cost a province-sized file gigabytes of memory.
    to_create: list[tuple[int, int, str, Any, Decimal, str, str]] = []
    to_update: list[DataValue] = []
    changes: list[DataValueChange] = []
    for row in rows:
        current = existing.get((row.indicator_id, row.org_unit_id, row.period.code))
        row_status = status if status is not None else decided[(row.indicator_id, row.org_unit_id)]
        if current is None:
            to_create.append(
                (
                    row.indicator_id,
                    row.org_unit_id,
                    row.period.code,
                    row.period.start_date,
                    row.value,
                    row.comment,
                    row_status,
                )
            )
        elif not keep_existing and (current.value != row.value or current.comment != row.comment):
            before = copy.copy(current)
            current.value, current.comment, current.status = row.value, row.comment, row_status
            current.batch, current.updated_by, current.updated_at = batch, user, now
            to_update.append(current)
            changes.append(_change(before=before, after=current, batch=batch, user=user))
    if not dry_run:
        _insert_values(to_create, batch=batch, user=user, now=now)
        DataValue.objects.bulk_update(
            to_update, ["value", "comment", "status", "batch", "updated_by", "updated_at"], batch_size=WRITE_CHUNK
        )
        DataValueChange.objects.bulk_create(changes, batch_size=WRITE_CHUNK)
    if announce and not dry_run and (to_create or to_update):
        figures_changed(
            count=len(to_create) + len(to_update),
            keys={(i, u, start) for i, u, _p, start, _v, _c, _s in to_create}
            | {(v.indicator_id, v.org_unit_id, v.period_start) for v in to_update},
        )
    return len(to_create), len(to_update)


def _insert_values(
    rows: list[tuple[int, int, str, Any, Decimal, str, str]], *, batch: ImportBatch, user: Any, now: Any
) -> None:
    """INSERT the new figures, with what bulk_create would write for them, in chunks."""
    if not rows:
        return
    fields = [_concrete(name) for name in _ROW_FIELDS + _CONSTANT_FIELDS]
    constants = {
        "batch": batch.pk,
        "created_batch": batch.pk,
        "updated_by": user.pk if user is not None else None,
        "created_by": user.pk if user is not None else None,
        "created_at": now,
        "updated_at": now,
    }
    fixed = tuple(_concrete(name).get_db_prep_save(constants[name], connection) for name in _CONSTANT_FIELDS)
    # The two per-row conversions: a checked date as its field would write it, and the figure
    # as the value field writes it exactly (on SQLite an integer, a float or text).
    ops = connection.ops
    adapt_date = ops.adapt_datefield_value
    prepare_value = cast(ExactDecimalField, _concrete("value")).checked_writer(connection)
    quote = ops.quote_name
    # Every name is the model's own, quoted.
    sql = f"INSERT INTO {quote(DataValue._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608, E501
    with connection.cursor() as cursor:
        for first in range(0, len(rows), WRITE_CHUNK * 10):
            cursor.executemany(
                sql,
                [
                    (
                        indicator_id,
                        org_unit_id,
                        period,
                        adapt_date(start),
                        prepare_value(value),
                        comment,
                        status,
                        *fixed,
                    )
                    for indicator_id, org_unit_id, period, start, value, comment, status in rows[
                        first : first + WRITE_CHUNK * 10
                    ]
                ],
            )


def _concrete(name: str) -> Field[Any, Any]:
    return cast(Field[Any, Any], DataValue._meta.get_field(name))


_ROW_FIELDS = ("indicator", "org_unit", "period", "period_start", "value", "comment", "status")
_CONSTANT_FIELDS = ("batch", "created_batch", "updated_by", "created_by", "created_at", "updated_at")


def _change(*, before: DataValue, after: DataValue | None, batch: ImportBatch | None, user: Any) -> DataValueChange:
    """One line of history: an update, or a deletion (no ``after``). Creations are recorded on the value."""
    return DataValueChange(
        indicator_id=before.indicator_id,
        org_unit_id=before.org_unit_id,
        period=before.period,
        action=ChangeAction.DELETE if after is None else ChangeAction.UPDATE,
        old_value=before.value,
        new_value=after.value if after else None,
        old_comment=before.comment,
        new_comment=after.comment if after else "",
        old_status=before.status,
        new_status=after.status if after else "",
        batch=batch,
        changed_by=user,
    )


def _existing_values(rows: Iterable[WritableRow], *, lock: bool) -> dict[tuple[int, int, str], DataValue]:
    """The stored values the rows would touch (``_existing_by_keys``)."""
    return _existing_by_keys(((row.indicator_id, row.org_unit_id, row.period.code) for row in rows), lock=lock)


def _existing_by_keys(keys: Iterable[FigureKey], *, lock: bool) -> dict[tuple[int, int, str], DataValue]:
    """The stored values of these keys, fetched in a few queries: one for all the indicators
    given for the same units and periods (a month's file gives every indicator for the same ones)."""
    wanted: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for indicator_id, unit_id, code in keys:
        wanted[indicator_id].add((unit_id, code))
    # Indicators with the same units and periods share their queries, which still look up only
    # indicator × unit × period keys, as many as one query per indicator would.
    shared: dict[tuple[tuple[int, ...], tuple[str, ...]], list[int]] = defaultdict(list)
    for indicator_id, pairs in wanted.items():
        shared[(tuple(sorted({u for u, _p in pairs})), tuple(sorted({p for _u, p in pairs})))].append(indicator_id)
    found: dict[tuple[int, int, str], DataValue] = {}
    for (units, periods), indicator_ids in shared.items():
        for first_indicator in range(0, len(indicator_ids), 500):
            for first_unit in range(0, len(units), 500):
                qs = DataValue.objects.filter(
                    indicator_id__in=indicator_ids[first_indicator : first_indicator + 500],
                    org_unit_id__in=units[first_unit : first_unit + 500],
                    period__in=periods,
                )
                if lock:
                    # Two writes touching the same figures must not interleave their read-modify-write.
                    qs = qs.select_for_update()
                for value in qs:
                    if (value.org_unit_id, value.period) in wanted[value.indicator_id]:
                        found[(value.indicator_id, value.org_unit_id, value.period)] = value
    return found


class FigureConflictError(Exception):
    """Another writer created the same figure (indicator, unit, period) at the same moment."""

    def __init__(self, *, indicator: Indicator, org_unit: OrgUnit, period: Period) -> None:
        super().__init__(
            _(
                "%(indicator)s, %(unit)s, %(period)s was written by another request at the same moment; "
                "load it again and send your change once more."
            )
            % {"indicator": indicator.code, "unit": org_unit.code, "period": period.code}
        )


def figure_set(
    *,
    indicator: Indicator,
    org_unit: OrgUnit,
    period: Period,
    value: Decimal,
    comment: str = "",
    status: str | None = None,
    user: Any = None,
) -> DataValue:
    """Create or change one checked value (API, forms, admin), with its line of history.
    ``status`` None: the status policy decides it (``statuses_decide``)."""
    user = acting_user(user)
    if status is None:
        status = statuses_decide({(indicator.pk, org_unit.pk)})[(indicator.pk, org_unit.pk)]
    with transaction.atomic(), managed_write():
        figures_guard([(indicator.pk, org_unit.pk, period.code)])
        current = (
            DataValue.objects.select_for_update()
            .filter(indicator=indicator, org_unit=org_unit, period=period.code)
            .first()
        )
        if current is None:
            try:
                # A savepoint: on PostgreSQL another request may create the same figure between the
                # look-up above (which locks no row that does not exist yet) and this insert.
                with transaction.atomic():
                    current = DataValue.objects.create(
                        indicator=indicator,
                        org_unit=org_unit,
                        period=period.code,
                        period_start=period.start_date,
                        value=value,
                        comment=comment,
                        status=status,
                        updated_by=user,
                        created_by=user,
                    )
            except IntegrityError as exc:
                raise FigureConflictError(indicator=indicator, org_unit=org_unit, period=period) from exc
        elif (current.value, current.comment, current.status) != (value, comment, status):
            before = copy.copy(current)
            current.value, current.comment, current.status, current.updated_by = value, comment, status, user
            current.save()
            _change(before=before, after=current, batch=None, user=user).save()
        else:
            return current
        figures_changed(count=1, keys={(indicator.pk, org_unit.pk, period.start_date)})
    return current


def figure_delete(*, data_value: DataValue, user: Any = None) -> None:
    """Delete one value, keeping a line of history that says who deleted what."""
    user = acting_user(user)
    with transaction.atomic(), managed_write():
        figures_guard([(data_value.indicator_id, data_value.org_unit_id, data_value.period)])
        _change(before=data_value, after=None, batch=None, user=user).save()
        data_value.delete()
        figures_changed(count=1, keys={(data_value.indicator_id, data_value.org_unit_id, data_value.period_start)})


def figures_status_set(*, keys: Iterable[FigureKey], status: str, user: Any = None, guard: bool = True) -> int:
    """Give the stored figures ``keys`` names the status ``status`` (an approval, a report sent
    back), each change with its line of history, announced once; return how many changed.

    ``guard`` False skips the write guards: for the workflow that owns the lock itself (a report
    being approved or reopened), never for a writer of values."""
    user = acting_user(user)
    wanted = set(keys)
    if not wanted:
        return 0
    with transaction.atomic(), managed_write():
        if guard:
            figures_guard(sorted(wanted))
        existing = _existing_by_keys(wanted, lock=True)
        changed: list[DataValue] = []
        changes: list[DataValueChange] = []
        now = timezone.now()
        for current in existing.values():
            if current.status == status:
                continue
            before = copy.copy(current)
            current.status, current.updated_by, current.updated_at = status, user, now
            changed.append(current)
            changes.append(_change(before=before, after=current, batch=None, user=user))
        if changed:
            DataValue.objects.bulk_update(changed, ["status", "updated_by", "updated_at"], batch_size=WRITE_CHUNK)
            DataValueChange.objects.bulk_create(changes, batch_size=WRITE_CHUNK)
            figures_changed(count=len(changed), keys={(v.indicator_id, v.org_unit_id, v.period_start) for v in changed})
    return len(changed)


def figures_withdraw(*, batches: Iterable[ImportBatch]) -> int:
    """Delete the figures these batches wrote last, and the batches; return how many figures.

    For sample data only (the demo replacing its sample): the batches themselves were the record
    of those made-up figures, so no line of history is kept. Call ``figures_changed`` after.
    """
    ids = [b.pk for b in batches]
    with transaction.atomic(), managed_write():
        deleted = DataValue.objects.filter(batch_id__in=ids).delete()[1].get(DataValue._meta.label, 0)
        ImportBatch.objects.filter(pk__in=ids).delete()
    return deleted
