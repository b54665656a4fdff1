"""What the directives API reads and writes: the register's directives and their sources, progress
reports and reviews, extraction and scorecards."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from dieuhanh.directives.choices import DirectiveStatus, Recurrence
from dieuhanh.directives.models import Directive, EvidenceFile, ProgressUpdate, SourceDocument
from dieuhanh.directives.services import DirectiveError, DirectiveInput, parse_recurrence
from dieuhanh.directives.status import StatusAt


def invalid(exc: DirectiveError) -> ValidationError:
    """A refusal of the services, as the API answers it (400, with the messages under ``detail``)."""
    return ValidationError({"detail": exc.messages})


def recurrence_text(directive: Directive) -> str | None:
    """The recurrence as clients write it: ``monthly:20``, ``quarterly``, ``continuous`` or null."""
    if directive.recurrence == Recurrence.MONTHLY:
        return f"monthly:{directive.recurrence_day or 31:02d}"
    return directive.recurrence or None


class SourceDocumentSerializer(serializers.ModelSerializer[SourceDocument]):
    org_unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    directives = serializers.SerializerMethodField()

    class Meta:
        model = SourceDocument
        fields = [
            "id",
            "kind",
            "number",
            "date",
            "issuer",
            "title",
            "org_unit",
            "text",
            "file",
            "created_at",
            "directives",
        ]
        read_only_fields = ["id", "org_unit", "file", "created_at", "directives"]

    def get_directives(self, obj: SourceDocument) -> int:
        return getattr(obj, "directive_count", 0)


class DirectiveSerializer(serializers.ModelSerializer[Directive]):
    """A directive as the register shows it; ``lead_agency`` is a unit code, or the group code
    (``group:districts``, ``group:communes``, ``group:agencies``) of a group's directive."""

    lead_agency = serializers.SerializerMethodField()
    lead_agency_in_force = serializers.SerializerMethodField()
    coordinating_agencies = serializers.SerializerMethodField()
    recurrence = serializers.SerializerMethodField()
    as_of = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    days_overdue = serializers.SerializerMethodField()
    awaiting_confirmation = serializers.SerializerMethodField()

    class Meta:
        model = Directive
        fields = [
            "id",
            "source",
            "parent",
            "position",
            "content",
            "source_sentence",
            "lead_agency",
            "lead_agency_in_force",
            "coordinating_agencies",
            "deadline",
            "recurrence",
            "starts_on",
            "ends_on",
            "due_date",
            "completed_on",
            "progress",
            "as_of",
            "status",
            "days_overdue",
            "awaiting_confirmation",
        ]

    def get_lead_agency(self, obj: Directive) -> str | None:
        return obj.lead_group or (obj.lead_agency.code if obj.lead_agency else None)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_lead_agency_in_force(self, obj: Directive) -> str | None:
        """The code of the agency leading it on ``as_of``: ``lead_agency`` unless that agency was
        merged since (its successor) or the directive was handed over; null for a group's
        directive, and while a split agency's directive is not carried."""
        leads = self.context.get("leads")
        if obj.lead_agency is None or leads is None:
            return None
        state = leads.at(obj, self.context["as_of"])
        return state.unit.code if state is not None and state.unit is not None else None

    def get_coordinating_agencies(self, obj: Directive) -> list[str]:
        return [u.code for u in obj.coordinating_agencies.all()]

    def get_recurrence(self, obj: Directive) -> str | None:
        return recurrence_text(obj)

    def _state(self, obj: Directive) -> StatusAt | None:
        states: dict[int, StatusAt] = self.context["states"]
        return states.get(obj.pk)

    def get_as_of(self, obj: Directive) -> dt.date:
        day: dt.date = self.context["as_of"]
        return day

    @extend_schema_field(serializers.ChoiceField(choices=DirectiveStatus.choices, allow_null=True))
    def get_status(self, obj: Directive) -> str | None:
        """The category on ``as_of``; null if the directive had not been assigned by then."""
        state = self._state(obj)
        return str(state.status) if state is not None else None

    def get_days_overdue(self, obj: Directive) -> int:
        state = self._state(obj)
        return state.days_overdue if state is not None else 0

    def get_awaiting_confirmation(self, obj: Directive) -> bool:
        """A completion report awaits the office's confirmation on ``as_of``."""
        state = self._state(obj)
        return state.awaiting if state is not None else False


class DirectiveWriteSerializer(serializers.Serializer[Any]):
    """What a client sends to add or change a directive (the same shape extraction prints)."""

    # DRF pops declared fields off the class, so this does not clash with Field.source at run time.
    source = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=SourceDocument.objects.all(), required=False
    )
    content = serializers.CharField()
    lead_agency = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    coordinating_agencies = serializers.ListField(child=serializers.CharField(), required=False)
    deadline = serializers.DateField(required=False, allow_null=True)
    recurrence = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, help_text="monthly:20, quarterly, continuous"
    )
    ends_on = serializers.DateField(required=False, allow_null=True)
    source_sentence = serializers.CharField(required=False, allow_blank=True)

    def to_input(self) -> DirectiveInput:
        data = self.validated_data
        try:
            recurrence, day = parse_recurrence(data.get("recurrence"))
        except DirectiveError as exc:
            raise invalid(exc) from exc
        return DirectiveInput(
            content=data["content"],
            lead=data.get("lead_agency") or None,
            coordinating=list(data.get("coordinating_agencies") or []),
            deadline=data.get("deadline"),
            recurrence=recurrence,
            recurrence_day=day,
            ends_on=data.get("ends_on"),
            source_sentence=data.get("source_sentence") or "",
        )


class EvidenceSerializer(serializers.ModelSerializer[EvidenceFile]):
    class Meta:
        model = EvidenceFile
        fields = ["id", "name", "size", "uploaded_at"]


class ProgressUpdateSerializer(serializers.ModelSerializer[ProgressUpdate]):
    created_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "reported_on",
            "percent",
            "text",
            "occurrence_due",
            "review",
            "review_note",
            "created_by",
            "created_at",
            "evidence",
        ]


# GET /api/v1/directives/summary/: the register's counts on a day.
DIRECTIVE_SUMMARY = inline_serializer(
    "DirectiveSummary",
    {
        "as_of": serializers.DateField(),
        "total": serializers.IntegerField(),
        "counts": inline_serializer("DirectiveCounts", {s: serializers.IntegerField() for s in DirectiveStatus.values}),
        "awaiting_confirmation": serializers.IntegerField(),
    },
)

# POST /api/v1/directives/{id}/progress/: a progress report, with its evidence files.
PROGRESS_REPORT = inline_serializer(
    "ProgressReport",
    {
        "percent": serializers.IntegerField(min_value=0, max_value=100),
        "text": serializers.CharField(),
        "reported_on": serializers.DateField(required=False),
        "files": serializers.ListField(child=serializers.FileField(), required=False),
    },
)

# POST /api/v1/directives/{id}/review/: a completion report confirmed or returned.
PROGRESS_REVIEW = inline_serializer(
    "ProgressReview",
    {
        "update": serializers.IntegerField(),
        "accept": serializers.BooleanField(),
        "note": serializers.CharField(required=False, allow_blank=True),
    },
)

# POST /api/v1/directives/extract/: a document's text and date.
EXTRACT_REQUEST = inline_serializer(
    "ExtractRequest",
    {
        "text": serializers.CharField(),
        "date": serializers.DateField(),
        "suggest_leads": serializers.BooleanField(required=False),
    },
)

# ... and its answer: the directives read out of it, as `dieuhanh directives extract` prints them.
PROPOSED_DIRECTIVES = inline_serializer(
    "ProposedDirective",
    {
        "content": serializers.CharField(),
        "lead_agency": serializers.CharField(allow_null=True),
        "lead_agency_text": serializers.CharField(allow_null=True),
        "coordinating_agencies": serializers.ListField(child=serializers.CharField()),
        "coordinating_agencies_text": serializers.ListField(child=serializers.CharField()),
        "deadline": serializers.DateField(allow_null=True),
        "recurrence": serializers.CharField(allow_null=True),
        "source_sentence": serializers.CharField(),
    },
    many=True,
)

# GET /api/v1/directives/scorecards/: each unit's scorecard over a period.
SCORECARD_ROWS = inline_serializer(
    "Scorecard",
    {
        "org_unit": serializers.CharField(),
        "name": serializers.CharField(),
        "as_of": serializers.DateField(),
        "directives_assigned": serializers.IntegerField(),
        **{f"directives_{s}": serializers.IntegerField() for s in DirectiveStatus.values},
        "occurrences_done_on_time": serializers.IntegerField(),
        "occurrences_done_late": serializers.IntegerField(),
        "occurrences_on_time_rate": serializers.FloatField(allow_null=True),
        "occurrences_overdue": serializers.IntegerField(),
    },
    many=True,
)
