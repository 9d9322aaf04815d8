"""money.py: exact conversions, refusals, half-even rounding."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from esg_portal import money


def test_minor_units_round_trip_exactly():
    assert money.to_minor(Decimal("1234567.89"), "KGS") == 123456789
    assert money.from_minor(-50000, "KGS") == Decimal("-500.00")
    assert money.format_plain(123456789, "USD") == "1234567.89"
    assert money.format_plain(-50000, "KGS") == "-500.00"
    assert money.format_plain(0, "KGS") == "0.00"


@pytest.mark.parametrize("bad", [Decimal("0.001"), Decimal("NaN"), Decimal("Infinity")])
def test_refuses_what_cannot_be_stored_exactly(bad):
    with pytest.raises(money.MoneyError):
        money.to_minor(bad, "KGS")


def test_refuses_float_and_unknown_currency():
    with pytest.raises(money.MoneyError):
        money.to_minor(1.5, "KGS")  # type: ignore[arg-type]
    with pytest.raises(money.MoneyError):
        money.to_minor(Decimal("1"), "EUR")


def test_usd_to_kgs_rounds_half_even_to_the_tyiyn():
    rate = money.rate_to_scaled(Decimal("87.4500"))
    assert rate == 874500
    # 0.01 USD * 87.45 = 0.8745 KGS -> 87.45 tyiyn -> 87 (half-even on .45? no: 87.45 -> 87)
    assert money.usd_minor_to_kgs_minor(1, rate) == 87
    # 0.10 USD * 87.45 = 8.745 KGS = 874.5 tyiyn -> 874 (half to even)
    assert money.usd_minor_to_kgs_minor(10, rate) == 874
    # 0.30 USD -> 2623.5 tyiyn -> 2624 (half to even)
    assert money.usd_minor_to_kgs_minor(30, rate) == 2624


def test_kgs_to_usd_is_kgs_divided_by_rate_half_even():
    rate = money.rate_to_scaled(Decimal("80"))
    assert money.kgs_minor_to_usd(100, rate) == Decimal("0.01")  # 1 / 80 = 0.0125 -> 0.01
    assert money.kgs_minor_to_usd(300, rate) == Decimal("0.04")  # 3 / 80 = 0.0375 -> 0.04


def test_rates_and_shares_are_scaled_integers():
    assert money.rate_from_scaled(money.rate_to_scaled(Decimal("89.1234"))) == Decimal("89.1234")
    with pytest.raises(money.MoneyError):
        money.rate_to_scaled(Decimal("89.12345"))
    assert money.basis_points_from_percent(Decimal("30")) == 3000
    assert money.percent_from_basis_points(3333) == Decimal("33.33")


@given(st.integers(min_value=-10**17, max_value=10**17))
def test_any_minor_amount_survives_a_round_trip(minor):
    assert money.to_minor(money.from_minor(minor, "KGS"), "KGS") == minor
    assert Decimal(money.format_plain(minor, "KGS")) == money.from_minor(minor, "KGS")
