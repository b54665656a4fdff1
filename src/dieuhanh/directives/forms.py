"""Forms of the directive pages: the register's filters, a progress report, a review, and the
extract-review-save steps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, ClassVar, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.directives.choices import DirectiveStatus, LeadGroup, Recurrence, SourceKind
from dieuhanh.directives.extraction import GROUP_NAMES
from dieuhanh.directives.selectors import ROLE_LEAD
from dieuhanh.orgunits.choices import OrgUnitKind
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import TreeUnit

MAX_TEXT_BYTES = 2 * 1024 * 1024


class DateInput(forms.DateInput):
    """The browser's date picker (it sends 2023-07-20; pages show 20/7/2023)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def unit_choices(units: Sequence[OrgUnit], *, groups: bool) -> list[tuple[str, Any]]:
    """Choices grouped as a picker shows them: groups, agencies, districts, communes."""
    labels: dict[str, Any] = {
        OrgUnitKind.AGENCY: gettext_lazy("Agencies"),
        OrgUnitKind.DISTRICT: gettext_lazy("District-level People's Committees"),
        OrgUnitKind.COMMUNE: gettext_lazy("Commune-level People's Committees"),
    }
    out: list[tuple[str, Any]] = [("", "—")]
    if groups:
        out.append((str(gettext_lazy("Groups")), [(code, str(LeadGroup(code).label)) for code in GROUP_NAMES]))
    by_kind: dict[str, list[tuple[str, str]]] = {}
    for unit in units:
        by_kind.setdefault(unit.kind, []).append((unit.code, unit.name))
    for kind, items in by_kind.items():
        out.append((str(labels.get(kind, gettext_lazy("Other units"))), items))
    return out


class InboxChooserForm(forms.Form):
    """The agency inbox's chooser: every unit a directive can be given to, in one list grouped as
    officials think of them (agencies, then district- and commune-level People's Committees), each
    group in the order of the unit tree (communes district by district)."""

    GROUPS: ClassVar[dict[str, Any]] = {
        OrgUnitKind.AGENCY: gettext_lazy("Agencies"),
        OrgUnitKind.DISTRICT: gettext_lazy("District-level People's Committees"),
        OrgUnitKind.COMMUNE: gettext_lazy("Commune-level People's Committees"),
        OrgUnitKind.OTHER: gettext_lazy("Other units"),
    }

    unit = forms.ChoiceField(
        label=gettext_lazy("Unit"), error_messages={"invalid_choice": gettext_lazy("Choose a unit from the list.")}
    )

    def __init__(self, data: Any = None, *, tree: Sequence[TreeUnit]) -> None:
        super().__init__(data)
        grouped: dict[str, list[tuple[str, str]]] = {kind: [] for kind in self.GROUPS}
        for item in tree:
            if item.unit.kind in grouped:
                grouped[item.unit.kind].append((item.unit.code, item.unit.name))
        choices: list[tuple[str, Any]] = [("", "—")]
        choices += [(str(self.GROUPS[kind]), units) for kind, units in grouped.items() if units]
        cast(forms.ChoiceField, self.fields["unit"]).choices = choices


class RegisterFilterForm(forms.Form):
    as_of = forms.DateField(
        label=gettext_lazy("As at"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("Status and days overdue on this day; empty: today."),
        error_messages={"invalid": gettext_lazy("Write the date as 2024-06-30.")},
    )
    agency = forms.ChoiceField(label=gettext_lazy("Agency"), required=False)
    role = forms.ChoiceField(
        label=gettext_lazy("Its role"),
        required=False,
        choices=[
            ("", gettext_lazy("Leads or coordinates")),
            (ROLE_LEAD, gettext_lazy("Leads (as its scorecard counts)")),
        ],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=[("", "—"), *DirectiveStatus.choices]
    )
    due_from = forms.DateField(label=gettext_lazy("Due from"), required=False, widget=DateInput())
    due_to = forms.DateField(label=gettext_lazy("Due until"), required=False, widget=DateInput())
    q = forms.CharField(label=gettext_lazy("Contains"), required=False, max_length=100)

    def __init__(self, data: Any, *, units: Sequence[OrgUnit], today: dt.date) -> None:
        super().__init__(data)
        self.units = {u.code: u for u in units}
        self.today = today
        cast(forms.ChoiceField, self.fields["agency"]).choices = unit_choices(units, groups=False)

    def clean_as_of(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("as_of")
        if day is not None and day > self.today:
            raise forms.ValidationError(_("This date is after today: the register answers up to today."))
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("due_from"), data.get("due_to")
        if start and end and end < start:
            self.add_error("due_to", _("The end of the window is before its start."))
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (evidence)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ProgressForm(forms.Form):
    percent = forms.IntegerField(label=gettext_lazy("Progress (%)"), min_value=0, max_value=100)
    reported_on = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    text = forms.CharField(label=gettext_lazy("What has been done"), widget=forms.Textarea(attrs={"rows": 4}))
    evidence = MultipleFileField(label=gettext_lazy("Evidence files"), required=False)


class ReviewForm(forms.Form):
    update = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=500)


class ExtractForm(forms.Form):
    """Step one: the document and its text (pasted, or a UTF-8 text file)."""

    kind = forms.ChoiceField(label=gettext_lazy("Kind of document"), choices=SourceKind.choices)
    number = forms.CharField(label=gettext_lazy("Number"), required=False, max_length=64)
    date = forms.DateField(label=gettext_lazy("Date of the document"), widget=DateInput())
    issuer = forms.CharField(label=gettext_lazy("Issued by"), required=False, max_length=200)
    title = forms.CharField(label=gettext_lazy("Title"), required=False, max_length=500)
    text = forms.CharField(
        label=gettext_lazy("Text"), required=False, widget=forms.Textarea(attrs={"rows": 14}), max_length=500_000
    )
    upload = forms.FileField(
        label=gettext_lazy("…or a text file (.txt, UTF-8)"), required=False, widget=forms.ClearableFileInput()
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("upload")
        if upload:
            if (upload.size or 0) > MAX_TEXT_BYTES:
                self.add_error("upload", _("The file is larger than 2 MB; is it really a text?"))
            else:
                try:
                    data["text"] = upload.read().decode("utf-8-sig")
                except UnicodeDecodeError:
                    self.add_error(
                        "upload",
                        _("The file is not UTF-8 text. Save it as plain text (UTF-8), or paste the text instead."),
                    )
        if not (data.get("text") or "").strip() and not self.errors:
            self.add_error("text", _("Paste the text of the document, or choose a text file."))
        return data


RECURRENCE_CHOICES = [("", gettext_lazy("One-off")), *[c for c in Recurrence.choices if c[0]]]


class ProposalForm(forms.Form):
    """Step two: one proposed directive, as the operator corrects it."""

    keep = forms.BooleanField(label=gettext_lazy("Keep"), required=False, initial=True)
    content = forms.CharField(label=gettext_lazy("Content"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    lead = forms.ChoiceField(label=gettext_lazy("Lead agency"), required=False)
    coordinating = forms.MultipleChoiceField(
        label=gettext_lazy("Coordinating agencies"), required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    deadline = forms.DateField(label=gettext_lazy("Deadline"), required=False, widget=DateInput())
    recurrence = forms.ChoiceField(label=gettext_lazy("Recurrence"), required=False, choices=RECURRENCE_CHOICES)
    recurrence_day = forms.IntegerField(
        label=gettext_lazy("Day of the month"), required=False, min_value=1, max_value=31
    )
    source_sentence = forms.CharField(required=False, widget=forms.HiddenInput)
    suggested = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # The agencies as the text names them, carried from reading to saving unchanged.
    lead_text = forms.CharField(required=False, widget=forms.HiddenInput)
    coordinating_text = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, choices: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["lead"]).choices = choices
        cast(forms.ChoiceField, self.fields["coordinating"]).choices = choices[1:]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("keep"):
            return data
        recurrence = data.get("recurrence") or ""
        if recurrence in (Recurrence.MONTHLY, Recurrence.QUARTERLY) and data.get("deadline"):
            self.add_error("deadline", _("A recurring directive has no single deadline; leave the deadline empty."))
        if recurrence == Recurrence.MONTHLY and not data.get("recurrence_day"):
            self.add_error("recurrence_day", _("Give the day of the month (31 for the last day)."))
        return data


class BaseProposalFormSet(forms.BaseFormSet[ProposalForm]):
    def __init__(self, *args: Any, choices: list[tuple[str, Any]], **kwargs: Any) -> None:
        self.choices = choices
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "choices": self.choices}


ProposalFormSet = cast(
    "type[BaseProposalFormSet]",
    forms.formset_factory(ProposalForm, formset=BaseProposalFormSet, extra=0, max_num=500),
)


def initial_date() -> dt.date:
    return timezone.localdate()
