"""A cabin's stored rules, joined with the cabin's own base price into a ``PriceList`` when a
stay is quoted; and the quoting of many cabins for one stay (availability)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from domain.booking.accommodation import Accommodation
from domain.money import Money
from domain.pricing.breakdown import PriceBreakdown
from domain.pricing.holidays import HolidayCalendar
from domain.pricing.price_list import PriceList
from domain.pricing.quoting import quote_stay
from domain.pricing.rules import (
    DateOverride,
    Fees,
    LengthOfStayDiscount,
    LongWeekendRule,
    PriceChange,
    Season,
)
from domain.stay import Stay


@dataclass(frozen=True, slots=True)
class CabinPriceRules:
    seasons: tuple[Season, ...] = ()
    overrides: tuple[DateOverride, ...] = ()
    long_weekend: LongWeekendRule | None = None
    fees: Fees = field(default_factory=Fees)
    discounts: tuple[LengthOfStayDiscount, ...] = ()
    changes: tuple[PriceChange, ...] = ()


NO_RULES = CabinPriceRules()


def price_list(accommodation: Accommodation, rules: CabinPriceRules = NO_RULES) -> PriceList:
    """The cabin's base price, weekend multiplier and minimum stay under its rules."""
    return PriceList(
        base=accommodation.base_price,
        weekend_multiplier=accommodation.weekend_multiplier,
        min_nights=accommodation.min_nights,
        seasons=rules.seasons,
        overrides=rules.overrides,
        long_weekend=rules.long_weekend,
        fees=rules.fees,
        discounts=rules.discounts,
        changes=rules.changes,
    )


@dataclass(frozen=True, slots=True)
class Pricing:
    """Every cabin's rules (by accommodation id; a cabin without rules is priced by its base)
    and the holidays, for quoting many cabins at once."""

    rules: Mapping[int, CabinPriceRules] = field(default_factory=dict)
    holidays: HolidayCalendar = field(default_factory=HolidayCalendar)

    def quote(
        self, accommodation: Accommodation, stay: Stay, guests: int, deposit_percent: Decimal
    ) -> PriceBreakdown:
        rules = self.rules.get(accommodation.id)
        if rules is None:
            price = accommodation.base_price
            return _quote_base(
                price.cents,
                price.currency,
                accommodation.weekend_multiplier,
                accommodation.min_nights,
                stay.check_in,
                stay.check_out,
                deposit_percent,
            )
        prices = compiled_price_list(accommodation, rules)
        return quote_stay(
            prices, stay, guests, deposit_percent=deposit_percent, holidays=self.holidays
        )


# A cabin without rules has no fees and no long-weekend rule: its quote depends on plain values
# only (not on the guests or the holidays), and the same stays are asked for again and again.
@lru_cache(maxsize=4096)
def _quote_base(
    cents: int,
    currency: str,
    multiplier: Decimal,
    min_nights: int,
    check_in: date,
    check_out: date,
    deposit_percent: Decimal,
) -> PriceBreakdown:
    prices = _base_price_list(cents, currency, multiplier, min_nights)
    return quote_stay(prices, Stay(check_in, check_out), 1, deposit_percent=deposit_percent)


@lru_cache(maxsize=4096)
def _base_price_list(cents: int, currency: str, multiplier: Decimal, min_nights: int) -> PriceList:
    return PriceList(Money(cents, currency), multiplier, min_nights)


# Compiled price lists (``PriceList``: validated, sorted, its base nights worked out), by the
# identity of the rules they were built from and the cabin's pricing fields. Availability quotes
# every cabin on every request, while rules and base prices change a few times a season: a
# ``PriceList`` is built (and validated) once per change, not once per cabin and request. The
# entry holds the rules object itself, so its id cannot be reused by another while cached.
_COMPILED: dict[tuple[int, int, str, Decimal, int], tuple[CabinPriceRules, PriceList]] = {}
_COMPILED_MAX = 4096


def compiled_price_list(accommodation: Accommodation, rules: CabinPriceRules) -> PriceList:
    """``price_list(accommodation, rules)``, remembered (rules that no longer price with the
    cabin's base raise ``InvalidPriceRule`` on every call, never cached)."""
    price = accommodation.base_price
    key = (
        id(rules),
        price.cents,
        price.currency,
        accommodation.weekend_multiplier,
        accommodation.min_nights,
    )
    found = _COMPILED.get(key)
    if found is not None and found[0] is rules:
        return found[1]
    prices = price_list(accommodation, rules)
    if len(_COMPILED) >= _COMPILED_MAX:
        _COMPILED.clear()
    _COMPILED[key] = (rules, prices)
    return prices
