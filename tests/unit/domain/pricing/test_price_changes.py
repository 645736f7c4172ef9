"""Dated price changes: from a day on, every night's price moves by a percentage."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.money import Money
from domain.pricing import (
    DateOverride,
    InvalidPriceRule,
    OverlappingPriceRules,
    PriceChange,
    PriceList,
    Rate,
    RecurringRange,
    Season,
)
from domain.pricing.holidays import HolidayCalendar
from domain.pricing.preview import compare_months

NONE = HolidayCalendar()
BASE = Money.of("100000")
HIGH = Season("Alta", RecurringRange.parse("15/12", "28/02"), Rate(nightly=Money.of("150000")))
NYE = DateOverride(
    "Año nuevo", date(2026, 12, 31), date(2026, 12, 31), Rate(nightly=Money.of("4E5"))
)


def price(prices: PriceList, night: date) -> Money:
    return prices.terms(night, NONE).price.price


def test_a_change_moves_every_rule_from_its_day_and_changes_compound() -> None:
    plain = PriceList(BASE, Decimal("1.5"), seasons=(HIGH,), overrides=(NYE,))
    march = PriceChange(date(2027, 3, 1), Decimal(8))
    june = PriceChange(date(2027, 6, 1), Decimal(5))
    changed = PriceList(
        BASE, Decimal("1.5"), seasons=(HIGH,), overrides=(NYE,), changes=(june, march)
    )
    assert price(changed, date(2027, 2, 28)) == price(plain, date(2027, 2, 28))  # before
    assert price(changed, date(2027, 3, 1)) == Money.of("108000")  # a Monday, base
    assert price(changed, date(2027, 3, 5)) == Money.of("162000")  # a Friday: 150k + 8 %
    assert price(changed, date(2027, 6, 7)) == Money.of("113400")  # 100k × 1.08 × 1.05
    later = PriceChange(date(2027, 12, 1), Decimal(-10))
    with_override = PriceList(BASE, overrides=(NYE,), changes=(later,))
    assert price(with_override, date(2026, 12, 31)) == Money.of("400000")  # before its day


def test_two_changes_on_one_day_and_a_change_that_frees_a_night_are_refused() -> None:
    day = date(2027, 3, 1)
    with pytest.raises(OverlappingPriceRules) as twice:
        PriceList(BASE, changes=(PriceChange(day, Decimal(8)), PriceChange(day, Decimal(2))))
    assert twice.value.field == "price_changes"
    with pytest.raises(InvalidPriceRule, match="0 %"):
        PriceChange(day, Decimal(0))
    cut = PriceChange(day, Decimal(-60))
    assert price(PriceList(Money(2), changes=(cut,)), day) == Money(1)  # 0.8 cents, half-up
    again = PriceChange(date(2027, 4, 1), Decimal(-60))
    with pytest.raises(InvalidPriceRule) as free:
        PriceList(Money(2), changes=(cut, again))  # 1 cent −60 % is 0
    assert free.value.field == "price_changes"


@given(
    percent=st.decimals(min_value=Decimal("-99"), max_value=Decimal(100), places=2).filter(bool),
    offset=st.integers(min_value=0, max_value=400),
)
def test_nights_before_the_change_never_move_and_nights_after_move_by_it(
    percent: Decimal, offset: int
) -> None:
    day = date(2026, 12, 1) + timedelta(days=offset)
    plain = PriceList(BASE, Decimal("1.5"), seasons=(HIGH,))
    changed = PriceList(BASE, Decimal("1.5"), seasons=(HIGH,), changes=(PriceChange(day, percent),))
    for night in (day - timedelta(days=1), day, day + timedelta(days=3)):
        expected = price(plain, night)
        if night >= day:
            expected = expected.percent(Decimal(100) + percent)
        assert price(changed, night) == expected


def test_the_preview_compares_whole_months_before_and_after() -> None:
    plain = PriceList(BASE)
    changed = PriceList(BASE, changes=(PriceChange(date(2027, 3, 15), Decimal(10)),))
    feb, mar, apr = compare_months(plain, changed, date(2027, 2, 10), 3, NONE)
    assert (feb.month, feb.nights, feb.before, feb.after) == (
        date(2027, 2, 1),
        28,
        Money.of(28 * 100000),
        Money.of(28 * 100000),
    )
    assert mar.after == Money.of(14 * 100000 + 17 * 110000)
    assert apr.after_average == Money.of("110000")
