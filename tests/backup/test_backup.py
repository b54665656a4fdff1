"""Backups: the round trip gives back every answer, every record and every file; a damaged, foreign
or misplaced backup is refused before anything is touched."""

from __future__ import annotations

import datetime as dt
import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from dieuhanh.analytics.services import rollups_rebuild
from dieuhanh.backup.services import BackupError, create_backup, restore_backup, table_counts, verify_backup
from dieuhanh.directives.services import source_document_create
from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.models import Indicator
from tests.conftest import Tree
from tests.factories import IndicatorFactory, TargetFactory, put

# The database must be committed for pg_dump (another process) to see it, and a restore replaces it.
pytestmark = pytest.mark.django_db(transaction=True)

QUESTIONS: list[dict[str, str]] = [
    {"indicator": "REV", "org_unit": "74,718,719", "period": "202303"},
    {"indicator": "REV", "org_unit": "74", "period": "2023Q1"},
]


@pytest.fixture
def home(settings: Any, tmp_path: Path) -> Path:
    settings.DIEUHANH_HOME = tmp_path / "home"
    settings.MEDIA_ROOT = tmp_path / "home" / "media"
    return tmp_path


@pytest.fixture
def installation(tree: Tree, home: Path) -> Path:
    """Figures of two districts over three months, a target, rollups, and a source document's file."""
    revenue = IndicatorFactory(code="REV", is_public=True)
    for month, (a1, a2, b1) in enumerate([(10, 4, 5), (12, 5, 6), (15, 6, 7)], start=1):
        put(revenue, tree.commune_a1, f"20230{month}", a1)
        put(revenue, tree.commune_a2, f"20230{month}", a2)
        put(revenue, tree.commune_b1, f"20230{month}", b1)
    TargetFactory(indicator=revenue, org_unit=tree.province, year_from=2023, value=200)
    rollups_rebuild()
    source_document_create(
        kind="plan",
        number="6120/KH-UBND",
        date=dt.date(2023, 1, 10),
        org_unit=tree.province,
        file=SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.4 ke hoach 2023"),
    )
    return home


def answers() -> list[Any]:
    client = APIClient()
    out = []
    for question in QUESTIONS:
        response = client.get("/api/v1/analytics", question)
        assert response.status_code == 200, response.content
        out.append(response.json())
    ranking = client.get("/api/v1/analytics/ranking", {"indicator": "REV", "org_unit": "74", "period": "202303"})
    assert ranking.status_code == 200, ranking.content
    out.append(ranking.json())
    return out


def media_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_restored_backup_answers_every_question_as_before(installation: Path, settings: Any) -> None:
    before, counts, files = answers(), table_counts(), media_files(Path(settings.MEDIA_ROOT))
    assert files, "the installation keeps a file"
    path, manifest = create_backup(installation / "b.tar.gz")
    assert manifest.counts["figures.DataValue"] == 9

    # Everything is lost: figures changed and deleted, the catalogue edited, the files gone.
    DataValue.objects.filter(period="202303").delete()
    DataValue.objects.update(value=1)
    Indicator.objects.filter(code="REV").update(name="Đổi tên")
    rollups_rebuild()
    for file in Path(settings.MEDIA_ROOT).rglob("*"):
        if file.is_file():
            file.unlink()
    assert answers() != before

    result = restore_backup(path, force=True)

    assert answers() == before
    assert table_counts() == counts
    assert media_files(Path(settings.MEDIA_ROOT)) == files
    assert result.safety_backup is not None
    assert verify_backup(result.safety_backup).counts["figures.DataValue"] == 6


def test_a_restore_over_records_needs_force_and_touches_nothing_without_it(installation: Path) -> None:
    path, _manifest = create_backup(installation / "b.tar.gz")
    DataValue.objects.update(value=7)

    with pytest.raises(BackupError, match="--force"):
        restore_backup(path)

    assert set(DataValue.objects.values_list("value", flat=True)) == {7}


def test_a_restore_into_an_empty_database_needs_no_force(installation: Path, settings: Any) -> None:
    before, counts = answers(), table_counts()
    path, _manifest = create_backup(installation / "b.tar.gz")
    call_command("flush", interactive=False, verbosity=0)

    result = restore_backup(path)

    assert result.safety_backup is None
    assert table_counts() == counts
    assert answers() == before


def rewrite(path: Path, target: Path, change: Any) -> None:
    """A copy of the backup at ``path`` with its members passed through ``change(name, data)``."""
    with tarfile.open(path, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            handle = source.extractfile(member)
            data = change(member.name, handle.read() if handle else b"")
            if data is None:
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))


def flip_last_byte(name: str, data: bytes) -> bytes:
    return data if name == "manifest.json" or not name.startswith("database") else data[:-1] + bytes([data[-1] ^ 1])


def other_engine(name: str, data: bytes) -> bytes:
    if name != "manifest.json":
        return data
    manifest = json.loads(data)
    manifest["engine"] = "postgresql" if manifest["engine"] == "sqlite" else "sqlite"
    return json.dumps(manifest).encode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (flip_last_byte, "không khớp mã kiểm tra"),
        (lambda name, data: None if name.startswith("media/") else data, "thiếu"),
        (lambda name, data: None if name == "manifest.json" else data, "manifest.json"),
        (other_engine, "dumpdata"),
    ],
    ids=["damaged", "incomplete", "no-manifest", "other-database"],
)
def test_a_damaged_or_foreign_backup_is_refused_before_anything_is_touched(
    installation: Path, change: Any, message: str
) -> None:
    path, _manifest = create_backup(installation / "b.tar.gz")
    altered = installation / "altered.tar.gz"
    rewrite(path, altered, change)
    DataValue.objects.update(value=3)

    with pytest.raises(BackupError, match=message):
        restore_backup(altered, force=True)

    assert set(DataValue.objects.values_list("value", flat=True)) == {3}
    assert not (installation / "home" / "backups").exists(), "nothing was even backed up first"


def test_the_command_writes_verifies_and_restores_a_backup(installation: Path) -> None:
    out = io.StringIO()
    target = installation / "cmd.tar.gz"
    call_command("backup", "create", str(target), stdout=out)
    call_command("backup", "verify", str(target), stdout=out)
    with pytest.raises(CommandError, match="--force"):
        call_command("backup", "restore", str(target), stdout=out)
    call_command("backup", "restore", str(target), "--force", stdout=out)

    text = out.getvalue()
    assert str(target) in text
    assert "9 " in text  # the figures counted, in the summary
    with pytest.raises(CommandError, match=str(target)):
        call_command("backup", "create", str(target), stdout=out)
