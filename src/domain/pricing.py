"""Quotes: nightly prices with the weekend multiplier, and the deposit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

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


def quote(accommodation: Accommodation, stay: Stay, deposit_percent: Decimal) -> Quote:
    total = Money.zero(accommodation.base_price.currency)
    for night in stay.each_night():
        total = total + nightly_price(accommodation, night)
    return Quote(nights=stay.nights, total=total, deposit=total.percent(deposit_percent))
