"""The flat quote: nightly prices with the weekend multiplier, and the deposit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from typing import NamedTuple

from domain.booking.accommodation import Accommodation
from domain.money import Money
from domain.stay import Stay

FRIDAY, SATURDAY = 4, 5
WEEKEND_NIGHTS = frozenset({FRIDAY, SATURDAY})


class Quote(NamedTuple):
    """Immutable like the value objects, but a tuple: availability makes one per cabin per
    request, and a frozen dataclass's ``__init__`` (``object.__setattr__`` per field) costs
    twice as much."""

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
    """Σ nightly prices, computed per kind of night: two multiplications rather than one per
    night. A quote depends only on the price, the multiplier, how many nights and how many of
    them are weekend nights, so it is remembered by those (availability quotes every cabin on
    every request; a handful of stay shapes cover nearly all of them)."""
    return quote_nights(accommodation, stay.nights, weekend_nights(stay), deposit_percent)


def quote_nights(
    accommodation: Accommodation, nights: int, weekend: int, deposit_percent: Decimal
) -> Quote:
    """``quote`` for a stay already reduced to its nights and weekend nights (availability
    reduces the stay once and quotes every cabin with it)."""
    price = accommodation.base_price
    return _quote(
        price.cents,
        price.currency,
        accommodation.weekend_multiplier,
        nights,
        weekend,
        deposit_percent,
    )


# Keyed by plain values (ints, str, Decimals): their hash and equality run in C, where a Money
# key would call its dataclass __hash__/__eq__ in Python on every lookup.
@lru_cache(maxsize=4096)
def _quote(
    cents: int,
    currency: str,
    multiplier: Decimal,
    nights: int,
    weekend: int,
    deposit_percent: Decimal,
) -> Quote:
    base = Money(cents, currency)
    weekend_price = base.times(multiplier) if weekend else base
    total = Money(cents * (nights - weekend) + weekend_price.cents * weekend, currency)
    return Quote(nights=nights, total=total, deposit=total.percent(deposit_percent))
