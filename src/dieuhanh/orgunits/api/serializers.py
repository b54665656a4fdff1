"""What the org units API reads and writes: units, their groups, their successions (checked by the models' rules)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from dieuhanh.api import CodeRelatedField, ModelRulesSerializer
from dieuhanh.orgunits.models import OrgUnit, OrgUnitGroup, Succession


def unit_field(**kwargs: Any) -> CodeRelatedField[OrgUnit]:
    """A unit named by its code, refused with "unknown unit" when there is none."""
    return CodeRelatedField(
        queryset=OrgUnit.objects.all(), error_messages={"does_not_exist": _("unknown unit '{value}'.")}, **kwargs
    )


class OrgUnitSerializer(ModelRulesSerializer[OrgUnit]):
    # DRF pops declared fields off the class, so this does not clash with Field.parent at run time.
    parent = unit_field(allow_null=True, required=False)  # type: ignore[assignment]

    class Meta:
        model = OrgUnit
        fields = [
            "code",
            "name",
            "name_en",
            "kind",
            "parent",
            "depth",
            "valid_from",
            "valid_to",
            "latitude",
            "longitude",
            "sort_order",
        ]
        read_only_fields = ["depth"]


class OrgUnitGroupSerializer(ModelRulesSerializer[OrgUnitGroup]):
    members = unit_field(many=True, required=False)

    class Meta:
        model = OrgUnitGroup
        fields = ["code", "name", "members"]


class SuccessionSerializer(ModelRulesSerializer[Succession]):
    predecessor = unit_field()
    successor = unit_field()

    class Meta:
        model = Succession
        fields = ["id", "predecessor", "successor", "effective_date", "merge_type", "share", "note"]
