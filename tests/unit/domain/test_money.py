from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValue
from domain.money import Money


def test_of_rounds_half_up_to_the_cent() -> None:
    assert Money.of("10.005").cents == 1001
    assert Money.of("10.004").cents == 1000
    assert Money.of(Decimal("85000")).amount == Decimal("85000.00")


def test_percent_rounds_half_up() -> None:
    assert Money(1001).percent(Decimal(50)).cents == 501  # 500.5 → 501
    assert Money(289_000_00).percent(Decimal(30)) == Money(86_700_00)


@pytest.mark.parametrize("bad", [-1, 1.5, True])
def test_rejects_negative_or_non_integer_cents(bad: object) -> None:
    with pytest.raises(InvalidValue):
        Money(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity"])
def test_of_rejects_non_numbers(bad: str) -> None:
    with pytest.raises(InvalidValue):
        Money.of(bad)


def test_cannot_add_different_currencies() -> None:
    with pytest.raises(InvalidValue, match="cannot mix"):
        Money(100, "ARS") + Money(100, "USD")


def test_bad_currency_code() -> None:
    with pytest.raises(InvalidValue, match="ISO 4217"):
        Money(100, "pesos")


@given(st.integers(0, 10**12), st.integers(0, 10**12))
def test_addition_is_exact(a: int, b: int) -> None:
    assert (Money(a) + Money(b)).cents == a + b


@given(st.integers(0, 10**12))
def test_amount_round_trips(cents: int) -> None:
    assert Money.of(Money(cents).amount).cents == cents


@given(
    st.integers(0, 10**13),
    st.decimals(min_value=Decimal(0), max_value=Decimal(1000), places=4),
)
def test_scaling_matches_decimal_half_up(cents: int, factor: Decimal) -> None:
    expected = (Decimal(cents) * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert Money(cents).times(factor).cents == int(expected)
    expected_pct = (Decimal(cents) * factor / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert Money(cents).percent(factor).cents == int(expected_pct)


def test_negative_factors_are_refused() -> None:
    with pytest.raises(InvalidValue):
        Money(100).times(Decimal(-1))
