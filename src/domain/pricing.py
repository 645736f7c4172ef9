"""Quotes: nightly prices with the weekend multiplier, and the deposit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from domain.accommodation import Accommodation
from domain.money import Money
from domain.stay import Stay

FRIDAY, SATURDAY = 4, 5
WEEKEND_NIGHTS = frozenset({FRIDAY, SATURDAY})


@dataclass(frozen=True, slots=True)
class Quote:
    nights: int
    total: Money
    deposit: Money

    @property
    def currency(self) -> str:
        return self.total.currency


def nightly_price(accommodation: Accommodation, night: date) -> Money:
    """Friday and Saturday nights (the nights a weekend guest arrives for) carry the multiplier."""
    if night.weekday() in WEEKEND_NIGHTS:
        return accommodation.base_price.times(accommodation.weekend_multiplier)
    return accommodation.base_price


def weekend_nights(stay: Stay) -> int:
    """How many of the stay's nights are Friday or Saturday nights."""
    return _weekend_nights(stay.check_in.weekday(), stay.nights)


@cache
def _weekend_nights(first_weekday: int, nights: int) -> int:
    return sum(1 for i in range(nights) if (first_weekday + i) % 7 in WEEKEND_NIGHTS)


def quote(accommodation: Accommodation, stay: Stay, deposit_percent: Decimal) -> Quote:
    """Σ nightly prices, computed per kind of night (this runs for every cabin on every
    availability request, so it does two multiplications rather than one per night)."""
    base = accommodation.base_price
    weekend = weekend_nights(stay)
    weekend_price = base.times(accommodation.weekend_multiplier) if weekend else base
    total = Money(
        base.cents * (stay.nights - weekend) + weekend_price.cents * weekend, base.currency
    )
    return Quote(nights=stay.nights, total=total, deposit=total.percent(deposit_percent))
