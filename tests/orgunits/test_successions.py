"""How an old unit went into a new one: whole, unchanged and renamed carry all of it; a part carries
its share, or nothing known yet."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dieuhanh.orgunits.choices import MergeType
from dieuhanh.orgunits.models import Succession
from tests.conftest import Tree

pytestmark = pytest.mark.django_db

REFORM = dt.date(2025, 7, 1)


def test_all_of_a_unit_goes_on_unless_it_merged_in_part_and_an_unknown_part_is_not_guessed(tree: Tree) -> None:
    def succession(merge_type: str, share: str | None) -> Succession:
        return Succession(
            predecessor=tree.commune_a1,
            successor=tree.commune_a2,
            effective_date=REFORM,
            merge_type=merge_type,
            share=None if share is None else Decimal(share),
        )

    assert succession(MergeType.WHOLE, None).effective_share == 1
    assert succession(MergeType.RENAMED, None).effective_share == 1
    assert succession(MergeType.UNCHANGED, "1").effective_share == 1
    assert succession(MergeType.PART, "0.6").effective_share == Decimal("0.6")
    assert succession(MergeType.PART, None).effective_share is None


def test_a_share_below_one_is_refused_for_a_whole_merge_with_what_to_change(tree: Tree) -> None:
    whole = Succession(
        predecessor=tree.commune_a1,
        successor=tree.commune_a2,
        effective_date=REFORM,
        merge_type=MergeType.WHOLE,
        share=Decimal("0.4"),
    )
    with pytest.raises(ValidationError, match="nhập một phần"):
        whole.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        whole.save()
