"""Load and export the catalogue (org units, indicators, targets) as one JSON or YAML document.

The document has the keys ``sectors``, ``org_unit_groups``, ``org_units``, ``successions``,
``indicators`` and ``targets`` (all optional). Each is a section of the app that owns its records
(``orgunits.catalogue``, ``indicators.catalogue``), whose records go through the API's serializers;
this module reads the document and runs the sections in order, in one transaction. Loading upserts
by code, lists every problem, and writes nothing unless all of the document is right, so a
province's catalogue can be kept in a file under version control.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from dieuhanh.indicators import catalogue as indicators
from dieuhanh.orgunits import catalogue as orgunits
from dieuhanh.orgunits.choices import ChangeWay
from dieuhanh.orgunits.documents import CatalogueLoad, MetadataError, MetadataLoadResult, Problems, Where
from dieuhanh.orgunits.history import catalogue_recording
from dieuhanh.orgunits.models import OrgUnit, Succession
from dieuhanh.planner import analyse_if_stale

__all__ = [
    "MetadataError",
    "MetadataLoadResult",
    "metadata_dump",
    "metadata_export",
    "metadata_load",
    "metadata_read_file",
]

# The sections as the document lists them (and its problems are listed), each with its export.
EXPORTS: dict[str, Callable[[], list[dict[str, Any]]]] = {
    indicators.SECTORS: indicators.sectors_export,
    orgunits.ORG_UNIT_GROUPS: orgunits.org_unit_groups_export,
    orgunits.ORG_UNITS: orgunits.org_units_export,
    orgunits.SUCCESSIONS: orgunits.successions_export,
    indicators.INDICATORS: indicators.indicators_export,
    indicators.TARGETS: indicators.targets_export,
}
# The order they load in: each after the sections its records refer to.
LOADS: tuple[Callable[[CatalogueLoad], None], ...] = (
    indicators.sectors_load,
    orgunits.org_units_load,
    orgunits.org_unit_groups_load,
    orgunits.successions_load,
    indicators.indicators_load,
    indicators.targets_load,
)


def metadata_read_file(path: Path) -> dict[str, Any]:
    """Parse a JSON or YAML file into a document, with a readable error if it is neither."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise MetadataError([_("File %(path)s does not exist.") % {"path": path}]) from exc
    except UnicodeDecodeError as exc:
        raise MetadataError([_("File %(path)s is not UTF-8 text.") % {"path": path}]) from exc
    try:
        document = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise MetadataError([_("File %(path)s cannot be read: %(error)s") % {"path": path, "error": exc}]) from exc
    if not isinstance(document, dict):
        raise MetadataError([_("The document must be an object with keys such as org_units, indicators, targets.")])
    return document


def metadata_load(*, document: Mapping[str, Any], source: str = "", user: Any = None) -> MetadataLoadResult:
    """Upsert the document's sections in one transaction; if anything is wrong, write nothing and
    raise MetadataError with every problem. Each record written is kept in the catalogue's history,
    as loaded from a file (``source``, its name) by ``user``, unless the caller records it otherwise
    (the demo)."""
    load = CatalogueLoad(document, Problems(list(EXPORTS)))
    for key in sorted(set(map(str, document)) - set(EXPORTS)):
        load.problems.add(
            Where(key),
            _("unknown key; expected sectors, org_unit_groups, org_units, successions, indicators, targets."),
        )
    with transaction.atomic(), catalogue_recording(way=ChangeWay.LOADER, user=user, source=source):
        for section in LOADS:
            section(load)
        if load.problems:
            # Leaving the block by the exception rolls back whatever the sections wrote.
            raise MetadataError(load.problems.messages())
        # A catalogue of thousands of units (a country's communes, old and new) is read by every
        # ranking and map: planned for the tables as they now are (dieuhanh.planner).
        for kind, model in ((orgunits.ORG_UNITS, OrgUnit), (orgunits.SUCCESSIONS, Succession)):
            changed = load.result.created.get(kind, 0) + load.result.updated.get(kind, 0)
            analyse_if_stale(model._meta.db_table, changed=changed)
    return load.result


def metadata_export() -> dict[str, Any]:
    """The whole catalogue as a document that ``metadata_load`` takes back unchanged."""
    return {key: export() for key, export in EXPORTS.items()}


def metadata_dump(document: Mapping[str, Any], *, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(dict(document), allow_unicode=True, sort_keys=False, width=120)
