"""The fixed lists of the orgunits app's models."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgUnitKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District-level unit")
    COMMUNE = "commune", _("Commune-level unit")
    AGENCY = "agency", _("Agency")
    OTHER = "other", _("Other")
