"""One cabin's price rules together, and the price of each night under them.

Which rule prices a night: a date override, else the long-weekend rule on a long weekend's
night, else the narrowest season covering it, else the base price (Friday and Saturday nights
with the weekend multiplier). Rules of the same specificity never share a night: overlapping
overrides, and seasons that overlap without one lying inside the other, are refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import combinations
from typing import cast

from domain.money import Money
from domain.pricing.base import WEEKEND_NIGHTS
from domain.pricing.breakdown import AppliedRule, NightPrice
from domain.pricing.errors import InvalidPriceRule, OverlappingPriceRules
from domain.pricing.holidays import HolidayCalendar
from domain.pricing.rules import (
    DateOverride,
    Fees,
    LengthOfStayDiscount,
    LongWeekendRule,
    PriceChange,
    Rate,
    Season,
    Specificity,
)
from domain.stay import Stay

BASE_RULE_NAME = "Tarifa base"
_BASE_RULE = AppliedRule(Specificity.BASE, BASE_RULE_NAME)
_DAYS = tuple(timedelta(days=n) for n in range(32))
# Nights remembered per price list: some years of nights (a long-weekend rule remembers each
# night per holiday calendar asked with), then it starts over.
_TERMS_MEMO_MAX = 4096


@dataclass(frozen=True, slots=True)
class NightTerms:
    """A night's price and the stay rules of the rule that priced it."""

    price: NightPrice
    min_nights: int
    arrival_weekdays: frozenset[int] | None


@dataclass(frozen=True, slots=True)
class PriceList:
    base: Money
    weekend_multiplier: Decimal = Decimal(1)
    min_nights: int = 1
    seasons: tuple[Season, ...] = ()
    overrides: tuple[DateOverride, ...] = ()
    long_weekend: LongWeekendRule | None = None
    fees: Fees = field(default_factory=Fees)
    discounts: tuple[LengthOfStayDiscount, ...] = ()
    changes: tuple[PriceChange, ...] = ()
    # Worked out once (a list prices every night of every quote): the weekend's base price.
    _weekend_base: Money = field(init=False, repr=False, compare=False)
    # Each night's terms, worked out once per list (and holiday calendar, when a long-weekend
    # rule reads it): a night's terms depend on nothing else, and availability asks every cabin
    # for the same few hundred nights again and again.
    _terms_memo: dict[object, NightTerms] = field(init=False, repr=False, compare=False)
    # One object per distinct rule and price among the remembered nights: each night kept
    # holds its own price object and shares the rest, so the collector has fewer to walk.
    _shared: dict[object, object] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.min_nights < 1:
            raise InvalidPriceRule("min_nights must be at least 1")
        self._check_currencies()
        _check_seasons(self.seasons)
        _check_overrides(self.overrides)
        if len({d.min_nights for d in self.discounts}) != len(self.discounts):
            raise _at(
                OverlappingPriceRules("two stay discounts start at the same number of nights"),
                "stay_discounts",
            )
        if len({c.effective_from for c in self.changes}) != len(self.changes):
            raise _at(
                OverlappingPriceRules("two price changes start on the same day"), "price_changes"
            )
        object.__setattr__(
            self, "changes", tuple(sorted(self.changes, key=lambda c: c.effective_from))
        )
        self._check_no_free_nights()
        # Kept in a canonical order: the answer never depends on the order rules were given in.
        narrowest_first = sorted(self.seasons, key=lambda s: (len(s.dates.days()), s.name))
        object.__setattr__(self, "seasons", tuple(narrowest_first))
        by_date = sorted(self.overrides, key=lambda o: o.first_night)
        object.__setattr__(self, "overrides", tuple(by_date))
        object.__setattr__(
            self, "discounts", tuple(sorted(self.discounts, key=lambda d: d.min_nights))
        )
        object.__setattr__(self, "_weekend_base", self.base.times(self.weekend_multiplier))
        object.__setattr__(self, "_terms_memo", {})
        object.__setattr__(self, "_shared", {})

    def plain_nights(self, stay: Stay) -> tuple[NightPrice, ...] | None:
        """Every night of the stay at the base price (the weekend's with its multiplier), when
        no rule could price any night otherwise (no season, override, long-weekend rule or
        price change): the same nights ``terms`` gives, without asking each rule per night."""
        if self.seasons or self.overrides or self.long_weekend is not None or self.changes:
            return None
        base, weekend_base, first = self.base, self._weekend_base, stay.check_in
        weekday = first.weekday()
        nights = []
        for offset in range(stay.nights):
            weekend = (weekday + offset) % 7 in WEEKEND_NIGHTS
            night = first + _DAYS[offset] if offset < len(_DAYS) else first + timedelta(offset)
            price = weekend_base if weekend else base
            nights.append(NightPrice(night, price, _BASE_RULE, weekend))
        return tuple(nights)

    def base_night(self, night: date) -> tuple[Money, bool]:
        if night.weekday() in WEEKEND_NIGHTS:
            return self._weekend_base, True
        return self.base, False

    def season_of(self, night: date) -> Season | None:
        for season in self.seasons:
            if season.dates.contains(night):
                return season
        return None

    def terms(self, night: date, calendar: HolidayCalendar) -> NightTerms:
        """The night's price and stay rules (remembered: the same night is asked for again)."""
        # Keyed by the night's ordinal (``stay_terms`` looks nights up without making dates).
        day = night.toordinal()
        key: object = day if self.long_weekend is None else (day, calendar)
        memo = self._terms_memo
        found = memo.get(key)
        if found is None:
            found = self._night_terms(night, calendar)
            if len(memo) >= _TERMS_MEMO_MAX:
                memo.clear()
            memo[key] = found
        return found

    def stay_terms(
        self, stay: Stay, calendar: HolidayCalendar
    ) -> tuple[tuple[NightPrice, ...], int, frozenset[int] | None]:
        """Each night's price (``terms``, in order), the strictest minimum stay among them and
        the arrival days of the check-in night's rule."""
        memo = self._terms_memo
        first = stay.check_in.toordinal()
        keyed = self.long_weekend is not None
        prices = []
        min_nights = 0
        arrival: frozenset[int] | None = None
        for offset, day in enumerate(range(first, stay.check_out.toordinal())):
            terms = memo.get((day, calendar) if keyed else day)
            if terms is None:
                terms = self.terms(date.fromordinal(day), calendar)
            prices.append(terms.price)
            min_nights = max(min_nights, terms.min_nights)
            if not offset:
                arrival = terms.arrival_weekdays
        return tuple(prices), min_nights, arrival

    def _night_terms(self, night: date, calendar: HolidayCalendar) -> NightTerms:
        found = self._rule_terms(night, calendar)
        if not self.changes:
            return found
        price = found.price
        amount = price.price
        for change in self.changes:
            if change.effective_from > night:
                break
            amount = change.apply(amount)
        changed = NightPrice(night, amount, price.rule, price.weekend)
        return NightTerms(changed, found.min_nights, found.arrival_weekdays)

    def _rule_terms(self, night: date, calendar: HolidayCalendar) -> NightTerms:
        base, weekend = self.base_night(night)
        for override in self.overrides:
            if override.contains(night):
                rule = self._one(AppliedRule(Specificity.OVERRIDE, override.name))
                price = NightPrice(night, self._one(override.rate.price(base)), rule, weekend)
                return NightTerms(price, override.min_nights or self.min_nights, None)
        if self.long_weekend is not None and calendar.long_weekend_of_night(night) is not None:
            lw = self.long_weekend
            rule = self._one(AppliedRule(Specificity.LONG_WEEKEND, lw.name))
            price = NightPrice(night, self._one(lw.rate.price(base)), rule, weekend)
            return NightTerms(price, lw.min_nights or self.min_nights, None)
        season = self.season_of(night)
        if season is not None:
            rule = self._one(AppliedRule(Specificity.SEASON, season.name))
            if weekend and season.weekend_nightly is not None:
                amount = season.weekend_nightly
            else:
                amount = self._one(season.rate.price(base))
            return NightTerms(
                NightPrice(night, amount, rule, weekend),
                season.min_nights or self.min_nights,
                season.arrival_weekdays,
            )
        return NightTerms(NightPrice(night, base, _BASE_RULE, weekend), self.min_nights, None)

    def _one[T](self, value: T) -> T:
        """The equal value met first (values are immutable: sharing one changes nothing)."""
        return cast(T, self._shared.setdefault(value, value))

    def _rates(self) -> list[tuple[str, str, Rate]]:
        named = [("seasons", f"season {s.name}", s.rate) for s in self.seasons]
        named += [("overrides", f"date override {o.name}", o.rate) for o in self.overrides]
        if self.long_weekend is not None:
            lw = self.long_weekend
            named.append(("long_weekend", f"long-weekend rule {lw.name}", lw.rate))
        return named

    def _check_no_free_nights(self) -> None:
        """A percentage over a small base can round a night to 0: refused like a 0 price; so
        is a price change that would take some night's price to 0."""
        bases = {self.base, self.base.times(self.weekend_multiplier)}
        prices = set(bases) | {s.weekend_nightly for s in self.seasons if s.weekend_nightly}
        for part, what, rate in self._rates():
            priced = {rate.price(base) for base in bases}
            if any(p.cents <= 0 for p in priced):
                raise _at(
                    InvalidPriceRule(f"{what} would make a night free: a night costs more than 0"),
                    part,
                )
            prices |= priced
        for start in prices if self.changes else ():
            if not start.cents:
                continue  # a base of 0 is the owner's (and no rule prices from it)
            price = start
            for change in self.changes:
                price = change.apply(price)
                if price.cents <= 0:
                    raise _at(
                        InvalidPriceRule(
                            f"the price change from {change.effective_from.isoformat()} would "
                            "make a night free: a night costs more than 0"
                        ),
                        "price_changes",
                    )

    def _check_currencies(self) -> None:
        amounts = [self.fees.cleaning, self.fees.extra_guest_nightly]
        amounts += [self.fees.pet] if self.fees.pet is not None else []
        amounts += [s.weekend_nightly for s in self.seasons if s.weekend_nightly is not None]
        amounts += [rate.nightly for *_, rate in self._rates() if rate.nightly is not None]
        if any(a.currency != self.base.currency for a in amounts):
            raise InvalidPriceRule(f"every price of a cabin is in {self.base.currency}")


def _at[E: InvalidPriceRule](error: E, field: str) -> E:
    """Name the part of the owner's rules at fault (the API's 422 points at it)."""
    error.field = field
    return error


def _check_seasons(seasons: tuple[Season, ...]) -> None:
    for a, b in combinations(seasons, 2):
        days_a, days_b = a.dates.days(), b.dates.days()
        if not days_a & days_b:
            continue
        if days_a == days_b or not (days_a < days_b or days_b < days_a):
            raise _at(
                OverlappingPriceRules(
                    f"seasons {a.name!r} ({a.dates}) and {b.name!r} ({b.dates}) share nights: "
                    "a season may lie inside another, but not overlap it partly or repeat it"
                ),
                "seasons",
            )


def _check_overrides(overrides: tuple[DateOverride, ...]) -> None:
    for a, b in combinations(overrides, 2):
        if a.overlaps(b):
            raise _at(
                OverlappingPriceRules(
                    f"date overrides {a.name!r} and {b.name!r} share nights "
                    f"({max(a.first_night, b.first_night).isoformat()} and on)"
                ),
                "overrides",
            )
