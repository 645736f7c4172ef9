"""Calendario: every cabin's nights over a window, from one query for the rows and one for the
collisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from application.ports.back_office import BackOfficeReads, CalendarItem, Collision
from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWork
from domain.booking.accommodation import Accommodation
from domain.calendar import local_today
from domain.errors import InvalidStay

MAX_DAYS = 62


@dataclass(frozen=True, slots=True)
class CalendarWindow:
    start: date
    days: int
    today: date
    now: datetime
    accommodations: list[Accommodation]
    items: list[CalendarItem]
    collisions: list[Collision]

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days)

    @property
    def lapses_at(self) -> datetime | None:
        """When the first hold shown lapses (the window is no longer what the rows say):
        nothing else in it changes with time alone but the date."""
        return min(
            (i.expires_at for i in self.items if i.status == "pre_reserved" and i.expires_at),
            default=None,
        )


@dataclass(frozen=True, slots=True)
class CalendarStamp:
    """What a drawn window depends on besides its start and length: the data's change count
    (``BackOfficeReads.calendar_changes``), today's date (past nights are drawn apart) and now
    (holds lapse)."""

    changes: int
    today: date
    now: datetime


@dataclass(frozen=True, slots=True)
class GetCalendarStamp:
    """Rules: the change count is read before any row it stands for, so rows read after it
    are at least as new as it says."""

    reads: BackOfficeReads
    clock: Clock

    async def __call__(self) -> CalendarStamp:
        changes = await self.reads.calendar_changes()
        now = self.clock.now()
        return CalendarStamp(changes, local_today(now), now)


@dataclass(frozen=True, slots=True)
class GetCalendarWindow:
    """Rules: 1–62 nights from ``start``; every active cabin, and inactive ones that still
    have something in the window; holds lapsed by now are not shown."""

    reads: BackOfficeReads
    uow: UnitOfWork
    clock: Clock

    async def __call__(self, start: date, days: int) -> CalendarWindow:
        if not 1 <= days <= MAX_DAYS:
            raise InvalidStay(f"the calendar shows 1 to {MAX_DAYS} nights")
        now = self.clock.now()
        end = start + timedelta(days=days)
        items = await self.reads.items_between(start, end, now)
        collisions = await self.reads.collisions_between(start, end)
        async with self.uow:
            cabins = await self.uow.accommodations.list(only_active=False)
        busy = {i.accommodation_id for i in items}
        shown = [a for a in cabins if a.active or a.id in busy]
        return CalendarWindow(start, days, local_today(now), now, shown, items, collisions)
