"""What the analytics API answers: the measures of each combination asked, a ranking's rows."""

from __future__ import annotations

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers


def _basis_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=["approved", "submitted"],
        help_text="Which figures the answer counts: approved only, or submitted (awaiting approval) too.",
    )


MEASURES = inline_serializer(
    "Measures",
    {
        "indicator": serializers.CharField(),
        "org_unit": serializers.CharField(),
        "period": serializers.CharField(),
        "value": serializers.FloatField(allow_null=True),
        "previous": serializers.FloatField(allow_null=True),
        "yoy_pct": serializers.FloatField(allow_null=True),
        "ytd": serializers.FloatField(allow_null=True),
        "plan": serializers.FloatField(allow_null=True),
        "plan_completion_pct": serializers.FloatField(allow_null=True),
        "projection": serializers.FloatField(allow_null=True),
        "status": serializers.ChoiceField(choices=["on_track", "at_risk", "off_track", "no_target"], allow_null=True),
        "yoy_pp": serializers.FloatField(allow_null=True),
        "plan_gap_pp": serializers.FloatField(allow_null=True),
        "reported": serializers.IntegerField(allow_null=True),
        "expected": serializers.IntegerField(allow_null=True),
        "ytd_reported": serializers.IntegerField(allow_null=True),
        "ytd_expected": serializers.IntegerField(allow_null=True),
        "rebased": serializers.BooleanField(
            help_text="Whether value, previous, ytd or projection draws on months before the unit existed, "
            "re-based from its predecessors."
        ),
        "composition": inline_serializer(
            "RebasedFrom",
            {
                "org_unit": serializers.CharField(help_text="A predecessor's code."),
                "share": serializers.FloatField(
                    allow_null=True, help_text="The part of it carried to the unit; null: a part of unknown share."
                ),
            },
            many=True,
        ),
        "missing_reason": serializers.ChoiceField(
            choices=["share_unknown", "not_rebased"],
            allow_null=True,
            help_text="Why a re-based figure is missing: a predecessor's share is not known, or the indicator "
            "(an index) is not re-based.",
        ),
        "missing_units": serializers.ListField(
            child=serializers.CharField(), help_text="The predecessors whose share is not known."
        ),
        "basis": _basis_field(),
        "unapproved": serializers.BooleanField(
            help_text="Whether value rests on at least one figure awaiting approval (basis 'submitted' only)."
        ),
        "previous_unapproved": serializers.BooleanField(
            help_text="Whether previous rests on at least one figure awaiting approval."
        ),
        "ytd_unapproved": serializers.BooleanField(
            help_text="Whether ytd (and with it plan_completion_pct, projection, status) rests on at least one "
            "figure awaiting approval."
        ),
    },
    many=True,
)

RANK_ROWS = inline_serializer(
    "RankRow",
    {
        "rank": serializers.IntegerField(allow_null=True),
        "org_unit": serializers.CharField(),
        "name": serializers.CharField(),
        "value": serializers.FloatField(allow_null=True),
        "rebased": serializers.BooleanField(
            help_text="Whether the unit's figure draws on months before it existed, re-based from its predecessors."
        ),
        "missing_reason": serializers.CharField(
            allow_null=True, help_text="Why a re-based figure is missing (share_unknown, not_rebased)."
        ),
        "missing_units": serializers.ListField(
            child=serializers.CharField(), help_text="The predecessors whose share is not known."
        ),
        "basis": _basis_field(),
        "unapproved": serializers.BooleanField(
            help_text="Whether the unit's figure rests on at least one figure awaiting approval "
            "(basis 'submitted' only)."
        ),
    },
    many=True,
)
