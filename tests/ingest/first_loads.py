"""What the tests of a first load share: a file whose figures' statuses the status policy decides
one by one, and the statuses it must give them."""

from __future__ import annotations

from typing import Any

from dieuhanh.reporting.models import DataSet
from tests.factories import IndicatorFactory

# (indicator, unit, status) of the file's figures: REV at a commune awaits approval.
DECIDED_STATUSES = {
    ("REV", "718", "approved"),
    ("REV", "25741", "submitted"),
    ("EMP", "718", "approved"),
    ("EMP", "25741", "approved"),
}


def file_the_policy_decides(revenue: Any) -> bytes:
    """Eight figures of REV and EMP at a district and a commune; a data set asks the communes for
    approval of REV."""
    data_set = DataSet.objects.create(
        code="BC", name="Báo cáo", period_type="monthly", org_unit_kind="commune", approval=True
    )
    data_set.indicators.add(revenue)
    IndicatorFactory(code="EMP")
    rows = "".join(
        f"{ind},{unit},2023{m:02d},{m}.5,note {m}\n"
        for ind in ("REV", "EMP")
        for unit in ("718", "25741")
        for m in (1, 2)
    )
    return ("indicator,org_unit,period,value,comment\n" + rows).encode()
