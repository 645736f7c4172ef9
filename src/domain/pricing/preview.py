"""What a price change does to a cabin's prices, month by month, before it is applied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.money import Money
from domain.pricing.holidays import HolidayCalendar
from domain.pricing.price_list import PriceList

_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class MonthPrices:
    """Every night of ``month`` priced alone (no fees, no stay discount): their sum and
    average, under the rules before and after the change."""

    month: date  # its first day
    nights: int
    before: Money
    after: Money

    @property
    def before_average(self) -> Money:
        return Money(round(self.before.cents / self.nights), self.before.currency)

    @property
    def after_average(self) -> Money:
        return Money(round(self.after.cents / self.nights), self.after.currency)


def month_starts(first: date, months: int) -> list[date]:
    start = first.replace(day=1)
    found = []
    for _ in range(months):
        found.append(start)
        start = (start + timedelta(days=32)).replace(day=1)
    return found


def compare_months(
    before: PriceList, after: PriceList, first: date, months: int, holidays: HolidayCalendar
) -> tuple[MonthPrices, ...]:
    """``months`` calendar months from the one holding ``first``."""
    result = []
    for start in month_starts(first, months):
        end = (start + timedelta(days=32)).replace(day=1)
        night, old, new, count = start, 0, 0, 0
        while night < end:
            old += before.terms(night, holidays).price.price.cents
            new += after.terms(night, holidays).price.price.cents
            count += 1
            night += _DAY
        currency = before.base.currency
        result.append(MonthPrices(start, count, Money(old, currency), Money(new, currency)))
    return tuple(result)
