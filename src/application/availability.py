"""Quote every active accommodation for a stay and say which are free."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from application.ports.catalogue import Catalogue
from application.ports.clock import Clock
from application.ports.unit_of_work import ReadOnlyUnitOfWork
from domain.availability import Availability, assess_all
from domain.calendar import local_today
from domain.policy import BookingPolicy
from domain.stay import Stay


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
    - nights held by active reservations (lapsed holds excluded) make it unavailable.
    """

    uow: ReadOnlyUnitOfWork
    clock: Clock
    policy: BookingPolicy
    catalogue: Catalogue

    async def __call__(self, query: AvailabilityQuery) -> Sequence[Availability]:
        stay = Stay(query.check_in, query.check_out)
        now = self.clock.now()
        today = local_today(now)
        accommodations = await self.catalogue.active()
        async with self.uow:
            occupied = await self.uow.reservations.occupied(stay, now)
        return assess_all(accommodations, stay, query.guests, occupied, self.policy, today)
