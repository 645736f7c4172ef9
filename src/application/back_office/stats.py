from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from application.ports.clock import Clock
from application.ports.stats import Stats, StatsReader
from domain.calendar import local_today
from domain.errors import InvalidStay

DEFAULT_WINDOW_DAYS = 30
MAX_WINDOW_DAYS = 400


@dataclass(frozen=True, slots=True)
class GetStats:
    """Rules: the window defaults to the next 30 days (Argentine date), at most 400 days;
    occupancy counts confirmed bookings and live holds; revenue counts confirmed bookings by
    check-in month, from 11 months before the window to 6 months after it."""

    reader: StatsReader
    clock: Clock

    async def __call__(self, start: date | None, end: date | None) -> Stats:
        now = self.clock.now()
        start = start or local_today(now)
        if end is None:
            if date.max - start < timedelta(days=DEFAULT_WINDOW_DAYS):
                raise InvalidStay(
                    f"'from' is too close to {date.max}: give 'to' as well (the default window "
                    f"is {DEFAULT_WINDOW_DAYS} days)"
                )
            end = start + timedelta(days=DEFAULT_WINDOW_DAYS)
        if end <= start or (end - start).days > MAX_WINDOW_DAYS:
            raise InvalidStay(f"'to' must be after 'from', at most {MAX_WINDOW_DAYS} days later")
        return await self.reader.summary(start, end, now)
