"""Availability with price rules: a breakdown per cabin, the rules' stay limits, the gap."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.booking.availability import REASON_OCCUPIED, assess_all
from domain.booking.policy import BookingPolicy
from domain.money import Money
from domain.pricing import Fees, Rate, RecurringRange, Season, Specificity
from domain.pricing.cabin_rules import CabinPriceRules, Pricing
from domain.stay import Stay
from tests.unit.domain.builders import TODAY, cabin

HIGH = CabinPriceRules(
    seasons=(
        Season(
            "Temporada alta",
            RecurringRange.parse("15/12", "28/02"),
            Rate(nightly=Money.of("150000")),
            min_nights=4,
            arrival_weekdays=frozenset({0, 4, 5}),
        ),
    ),
    fees=Fees(cleaning=Money.of("20000")),
)


def span(start: date, nights: int) -> Stay:
    return Stay(start, start + timedelta(days=nights))


def test_each_cabin_is_quoted_under_its_own_rules_and_judged_by_their_limits() -> None:
    lake, hill = cabin(id=1), cabin(id=2, name="Cabaña del Cerro")
    pricing = Pricing({1: HIGH})
    friday = span(date(2026, 12, 18), 4)
    ok_lake, ok_hill = assess_all([lake, hill], friday, 2, {}, BookingPolicy(), TODAY, pricing)
    assert ok_lake.available
    assert ok_lake.breakdown is not None
    assert ok_lake.quote is not None
    assert ok_lake.quote.total == Money.of(4 * 150000 + 20000) == ok_lake.breakdown.total
    assert {r.rule.kind for r in ok_lake.breakdown.rates()} == {Specificity.SEASON}
    assert ok_hill.breakdown is not None
    assert {r.rule.kind for r in ok_hill.breakdown.rates()} == {Specificity.BASE}

    short = span(date(2026, 12, 18), 3)
    (refused, _) = assess_all([lake, hill], short, 2, {}, BookingPolicy(), TODAY, pricing)
    assert (refused.available, refused.reason_code) == (False, "nights_out_of_range")
    assert (refused.quote, refused.breakdown) == (None, None)  # unpriced, as before rules
    tuesday = span(date(2026, 12, 15), 5)
    (refused, _) = assess_all([lake, hill], tuesday, 2, {}, BookingPolicy(), TODAY, pricing)
    assert refused.reason_code == "arrival_day_not_allowed"


def test_a_stay_filling_the_gap_between_bookings_is_available_below_the_minimum() -> None:
    lake = cabin(id=1)
    gap = span(date(2026, 12, 21), 2)  # Monday to Wednesday
    taken = {1: [span(date(2026, 12, 17), 4), span(date(2026, 12, 23), 5)]}
    (result,) = assess_all([lake], gap, 2, taken, BookingPolicy(), TODAY, Pricing({1: HIGH}))
    assert result.available, result.reason
    (result,) = assess_all([lake], gap, 2, {}, BookingPolicy(), TODAY, Pricing({1: HIGH}))
    assert result.reason_code == "nights_out_of_range"
    overlapping = {1: [span(date(2026, 12, 21), 3)]}
    stay = span(date(2026, 12, 18), 4)
    (result,) = assess_all([lake], stay, 2, overlapping, BookingPolicy(), TODAY, Pricing({1: HIGH}))
    assert result.reason_code == REASON_OCCUPIED


@given(
    st.integers(0, 300),
    st.integers(1, 30),
    st.integers(1, 6),
    st.integers(1, 10**8),
    st.decimals(min_value=1, max_value=3, places=3),
    st.integers(1, 4),
)
def test_without_rules_the_answer_is_todays_plus_the_breakdown(
    offset: int, nights: int, guests: int, cents: int, multiplier: Decimal, min_nights: int
) -> None:
    acc = cabin(base_price=Money(cents), weekend_multiplier=multiplier, min_nights=min_nights)
    stay = span(TODAY + timedelta(days=offset), nights)
    (plain,) = assess_all([acc], stay, guests, {}, BookingPolicy(), TODAY)
    (priced,) = assess_all([acc], stay, guests, {}, BookingPolicy(), TODAY, Pricing())
    assert plain[:5] == priced[:5]
    if priced.breakdown is not None:
        assert plain.quote is not None
        assert priced.breakdown.total == plain.quote.total


def test_rules_that_no_longer_price_with_the_base_leave_only_that_cabin_unpriced() -> None:
    # -99.5 % over a base of 100 leaves a night at 0.50, fine; lower the base to 0.50 and the
    # same percentage makes the night free: the stored rules no longer form a price list.
    cheap = cabin(id=1, base_price=Money.of("0.50"))
    hill = cabin(id=2, name="Cabaña del Cerro")
    rules = CabinPriceRules(
        seasons=(
            Season(
                "Liquidación",
                RecurringRange.parse("01/12", "31/12"),
                Rate(percent_over_base=Decimal("-99.5")),
            ),
        )
    )
    pricing = Pricing({1: rules, 2: rules})
    friday = span(date(2026, 12, 18), 2)
    broken, fine = assess_all([cheap, hill], friday, 2, {}, BookingPolicy(), TODAY, pricing)
    assert (broken.available, broken.reason_code, broken.quote) == (
        False,
        "prices_unavailable",
        None,
    )
    assert fine.available
    assert fine.breakdown is not None
