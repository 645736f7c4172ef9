"""Holidays as data, and the long weekends ("fines de semana largos") they make.

The domain never computes a country's holidays: it is handed the set of dates (from a library,
with the owner's additions and removals applied) and derives the long weekends from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

SATURDAY, SUNDAY = 5, 6
# A run of non-working days this long is a long weekend (a plain weekend is two: three or more
# always include a holiday).
LONG_WEEKEND_MIN_DAYS = 3
_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class LongWeekend:
    """Consecutive non-working days ``first_day``..``last_day``. Its nights are those *before*
    each day off: from the eve of the first to the eve of the last (Friday night is the first
    night of a Saturday–Monday long weekend, Sunday night its last)."""

    first_day: date
    last_day: date

    @property
    def first_night(self) -> date:
        return self.first_day - _DAY

    @property
    def last_night(self) -> date:
        return self.last_day - _DAY

    def contains_night(self, night: date) -> bool:
        return self.first_night <= night <= self.last_night


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    holidays: frozenset[date] = frozenset()

    def adjusted(self, added: Iterable[date] = (), removed: Iterable[date] = ()) -> HolidayCalendar:
        """The owner's view: dates added (a local holiday) and removed (a "día no laborable" the
        owner does not treat as a holiday). A date both added and removed is removed."""
        return HolidayCalendar((self.holidays | frozenset(added)) - frozenset(removed))

    def is_day_off(self, day: date) -> bool:
        return day.weekday() in (SATURDAY, SUNDAY) or day in self.holidays

    def long_weekend_of_night(self, night: date) -> LongWeekend | None:
        """The long weekend whose nights include ``night``, if any."""
        day = night + _DAY
        if not self.is_day_off(day):
            return None
        first, last = day, day
        while self.is_day_off(first - _DAY):
            first -= _DAY
        while self.is_day_off(last + _DAY):
            last += _DAY
        if (last - first).days + 1 < LONG_WEEKEND_MIN_DAYS:
            return None
        return LongWeekend(first, last)

    def long_weekends(self, first_day: date, last_day: date) -> tuple[LongWeekend, ...]:
        """The long weekends with a day off between ``first_day`` and ``last_day``."""
        found: dict[date, LongWeekend] = {}
        for day in _days(first_day, last_day):
            weekend = self.long_weekend_of_night(day - _DAY)
            if weekend is not None:
                found[weekend.first_day] = weekend
        return tuple(found[key] for key in sorted(found))


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += _DAY
