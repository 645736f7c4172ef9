"""Properties of every quote, over generated price lists, stays and holidays."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.money import Money
from domain.pricing import (
    HolidayCalendar,
    PriceBreakdown,
    PriceList,
    Specificity,
    quote,
    quote_stay,
)
from domain.stay import Stay
from tests.unit.domain.builders import cabin
from tests.unit.domain.pricing.strategies import (
    FIRST_NIGHT,
    LAST_NIGHT,
    price_lists,
    stay_starts,
)

stays = st.builds(
    lambda start, n: Stay(start, start + timedelta(days=n)), stay_starts, st.integers(1, 30)
)
holiday_sets = st.frozensets(
    st.dates(min_value=FIRST_NIGHT, max_value=LAST_NIGHT), max_size=30
).map(HolidayCalendar)
deposits = st.decimals(min_value=0, max_value=100, places=1)
guests = st.integers(1, 8)


def _quote(pl: PriceList, stay: Stay, calendar: HolidayCalendar, people: int = 2) -> PriceBreakdown:
    return quote_stay(pl, stay, people, deposit_percent=Decimal(30), holidays=calendar, pets=True)


@given(price_lists(), stays, guests, holiday_sets, deposits, st.booleans())
def test_the_total_is_the_sum_of_its_parts_and_never_free(
    pl: PriceList,
    stay: Stay,
    people: int,
    calendar: HolidayCalendar,
    deposit: Decimal,
    pets: bool,
) -> None:
    q = quote_stay(pl, stay, people, deposit_percent=deposit, holidays=calendar, pets=pets)
    assert len(q.nights) == stay.nights
    assert [n.night for n in q.nights] == list(stay.each_night())
    assert all(n.price.cents > 0 for n in q.nights)
    assert q.total.cents == (q.nights_total.cents - q.discounts_total.cents + q.fees_total.cents)
    assert sum(r.amount.cents for r in q.rates()) == q.nights_total.cents
    assert sum(r.nights for r in q.rates()) == stay.nights
    assert q.total.cents >= 1
    assert q.deposit.cents <= q.total.cents
    assert q.deposit + q.balance == q.total
    assert q.discounts_total.cents < q.nights_total.cents
    assert q.min_nights >= 1


@given(price_lists(), stays, holiday_sets, st.randoms(use_true_random=False))
def test_the_order_rules_are_given_in_does_not_matter(
    pl: PriceList, stay: Stay, calendar: HolidayCalendar, rnd: random.Random
) -> None:
    def shuffled[T](items: tuple[T, ...]) -> tuple[T, ...]:
        out = list(items)
        rnd.shuffle(out)
        return tuple(out)

    again = replace(
        pl,
        seasons=shuffled(pl.seasons),
        overrides=shuffled(pl.overrides),
        discounts=shuffled(pl.discounts),
    )
    assert _quote(again, stay, calendar) == _quote(pl, stay, calendar)


@given(price_lists(), stays, holiday_sets)
def test_a_date_override_wins_every_night_it_covers(
    pl: PriceList, stay: Stay, calendar: HolidayCalendar
) -> None:
    q = _quote(pl, stay, calendar)
    for night in q.nights:
        covering = [o for o in pl.overrides if o.contains(night.night)]
        if covering:
            (override,) = covering
            base, _ = pl.base_night(night.night)
            assert night.rule.kind is Specificity.OVERRIDE
            assert night.rule.name == override.name
            assert night.price == override.rate.price(base)
        else:
            assert night.rule.kind is not Specificity.OVERRIDE


@given(price_lists(), stays, holiday_sets)
def test_a_long_weekend_night_is_priced_by_the_long_weekend_rule_unless_overridden(
    pl: PriceList, stay: Stay, calendar: HolidayCalendar
) -> None:
    q = _quote(pl, stay, calendar)
    for night in q.nights:
        if night.rule.kind is Specificity.OVERRIDE:
            continue
        in_long_weekend = calendar.long_weekend_of_night(night.night) is not None
        expected = in_long_weekend and pl.long_weekend is not None
        assert (night.rule.kind is Specificity.LONG_WEEKEND) == expected


@given(price_lists(with_overrides=False), stays)
def test_seasons_recur_the_same_answer_28_years_later(pl: PriceList, stay: Stay) -> None:
    """Weekdays and leap years repeat every 28 years (from 1901 to 2099): with no dated rule,
    a stay and the same stay 28 years later are priced alike, night by night."""
    later = Stay(
        stay.check_in.replace(year=stay.check_in.year + 28),
        stay.check_out.replace(year=stay.check_out.year + 28),
    )
    q, q_later = _quote(pl, stay, HolidayCalendar()), _quote(pl, later, HolidayCalendar())
    assert [(n.price, n.rule) for n in q.nights] == [(n.price, n.rule) for n in q_later.nights]
    assert (q.total, q.deposit, q.min_nights) == (
        q_later.total,
        q_later.deposit,
        q_later.min_nights,
    )


@given(
    price_lists(with_overrides=False),
    st.dates(min_value=FIRST_NIGHT, max_value=LAST_NIGHT),
    st.integers(-5, 5),
)
def test_a_night_falls_in_the_same_season_every_year(
    pl: PriceList, night: date, years: int
) -> None:
    if (night.month, night.day) == (2, 29):
        night -= timedelta(days=1)
    shifted = night.replace(year=night.year + years)
    assert pl.season_of(night) == pl.season_of(shifted)


@given(
    st.integers(1, 10**9),
    st.decimals(min_value=Decimal("0.5"), max_value=Decimal(3), places=3),
    stays,
    deposits,
)
def test_with_no_rules_the_breakdown_agrees_with_the_flat_quote(
    cents: int, multiplier: Decimal, stay: Stay, deposit: Decimal
) -> None:
    acc = cabin(base_price=Money(cents), weekend_multiplier=multiplier)
    pl = PriceList(base=acc.base_price, weekend_multiplier=multiplier)
    q = quote_stay(pl, stay, 2, deposit_percent=deposit)
    flat = quote(acc, stay, deposit)
    assert (q.total, q.deposit) == (flat.total, flat.deposit)


@given(price_lists(), st.lists(st.tuples(stays, holiday_sets), min_size=1, max_size=6))
def test_a_list_answers_the_same_whatever_it_was_asked_before(
    pl: PriceList, asked: list[tuple[Stay, HolidayCalendar]]
) -> None:
    # Nights are remembered per list: a list asked many stays under many calendars answers
    # each exactly as a fresh copy of it that was never asked anything.
    for stay, calendar in asked:
        _quote(pl, stay, calendar)
    for stay, calendar in reversed(asked):
        assert _quote(pl, stay, calendar) == _quote(replace(pl), stay, calendar)
