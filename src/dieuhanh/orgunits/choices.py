"""The fixed lists of the orgunits app's models."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrgUnitKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District-level unit")
    COMMUNE = "commune", _("Commune-level unit")
    AGENCY = "agency", _("Agency")
    OTHER = "other", _("Other")


class MergeType(models.TextChoices):
    """How an old unit went into a new one (the official conversion table's "loại sắp xếp")."""

    WHOLE = "whole", pgettext_lazy("merge type", "Merged whole")
    PART = "part", pgettext_lazy("merge type", "Merged in part")
    UNCHANGED = "unchanged", pgettext_lazy("merge type", "Unchanged")
    RENAMED = "renamed", pgettext_lazy("merge type", "Renamed")


class ShareMethod(models.TextChoices):
    """How a proposed share of a split unit was computed (docs/catalogue.md, "Share proposals")."""

    AREA = "area", pgettext_lazy("share method", "Area-weighted")
    POPULATION = "population", pgettext_lazy("share method", "Population-weighted")


class ChangeAction(models.TextChoices):
    """What a catalogue change did to its record."""

    CREATE = "create", pgettext_lazy("catalogue change", "Created")
    UPDATE = "update", pgettext_lazy("catalogue change", "Changed")
    DELETE = "delete", pgettext_lazy("catalogue change", "Deleted")


class ChangeWay(models.TextChoices):
    """Through which way a catalogue change was made."""

    API = "api", pgettext_lazy("catalogue change way", "API")
    ADMIN = "admin", pgettext_lazy("catalogue change way", "Admin")
    LOADER = "loader", pgettext_lazy("catalogue change way", "Catalogue file")
    CLI = "cli", pgettext_lazy("catalogue change way", "Command line")
    DEMO = "demo", pgettext_lazy("catalogue change way", "Demo")
