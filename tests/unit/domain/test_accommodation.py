from decimal import Decimal

import pytest

from domain.booking.accommodation import MAX_BASE_PRICE, base_price
from domain.errors import InvalidValue
from domain.money import Money
from tests.unit.domain.builders import cabin


@pytest.mark.parametrize(
    "bad", ["NaN", "sNaN", "Infinity", "-Infinity", "-1", "0", "0.00", "1e30", "1E+400", "10.001"]
)
def test_a_base_price_is_finite_bounded_and_in_cents(bad: str) -> None:
    with pytest.raises(InvalidValue, match="base_price"):
        base_price(Decimal(bad))


def test_base_prices_at_the_bounds() -> None:
    assert base_price(Decimal("0.01")) == Money(1)
    assert base_price(Decimal("70000.50")) == Money(7_000_050)
    assert base_price(MAX_BASE_PRICE).amount == MAX_BASE_PRICE


@pytest.mark.parametrize("bad", ["NaN", "sNaN", "Infinity", "0", "-1", "10.001", "1e30", "1.0001"])
def test_a_weekend_multiplier_is_finite_positive_bounded_with_three_decimals(bad: str) -> None:
    with pytest.raises(InvalidValue, match="weekend_multiplier"):
        cabin(weekend_multiplier=Decimal(bad))


def test_weekend_multipliers_at_the_bounds() -> None:
    assert cabin(weekend_multiplier=Decimal("0.001")).weekend_multiplier == Decimal("0.001")
    assert cabin(weekend_multiplier=Decimal("10.000")).weekend_multiplier == 10


def test_money_of_an_amount_too_long_for_the_context_is_invalid_not_a_crash() -> None:
    with pytest.raises(InvalidValue):
        Money.of("1E+400")


def test_a_weekend_night_rounded_to_nothing_is_refused() -> None:
    with pytest.raises(InvalidValue, match="free"):
        cabin(base_price=Money(1), weekend_multiplier=Decimal("0.4")).check_prices_a_night()
    cabin(base_price=Money(3), weekend_multiplier=Decimal("0.5")).check_prices_a_night()
