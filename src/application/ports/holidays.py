from __future__ import annotations

from datetime import date
from typing import Protocol

from domain.pricing.holidays import HolidayCalendar


class HolidaySource(Protocol):
    async def calendar(self, first_night: date, last_night: date) -> HolidayCalendar:
        """The holidays the business observes (the country's, with the owner's additions and
        removals) around the nights from ``first_night`` to ``last_night``: enough days on both
        sides for the long weekends touching those nights to be seen whole."""
        ...
