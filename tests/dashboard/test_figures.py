"""How figures are written: Vietnamese grouping and decimal comma, rounding as offices round."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from dieuhanh.dashboard.templatetags.dh_figures import figure, percent, signed_percent, status_label


def test_a_figure_has_dot_thousands_and_a_decimal_comma_in_vietnamese() -> None:
    with translation.override("vi"):
        assert figure(Decimal("1234567.8"), 1) == "1.234.567,8"
        assert figure(Decimal("1234567"), 0) == "1.234.567"
        assert figure(Decimal("0.5"), 2) == "0,50"
        assert figure(Decimal("-74617000"), 0) == "-74.617.000"


def test_a_figure_follows_the_active_language() -> None:
    with translation.override("en"):
        assert figure(Decimal("1234567.8"), 1) == "1,234,567.8"


def test_a_figure_is_rounded_half_up_not_cut_off() -> None:
    with translation.override("vi"):
        assert figure(Decimal("2.45"), 1) == "2,5"
        assert figure(Decimal("1234567.849"), 1) == "1.234.567,8"
        assert figure(Decimal("0.999"), 2) == "1,00"
        assert figure(Decimal("-0.04"), 1) == "0,0"  # never "-0,0"


def test_a_missing_figure_is_a_dash() -> None:
    assert figure(None, 1) == "–"
    assert figure("", 1) == "–"
    assert percent(None) == "–"
    assert signed_percent(None) == "–"


def test_a_change_carries_its_sign_with_one_decimal() -> None:
    with translation.override("vi"):
        assert signed_percent(Decimal("23.456")) == "+23,5"
        assert signed_percent(Decimal("-4")) == "-4,0"
        assert signed_percent(Decimal("0.04")) == "0,0"
        assert percent(Decimal("61.73")) == "61,7"


def test_a_long_computed_ratio_is_rounded_without_overflowing_the_decimal_context() -> None:
    with translation.override("vi"):
        assert figure(Decimal("123456789012345678.123456789012345678"), 3) == "123.456.789.012.345.678,123"


def test_every_status_has_a_badge_text_and_no_status_has_none() -> None:
    assert all(status_label(s) for s in ("on_track", "at_risk", "off_track", "no_target"))
    assert status_label(None) == ""
