"""Quote every active accommodation for a stay and say which are free."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from application.ports.catalogue import Catalogue
from application.ports.clock import Clock
from application.ports.holidays import HolidaySource
from application.ports.pricing import PriceRulesRepository
from application.ports.unit_of_work import ReadOnlyUnitOfWork
from domain.booking.availability import Availability, assess_all
from domain.booking.policy import BookingPolicy
from domain.calendar import local_today
from domain.pricing.cabin_rules import Pricing
from domain.pricing.holidays import HolidayCalendar
from domain.stay import Stay

_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class AvailabilityQuery:
    check_in: date
    check_out: date
    guests: int


@dataclass(frozen=True, slots=True)
class CheckAvailability:
    """Rules:
    - the stay must be well formed (check-out after check-in), else ``InvalidStay``;
    - each active accommodation is assessed against the booking policy (with its reason);
    - nights held by active reservations (lapsed holds excluded) make it unavailable;
    - with price rules, each cabin is quoted under its rules (a breakdown per cabin) and its
      rules judge the minimum stay, waived for a stay exactly filling a gap between bookings,
      and the arrival day; holidays are asked for only when some cabin prices long weekends.
    """

    uow: ReadOnlyUnitOfWork
    clock: Clock
    policy: BookingPolicy
    catalogue: Catalogue
    price_rules: PriceRulesRepository | None = None
    holidays: HolidaySource | None = None

    async def __call__(self, query: AvailabilityQuery) -> Sequence[Availability]:
        stay = Stay(query.check_in, query.check_out)
        now = self.clock.now()
        today = local_today(now)
        accommodations = await self.catalogue.active()
        # Dates no cabin takes (past, beyond the horizon) need no prices, holidays or
        # neighbouring nights: every cabin answers the same reason (and 0001-01-01 has no eve).
        dated_out = self.policy.dates_violation(stay, today) is not None
        if dated_out or self.price_rules is None:
            async with self.uow:
                occupied = await self.uow.reservations.occupied(stay, now)
            return assess_all(accommodations, stay, query.guests, occupied, self.policy, today)
        # With rules, the bookings just before and after are read too (the gap-night exception),
        # and the rules' version with them: the cached rules are read again when they changed.
        window = Stay(stay.check_in - _DAY, stay.check_out + _DAY)
        async with self.uow:
            occupied, version = await self.uow.reservations.occupied_and_rules_version(window, now)
        pricing = await self._pricing(self.price_rules, stay, version)
        return assess_all(accommodations, stay, query.guests, occupied, self.policy, today, pricing)

    async def _pricing(
        self, price_rules: PriceRulesRepository, stay: Stay, version: int | None
    ) -> Pricing:
        rules = await price_rules.all_rules(version)
        calendar = HolidayCalendar()
        if self.holidays is not None and any(r.long_weekend for r in rules.values()):
            calendar = await self.holidays.calendar(stay.check_in, stay.check_out)
        return Pricing(rules, calendar)
