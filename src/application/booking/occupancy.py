"""Occupied ranges of one accommodation, without guest data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from application.ports.catalogue import Catalogue
from application.ports.clock import Clock
from application.ports.unit_of_work import ReadOnlyUnitOfWork
from domain.errors import AccommodationNotFound, InvalidStay
from domain.stay import Stay

MAX_CALENDAR_DAYS = 400


@dataclass(frozen=True, slots=True)
class CalendarQuery:
    accommodation_id: int
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class GetCalendar:
    """Rules:
    - ``end`` after ``start`` and the window at most ``MAX_CALENDAR_DAYS`` long;
    - only active reservations count (lapsed holds do not); ranges carry no guest data.
    """

    uow: ReadOnlyUnitOfWork
    clock: Clock
    catalogue: Catalogue

    async def __call__(self, query: CalendarQuery) -> Sequence[Stay]:
        if query.end <= query.start:
            raise InvalidStay("'to' must be after 'from'")
        if query.end - query.start > timedelta(days=MAX_CALENDAR_DAYS):
            raise InvalidStay(f"a calendar window is at most {MAX_CALENDAR_DAYS} days")
        if await self.catalogue.get_active(query.accommodation_id) is None:
            raise AccommodationNotFound(f"no accommodation with id {query.accommodation_id}")
        async with self.uow:
            return await self.uow.reservations.occupied_ranges(
                query.accommodation_id, query.start, query.end, self.clock.now()
            )
