"""What the analytics API answers: the measures of each combination asked, a ranking's rows."""

from __future__ import annotations

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

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
    },
    many=True,
)
