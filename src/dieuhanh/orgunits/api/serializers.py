"""What the org units API reads and writes."""

from __future__ import annotations

from rest_framework import serializers

from dieuhanh.orgunits.models import OrgUnit


class OrgUnitSerializer(serializers.ModelSerializer[OrgUnit]):
    # DRF pops declared fields off the class, so this does not clash with Field.parent at run time.
    parent = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", queryset=OrgUnit.objects.all(), allow_null=True, required=False
    )

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
        ]
        read_only_fields = ["depth"]
