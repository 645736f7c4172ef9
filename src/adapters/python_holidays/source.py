"""The country's holidays from the ``holidays`` package, adjusted by the owner."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import holidays

from domain.pricing.holidays import HolidayCalendar

ARGENTINA = "AR"


class LibraryHolidays:
    """``HolidaySource`` over python-holidays. Its data covers the national holidays and the
    "días no laborables" decreed so far (tourist bridge days, Holy Thursday); ``added`` and
    ``removed`` are the owner's own (a local feast, a non-working day the business ignores).
    Each year is computed once per process."""

    def __init__(
        self,
        country: str = ARGENTINA,
        *,
        added: Iterable[date] = (),
        removed: Iterable[date] = (),
    ) -> None:
        self._country = country
        self._added = frozenset(added)
        self._removed = frozenset(removed)
        self._years: dict[int, frozenset[date]] = {}

    def _year(self, year: int) -> frozenset[date]:
        known = self._years.get(year)
        if known is None:
            known = frozenset(holidays.country_holidays(self._country, years=year).keys())
            self._years[year] = known
        return known

    async def calendar(self, first_night: date, last_night: date) -> HolidayCalendar:
        # A year on each side: a long weekend may straddle the new year.
        dates: frozenset[date] = frozenset()
        for year in range(first_night.year - 1, last_night.year + 2):
            dates |= self._year(year)
        return HolidayCalendar(dates).adjusted(self._added, self._removed)
