"""Backups: the whole installation in one file, and back.

A backup is a gzipped tar archive holding

- ``manifest.json``: what it is (format, product version, database, when), how many records each
  table held, and a SHA-256 checksum of every other member;
- the database: on SQLite a copy made with SQLite's online backup (``database.sqlite3``), on
  PostgreSQL a ``pg_dump`` in its custom format (``database.pgdump``) — the figures, their history,
  the catalogue, directives, reports, users, rollups: everything the database holds;
- ``media/``: the files kept beside it (uploaded imports, directives' sources and evidence,
  generated reports).

The database is copied first and the files after, so a file uploaded meanwhile is at worst an
unused extra, never a record whose file is missing. Restoring checks every checksum before it
touches anything, refuses to replace figures that are already there unless told to (and then
keeps a backup of them first), upgrades an older backup's database to this version, and checks
that every table holds what the manifest says.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from dieuhanh.analytics.services import answers_changed

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# The apps whose tables a manifest counts: the product's own, and its users.
COUNTED_APPS = ("auth", "axes")
# Tables every database holds once migrated, whatever it was used for (permissions, the roles'
# groups, the rollups' state): not what a restore would lose.
ALWAYS_FILLED = {"auth.Permission", "auth.Group", "analytics.RollupState"}
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup that cannot be made or restored, with what to do, in the user's language."""


@dataclass
class Manifest:
    engine: str
    created_at: str
    product_version: str
    counts: dict[str, int]
    checksums: dict[str, str]
    migrations: dict[str, str] = field(default_factory=dict)
    format: int = FORMAT

    @property
    def database_member(self) -> str:
        return DATABASE_MEMBER[self.engine]

    @property
    def media_files(self) -> list[str]:
        return sorted(name for name in self.checksums if name.startswith(MEDIA_PREFIX))

    def as_json(self) -> str:
        return json.dumps(
            {
                "format": self.format,
                "engine": self.engine,
                "created_at": self.created_at,
                "product_version": self.product_version,
                "migrations": self.migrations,
                "counts": self.counts,
                "checksums": self.checksums,
            },
            indent=2,
            ensure_ascii=False,
            sort_keys=True,
        )


@dataclass
class RestoreResult:
    manifest: Manifest
    safety_backup: Path | None
    media_set_aside: Path | None
    counts: dict[str, int]


def engine() -> str:
    """``sqlite`` or ``postgresql``: the database this installation uses."""
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBER:
        raise BackupError(
            _("Backups are made of SQLite and PostgreSQL databases, not of %(vendor)s.") % {"vendor": vendor}
        )
    return vendor


def default_path(prefix: str = "dieuhanh") -> Path:
    """Where a backup goes when no path is given: DIEUHANH_HOME/backups/, named by the time."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.DIEUHANH_HOME) / "backups" / f"{prefix}-{stamp}.tar.gz"


def counted_models() -> list[Any]:
    """The models a manifest counts: every model of the product's apps, and its users."""
    ours = [config.label for config in apps.get_app_configs() if config.name.startswith("dieuhanh.")]
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in (*ours, *COUNTED_APPS) and model._meta.managed and not model._meta.proxy
    ]


def table_counts() -> dict[str, int]:
    """How many records each counted table holds (tables not yet created are left out)."""
    existing = set(connection.introspection.table_names())
    return {
        model._meta.label: model._default_manager.count()
        for model in counted_models()
        if model._meta.db_table in existing
    }


def _latest_migrations() -> dict[str, str]:
    if MigrationRecorder.Migration._meta.db_table not in connection.introspection.table_names():
        return {}
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder.Migration.objects.values_list("app", "name").order_by("app", "name"):
        latest[app] = name
    return latest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_environment() -> tuple[list[str], dict[str, str]]:
    """The connection options of pg_dump and pg_restore for the configured database."""
    conf = connection.settings_dict
    args = ["--dbname", str(conf["NAME"])]
    if conf.get("HOST"):
        args += ["--host", str(conf["HOST"])]
    if conf.get("PORT"):
        args += ["--port", str(conf["PORT"])]
    if conf.get("USER"):
        args += ["--username", str(conf["USER"])]
    env = {**os.environ}
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    program = command[0]
    if shutil.which(program) is None:
        raise BackupError(
            _("%(program)s was not found. Install PostgreSQL's client programs (Debian: postgresql-client).")
            % {"program": program}
        )
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s") % {"program": program, "error": done.stderr.strip()[-2000:]}
        )


def _dump_database(kind: str, target: Path) -> None:
    if kind == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            # The online backup: a consistent copy while the application keeps working.
            connection.connection.backup(copy)
        finally:
            copy.close()
        return
    args, env = _pg_environment()
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), *args], env)


def _media_files() -> Iterator[tuple[Path, str]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, MEDIA_PREFIX + path.relative_to(root).as_posix()


def create_backup(path: Path | None = None) -> tuple[Path, Manifest]:
    """Write a backup of the database and the media files to ``path`` (a new file); return it and
    its manifest. The archive is written beside the target and renamed when complete."""
    kind = engine()
    target = Path(path) if path is not None else default_path()
    if target.exists():
        raise BackupError(_("%(path)s already exists; name a new file.") % {"path": target})
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dieuhanh-backup-") as work:
        database = Path(work) / DATABASE_MEMBER[kind]
        counts = table_counts()
        _dump_database(kind, database)
        checksums = {DATABASE_MEMBER[kind]: _sha256(database)}
        media = list(_media_files())
        for file, name in media:
            checksums[name] = _sha256(file)
        manifest = Manifest(
            engine=kind,
            created_at=timezone.now().isoformat(),
            product_version=_product_version(),
            counts=counts,
            checksums=checksums,
            migrations=_latest_migrations(),
        )
        partial = target.with_name(target.name + ".part")
        try:
            with tarfile.open(partial, "w:gz") as archive:
                _add_bytes(archive, MANIFEST, manifest.as_json().encode())
                archive.add(database, arcname=DATABASE_MEMBER[kind], recursive=False)
                for file, name in media:
                    archive.add(file, arcname=name, recursive=False)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
    return target, manifest


def _product_version() -> str:
    try:
        return metadata.version("dieuhanh")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree without install
        return "unknown"


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o644
    archive.addfile(info, _BytesReader(data))


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self._data = data
        self._at = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._at + size
        chunk = self._data[self._at : end]
        self._at += len(chunk)
        return chunk


@contextmanager
def _open(path: Path) -> Iterator[tarfile.TarFile]:
    if not Path(path).is_file():
        raise BackupError(_("There is no backup file %(path)s.") % {"path": path})
    try:
        archive = tarfile.open(path, "r:gz")  # noqa: SIM115 - closed by the with below
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(_("%(path)s is not a dieuhanh backup (%(error)s).") % {"path": path, "error": exc}) from exc
    with archive:
        yield archive


def _manifest_of(archive: tarfile.TarFile, path: Path) -> Manifest:
    try:
        member = archive.getmember(MANIFEST)
        handle = archive.extractfile(member)
        raw: dict[str, Any] = json.loads(handle.read() if handle is not None else b"")
    except (KeyError, ValueError, tarfile.TarError) as exc:
        raise BackupError(
            _("%(path)s is not a dieuhanh backup: it holds no readable manifest.json.") % {"path": path}
        ) from exc
    if raw.get("format") != FORMAT or raw.get("engine") not in DATABASE_MEMBER:
        raise BackupError(
            _("%(path)s was written in a backup format this version does not read (format %(format)s).")
            % {"path": path, "format": raw.get("format")}
        )
    return Manifest(
        engine=raw["engine"],
        created_at=str(raw.get("created_at", "")),
        product_version=str(raw.get("product_version", "")),
        counts={str(k): int(v) for k, v in raw.get("counts", {}).items()},
        checksums={str(k): str(v) for k, v in raw.get("checksums", {}).items()},
        migrations={str(k): str(v) for k, v in raw.get("migrations", {}).items()},
    )


def _safe_member(name: str) -> bool:
    pure = PurePosixPath(name)
    return not pure.is_absolute() and ".." not in pure.parts


def _extract_checked(archive: tarfile.TarFile, manifest: Manifest, into: Path) -> None:
    """Every member the manifest names, extracted under ``into`` and checked against its checksum;
    a member missing, added, unsafe or altered stops the restore before anything is touched."""
    named = set(manifest.checksums)
    seen: set[str] = set()
    for member in archive.getmembers():
        if member.name == MANIFEST:
            continue
        if member.name not in named or not member.isfile() or not _safe_member(member.name):
            raise BackupError(
                _("The backup holds %(name)s, which its manifest does not list: it was altered; it is not restored.")
                % {"name": member.name}
            )
        source = archive.extractfile(member)
        if source is None:  # pragma: no cover - isfile() members always have a body
            continue
        destination = into / member.name
        destination.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with destination.open("wb") as out:
            _copy(source, out, digest)
        if digest.hexdigest() != manifest.checksums[member.name]:
            raise BackupError(
                _("%(name)s in the backup does not match its checksum: the file is damaged; it is not restored.")
                % {"name": member.name}
            )
        seen.add(member.name)
    missing = sorted(named - seen)
    if missing:
        raise BackupError(
            _("The backup lacks %(names)s, which its manifest lists: it is incomplete; it is not restored.")
            % {"names": ", ".join(missing[:5])}
        )


def _copy(source: IO[bytes], out: IO[bytes], digest: Any) -> None:
    while chunk := source.read(_CHUNK):
        digest.update(chunk)
        out.write(chunk)


def verify_backup(path: Path) -> Manifest:
    """Read a backup whole and check every member against its checksum, touching nothing."""
    with _open(path) as archive, tempfile.TemporaryDirectory(prefix="dieuhanh-verify-") as work:
        manifest = _manifest_of(archive, path)
        _extract_checked(archive, manifest, Path(work))
    return manifest


def holds_data() -> dict[str, int]:
    """What the database holds that a restore would replace: the non-empty counted tables."""
    return {label: n for label, n in table_counts().items() if n and label not in ALWAYS_FILLED}


def restore_backup(path: Path, *, force: bool = False) -> RestoreResult:
    """Replace the database and the media files by the backup at ``path``.

    Refused, with nothing touched, when the backup is damaged, of the other kind of database, or
    when this database already holds records and ``force`` is not given. With ``force``, a backup of
    what is here is written first (DIEUHANH_HOME/backups/before-restore-…) and the media folder is
    set aside beside itself, not deleted.
    """
    kind = engine()
    with _open(path) as archive, tempfile.TemporaryDirectory(prefix="dieuhanh-restore-") as work:
        manifest = _manifest_of(archive, path)
        if manifest.engine != kind:
            raise BackupError(
                _(
                    "This backup is of a %(theirs)s database and this installation uses %(ours)s. Restore it "
                    "into a %(theirs)s database, then move the data with dumpdata and loaddata "
                    "(docs/deployment.md, “Backups”)."
                )
                % {"theirs": _engine_name(manifest.engine), "ours": _engine_name(kind)}
            )
        _extract_checked(archive, manifest, Path(work))
        here = holds_data()
        safety: Path | None = None
        if here and not force:
            figures = here.get("figures.DataValue", 0)
            raise BackupError(
                _(
                    "This database is not empty (%(figures)s figures, %(tables)s tables with records). "
                    "Restoring would replace it: run again with --force, and a backup of it is made first."
                )
                % {"figures": number_format(figures, force_grouping=True), "tables": len(here)}
            )
        if here:
            safety, _manifest = create_backup(default_path("before-restore"))
        _load_database(kind, Path(work) / manifest.database_member)
        restored = table_counts()
        differ = {
            label: (expected, restored.get(label, 0))
            for label, expected in manifest.counts.items()
            if restored.get(label, 0) != expected
        }
        if differ:
            label, (expected, got) = sorted(differ.items())[0]
            raise BackupError(
                _(
                    "After the restore %(table)s holds %(got)s records where the backup counted %(expected)s; "
                    "the restore is incomplete. Restore again, or restore the backup made before: %(safety)s"
                )
                % {"table": label, "got": got, "expected": expected, "safety": safety or "-"}
            )
        set_aside = _restore_media(Path(work))
    # A backup of an earlier version is brought up to this one; then cached answers are retired.
    call_command("migrate", interactive=False, verbosity=0)
    answers_changed()
    return RestoreResult(manifest=manifest, safety_backup=safety, media_set_aside=set_aside, counts=restored)


def _engine_name(kind: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[kind]


def _load_database(kind: str, dump: Path) -> None:
    if kind == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            # The online backup, the other way: the live database becomes the copy, page by page.
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
        cursor.execute("CREATE SCHEMA public")
    connection.close()
    args, env = _pg_environment()
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *args,
            str(dump),
        ],
        env,
    )


def _restore_media(work: Path) -> Path | None:
    """The backup's files become the media folder; a folder already holding files is renamed
    beside itself (media.before-restore-…) rather than deleted."""
    root = Path(settings.MEDIA_ROOT)
    set_aside: Path | None = None
    if root.is_dir() and any(root.iterdir()):
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")  # noqa: DTZ005 - a folder name on this machine
        set_aside = root.with_name(f"{root.name}.before-restore-{stamp}")
        root.rename(set_aside)
    root.mkdir(parents=True, exist_ok=True)
    extracted = work / MEDIA_PREFIX.rstrip("/")
    if extracted.is_dir():
        for file in sorted(extracted.rglob("*")):
            if file.is_file():
                destination = root / file.relative_to(extracted)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(file), destination)
    return set_aside
