"""Look a reservation up by its code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWork
from domain.booking.reservation import Reservation, ReservationStatus, effective_status
from domain.codes import ReservationCode
from domain.errors import InvalidValue, ReservationNotFound


@dataclass(frozen=True, slots=True)
class ReservationView:
    reservation: Reservation
    status: ReservationStatus
    as_of: datetime


@dataclass(frozen=True, slots=True)
class GetReservation:
    """Rules:
    - a malformed code is simply not found (no hint about the format of real codes);
    - a hold past ``expires_at`` reads as ``expired`` even before the sweeper records it.
    """

    uow: UnitOfWork
    clock: Clock

    async def __call__(self, raw_code: str) -> ReservationView:
        try:
            code = ReservationCode.parse(raw_code)
        except InvalidValue:
            raise ReservationNotFound("no reservation with that code") from None
        async with self.uow:
            found = await self.uow.reservations.get(code)
        if found is None:
            raise ReservationNotFound("no reservation with that code")
        now = self.clock.now()
        return ReservationView(found, effective_status(found, now), now)
