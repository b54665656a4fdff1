"""Factories for the catalogue and data values."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.models import Indicator, Sector, Target
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.models import OrgUnit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit
        django_get_or_create = ("code", "valid_from")

    code = factory.Sequence(lambda n: f"U{n}")
    valid_from = None
    name = factory.LazyAttribute(lambda o: f"Đơn vị {o.code}")
    kind = "commune"


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n}")
    name = factory.LazyAttribute(lambda o: f"Lĩnh vực {o.code}")


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"IND{n}")
    name = factory.LazyAttribute(lambda o: f"Chỉ tiêu {o.code}")
    unit = "tỷ đồng"
    period_type = "monthly"
    aggregation = "sum"
    direction = "up"


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    year_from = 2023
    year_to = factory.SelfAttribute("year_from")
    value = Decimal(100)


def put(
    indicator: Indicator, unit: OrgUnit, period: str, value: float | int | str | Decimal, **extra: object
) -> DataValue:
    """Store one value directly (tests of analytics do not go through imports); approved unless a
    ``status`` is given (analytics counts approved figures by default)."""
    p = Period.parse(period)
    extra.setdefault("status", DataValueStatus.APPROVED)
    return DataValue.objects.create(
        indicator=indicator,
        org_unit=unit,
        period=p.code,
        period_start=p.start_date,
        value=Decimal(str(value)),
        **extra,
    )
