"""Hypothesis strategies for valid price lists (rules that never share a night at the same
specificity, by construction rather than by filtering)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from domain.money import Money
from domain.pricing import (
    DateOverride,
    DayMonth,
    Fees,
    LengthOfStayDiscount,
    LongWeekendRule,
    PriceList,
    Rate,
    RecurringRange,
    Season,
)

LEAP = date(2000, 1, 1)
FEBRUARY_29 = (date(2000, 2, 29) - LEAP).days
FIRST_NIGHT = date(2026, 1, 1)
LAST_NIGHT = date(2028, 12, 31)

prices = st.integers(100_00, 1_000_000_00).map(Money)
percents = st.decimals(min_value=Decimal(-90), max_value=Decimal(200), places=2)
rates = st.one_of(
    prices.map(lambda m: Rate(nightly=m)),
    percents.map(lambda p: Rate(percent_over_base=p)),
)
optional_min = st.none() | st.integers(1, 7)


def _day(index: int) -> DayMonth:
    return DayMonth.of(LEAP + timedelta(days=index % 366))


@st.composite
def seasons(draw: st.DrawFn) -> tuple[Season, ...]:
    """Disjoint ranges around the year (the last may wrap the new year), and perhaps one
    nested inside the first."""
    # No range starts on 29/02: one ending on 28/02 covers it (``RecurringRange``).
    starts = st.integers(0, 365).filter(lambda i: i != FEBRUARY_29)
    cuts = sorted(draw(st.sets(starts, min_size=0, max_size=6)))
    found: list[Season] = []
    for i, start in enumerate(cuts[:-1] if len(cuts) > 1 else []):
        end = cuts[i + 1] - 1
        if end < start or not draw(st.booleans()):
            continue
        found.append(_season(draw, f"S{i}", start, end))
    if len(cuts) >= 2 and draw(st.booleans()):  # wraps from the last cut to the first
        found.append(_season(draw, "W", cuts[-1], cuts[0] - 1 + 366))
    if found and draw(st.booleans()):
        outer = found[0]
        days = sorted(outer.dates.days())
        if len(days) >= 2:
            start = LEAP.replace(month=outer.dates.first.month, day=outer.dates.first.day)
            first = (start - LEAP).days
            inner_len = draw(st.integers(1, len(days) - 1))
            offset = draw(
                st.integers(0, len(days) - 1 - inner_len).filter(
                    lambda o: (first + o) % 366 != FEBRUARY_29
                )
            )
            found.append(_season(draw, "N", first + offset, first + offset + inner_len - 1))
    return tuple(found)


def _season(draw: st.DrawFn, name: str, start: int, end: int) -> Season:
    weekend = draw(st.none() | prices)
    arrivals = draw(st.none() | st.frozensets(st.integers(0, 6), min_size=1))
    return Season(
        name,
        RecurringRange(_day(start), _day(end)),
        draw(rates),
        weekend_nightly=weekend,
        min_nights=draw(optional_min),
        arrival_weekdays=arrivals,
    )


@st.composite
def overrides(draw: st.DrawFn) -> tuple[DateOverride, ...]:
    starts = sorted(draw(st.sets(st.integers(0, 1000), max_size=4)))
    found = []
    for i, start in enumerate(starts):
        room = (starts[i + 1] - start) if i + 1 < len(starts) else 10
        length = draw(st.integers(1, min(room, 10)))
        first = FIRST_NIGHT + timedelta(days=start)
        found.append(
            DateOverride(
                f"O{i}",
                first,
                first + timedelta(days=length - 1),
                draw(rates),
                draw(optional_min),
            )
        )
    return tuple(found)


fees = st.builds(
    Fees,
    cleaning=st.integers(0, 50_000_00).map(Money),
    extra_guest_nightly=st.integers(0, 20_000_00).map(Money),
    guests_included=st.just(2),
    pet=st.none() | st.integers(1, 10_000_00).map(Money),
)

discounts = st.lists(
    st.builds(
        LengthOfStayDiscount,
        min_nights=st.integers(2, 30),
        percent=st.decimals(min_value=Decimal("0.01"), max_value=Decimal(50), places=2),
    ),
    max_size=3,
    unique_by=lambda d: d.min_nights,
).map(tuple)


@st.composite
def price_lists(draw: st.DrawFn, *, with_overrides: bool = True) -> PriceList:
    return PriceList(
        base=draw(prices),
        weekend_multiplier=draw(st.decimals(min_value=1, max_value=3, places=3)),
        min_nights=draw(st.integers(1, 3)),
        seasons=draw(seasons()),
        overrides=draw(overrides()) if with_overrides else (),
        long_weekend=draw(st.none() | st.builds(LongWeekendRule, rates, optional_min)),
        fees=draw(fees),
        discounts=draw(discounts),
    )


stay_starts = st.dates(min_value=FIRST_NIGHT, max_value=LAST_NIGHT - timedelta(days=40))
