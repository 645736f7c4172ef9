from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class MonthRevenue:
    month: str  # YYYY-MM, by check-in
    bookings: int
    total_cents: int
    deposit_cents: int


@dataclass(frozen=True, slots=True)
class Stats:
    window_start: date
    window_end: date
    booked_nights: int  # confirmed bookings and live holds, per cabin-night, in the window
    blocked_nights: int  # manual blocks
    external_nights: int  # sold or closed on other channels (imported calendars)
    cabin_nights: int  # active cabins × nights in the window
    pending_holds: int
    revenue_by_month: Sequence[MonthRevenue]


class StatsReader(Protocol):
    async def summary(self, start: date, end: date, now: datetime) -> Stats: ...
