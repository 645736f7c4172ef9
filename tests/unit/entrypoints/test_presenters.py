from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.money import Money
from domain.pricing import HolidayCalendar, PriceList, quote_stay
from domain.stay import Stay
from entrypoints.http import presenters
from entrypoints.http.presenters import amount
from tests.unit.domain.pricing.strategies import price_lists, stay_starts


@given(st.integers(0, 10**12))
def test_json_amounts_print_exactly_the_cents(cents: int) -> None:
    assert Decimal(repr(amount(Money(cents)))) == Decimal(cents) / 100


@given(price_lists(), stay_starts, st.integers(1, 30), st.integers(1, 8))
def test_the_quote_groups_nights_as_the_breakdown_does(
    pl: PriceList, start: date, count: int, guests: int
) -> None:
    stay = Stay(start, start + timedelta(days=count))
    b = quote_stay(pl, stay, guests, deposit_percent=Decimal(30), holidays=HolidayCalendar())
    shown = presenters.quote(b)
    assert [
        (r.rule, r.rule_name, r.weekend, r.nights, r.nightly_amount, r.amount) for r in shown.rates
    ] == [
        (
            r.rule.kind.name.lower(),
            r.rule.name,
            r.weekend,
            r.nights,
            amount(r.nightly),
            amount(r.amount),
        )
        for r in b.rates()
    ]
    assert shown.nights_amount == amount(b.nights_total)
