"""Load the demo — the new Hồ Chí Minh City and the three former provinces it was made of, Bình Dương
among them — its catalogue and its synthetic figures, in one transaction.

Each domain's sample is a module of this app: ``catalogue`` (units, agencies, indicators,
targets), ``figures`` (the synthetic values), ``directives`` (the seed article's orders and a
year of their progress); ``dieuhanh demo`` loads them in that order.

``demo_load`` is idempotent. The catalogue (units, agencies, indicators, targets) is
upserted by code, so loading it again changes nothing. The figures carry a fingerprint
(the SHA-256 of the generated values, kept as the demo batch's checksum): if the
database already holds exactly that sample, it is left alone; otherwise — another
seed, a newer generator, values deleted — every value of earlier demo batches is
deleted and the new sample written. Values that someone has since imported over a
demo value (they belong to another batch) are kept and win over the sample.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dieuhanh.demo.catalogue import demo_data_dir, demo_document
from dieuhanh.demo.figures import demo_awaiting, demo_figures_write, demo_generate, demo_last_month, fingerprint
from dieuhanh.demo.generate import DEFAULT_SEED
from dieuhanh.figures.choices import ImportFormat, ImportStatus
from dieuhanh.figures.models import DataValue, ImportBatch
from dieuhanh.figures.services import figures_changed, figures_withdraw
from dieuhanh.indicators.metadata import MetadataLoadResult, metadata_load
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.choices import ChangeAction, ChangeWay
from dieuhanh.orgunits.history import OverwrittenEdit, catalogue_recording, overwritten_edits

# How the demo's writes are named in the catalogue's history.
DEMO_SOURCE = "dieuhanh demo"


class DemoCatalogueEditedError(Exception):
    """The catalogue was edited here since the demo loaded it, and loading the demo again would undo
    the edits; ``edits`` lists them. Loading with ``force`` goes ahead."""

    def __init__(self, edits: list[OverwrittenEdit]) -> None:
        self.edits = edits
        lines = [
            _(
                "The catalogue was edited here since the demo loaded it, and loading the demo again would "
                "undo %(n)d edit(s):"
            )
            % {"n": len(edits)}
        ]
        lines += [edit_text(edit) for edit in edits]
        lines.append(
            _(
                "Keep them (the demo's figures and pages work with them), or run dieuhanh demo --force to load "
                "the demo's catalogue over them; the catalogue's history keeps what they were."
            )
        )
        super().__init__("\n".join(lines))


def edit_text(edit: OverwrittenEdit) -> str:
    """An edit in a line: the record, what was done to it, by whom, when, through which way."""
    change = edit.change
    try:
        kind = str(apps.get_model(change.model)._meta.verbose_name)
    except LookupError:
        kind = change.model
    what = (
        _("deleted")
        if change.action == ChangeAction.DELETE
        else _("created")
        if change.action == ChangeAction.CREATE
        else _("changed %(fields)s") % {"fields": ", ".join(edit.fields)}
    )
    return _("%(kind)s %(key)s: %(what)s, %(when)s by %(who)s (%(way)s)") % {
        "kind": kind,
        "key": change.key,
        "what": what,
        "when": date_format(timezone.localtime(change.at), "SHORT_DATETIME_FORMAT"),
        "who": change.user.get_username() if change.user is not None else _("nobody signed in"),
        "way": change.get_way_display(),
    }


@dataclass(frozen=True)
class DemoLoadResult:
    """What a load did, for the command's summary and for tests."""

    seed: int
    until: Period
    org_units: int
    successions: int
    indicators: int
    targets: int
    values: int
    written: int
    replaced: int
    catalogue: MetadataLoadResult
    batch_id: int
    seconds: float

    @property
    def unchanged(self) -> bool:
        """True when the database already held this very sample."""
        return self.written == 0 and self.replaced == 0


def demo_load(
    *, seed: int = DEFAULT_SEED, data_dir: Path | None = None, until: Period | None = None, force: bool = False
) -> DemoLoadResult:
    """Upsert the demo catalogue and make the database hold the sample for ``seed``, its figures up to the
    month ``until`` (default: the last complete month before today; tests pin it).

    A catalogue edited here since the demo loaded it (through the API, the admin, a file, a command)
    is not loaded over: DemoCatalogueEditedError names the edits the load would undo, and nothing is
    written; ``force`` loads it over them. A catalogue the demo alone wrote loads again as it was."""
    started = time.perf_counter()
    root = data_dir or demo_data_dir()
    document = demo_document(data_dir=root)
    last = until or demo_last_month()
    values = demo_generate(seed=seed, data_dir=root, until=last)
    checksum = fingerprint(values)

    with transaction.atomic():
        with catalogue_recording(way=ChangeWay.DEMO, source=DEMO_SOURCE) as recording:
            catalogue = metadata_load(document=document)
            edits = [] if force else overwritten_edits(recording)
            if edits:
                # Leaving the transaction by the exception writes nothing.
                raise DemoCatalogueEditedError(edits)
        current = (
            ImportBatch.objects.filter(file_format=ImportFormat.DEMO, status=ImportStatus.COMMITTED, checksum=checksum)
            .order_by("-id")
            .first()
        )
        demo_batches = ImportBatch.objects.filter(file_format=ImportFormat.DEMO)
        if (
            current is not None
            and demo_batches.count() == 1
            and DataValue.objects.filter(batch=current).count() == current.rows_created
        ):
            written = replaced = 0
            batch = current
        else:
            replaced = figures_withdraw(batches=demo_batches)
            batch = demo_figures_write(values, checksum=checksum)
            demo_awaiting(batch, last=last)
            written = batch.rows_created
        stored = DataValue.objects.filter(batch=batch).count()
        # One announcement for the withdrawn sample and the new one; ``complete`` also brings
        # rollups left out of date before (a catalogue just loaded) up to date.
        figures_changed(count=written + replaced, complete=True)

    return DemoLoadResult(
        seed=seed,
        until=last,
        org_units=len(document["org_units"]),
        successions=len(document.get("successions") or []),
        indicators=len(document.get("indicators") or []),
        targets=len(document.get("targets") or []),
        values=stored,
        written=written,
        replaced=replaced,
        catalogue=catalogue,
        batch_id=batch.pk,
        seconds=time.perf_counter() - started,
    )
