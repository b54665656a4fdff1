"""Forms of the data-entry pages: uploading a file of figures, and asking for an Excel template."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy

from dieuhanh.indicators.models import Sector
from dieuhanh.ingest.services import too_large_message
from dieuhanh.orgunits.selectors import TreeUnit, UnitLookupError, unit_at


class ImportUploadForm(forms.Form):
    """A file of figures (CSV, XLSX, DHIS2 JSON or CSV) and whether only to check it."""

    file = forms.FileField(label=gettext_lazy("File of figures"))
    dry_run = forms.BooleanField(required=False, label=gettext_lazy("Check only, do not save"))

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        # Refuse by the announced size, before anything reads the (spooled-to-disk) file into memory.
        if upload.size is not None and upload.size > settings.DIEUHANH_IMPORT_MAX_BYTES:
            raise forms.ValidationError(too_large_message())
        return upload


class TemplateRequestForm(forms.Form):
    """Which unit, year and (optionally) sector an Excel entry template is made for."""

    org_unit = forms.ChoiceField(label=gettext_lazy("Unit"))
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1900, max_value=2200)
    sector = forms.ModelChoiceField(
        label=gettext_lazy("Sector"),
        queryset=Sector.objects.order_by("sort_order", "code"),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("All sectors"),
    )

    def __init__(self, data: Any = None, *, tree: Sequence[TreeUnit]) -> None:
        super().__init__(data, initial={"year": timezone.localdate().year})
        # A code shared by units at different times is one choice per unit, each with its validity;
        # the year then says which unit the template is for (clean()).
        codes = Counter(item.unit.code for item in tree)
        for item in tree:
            item.unit.code_shared = codes[item.unit.code] > 1
        # Options ignore CSS padding, so the tree is drawn with non-breaking spaces.
        self.fields["org_unit"].choices = [  # type: ignore[attr-defined]
            (item.unit.code, "\u00a0\u00a0\u00a0" * item.level + item.unit.label()) for item in tree
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        code, year = cleaned.get("org_unit"), cleaned.get("year")
        if isinstance(code, str) and year:
            # The unit the code names in the template's year: on its last day, or one that ended in it.
            try:
                cleaned["org_unit"] = unit_at(code, on=dt.date(year, 12, 31), since=dt.date(year, 1, 1))
            except UnitLookupError as exc:
                self.add_error("org_unit", str(exc))
        return cleaned
