from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.money import Money
from entrypoints.http.presenters import amount


@given(st.integers(0, 10**12))
def test_json_amounts_print_exactly_the_cents(cents: int) -> None:
    assert Decimal(repr(amount(Money(cents)))) == Decimal(cents) / 100
