"""The bookings a guest already has on some dates: what the booking page names before a second
hold is placed on top of the first (a guest back from the checkout, pressing the button again)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from application.booking.place_hold import API_SCOPE
from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWork
from domain.booking.reservation import Reservation, ReservationStatus, effective_status
from domain.codes import ReservationCode
from domain.stay import Stay

STANDING = (ReservationStatus.PRE_RESERVED, ReservationStatus.CONFIRMED)


@dataclass(frozen=True, slots=True)
class FindOwnBookings:
    """Rules:
    - a booking counts while it stands (a live hold or confirmed; a lapsed hold does not) and
      its nights overlap the stay;
    - it is the guest's by a code this browser was sent to after booking (``codes``: the
      code is the key to the reservation's page); never by a phone typed, which anyone may
      type — that would tell a stranger where someone stays, and give them the page;
    - a form already sent (its idempotency ``form_key`` claimed) finds nothing: sending it
      again is the same booking, answered as the first time, not a second one;
    - newest first.
    """

    uow: UnitOfWork
    clock: Clock

    async def __call__(
        self,
        stay: Stay,
        *,
        codes: Collection[str] = (),
        form_key: str | None = None,
    ) -> list[Reservation]:
        if not codes:
            return []
        found: list[Reservation] = []
        async with self.uow:
            if form_key is not None and await self.uow.idempotency.stored(API_SCOPE, form_key):
                return []
            # The browser's own few codes (the page keeps five), each one indexed read.
            for code in codes:
                reservation = await self.uow.reservations.get(ReservationCode(code))
                if reservation is not None:
                    found.append(reservation)
        now = self.clock.now()
        return sorted(
            (r for r in found if effective_status(r, now) in STANDING and r.stay.overlaps(stay)),
            key=lambda r: r.created_at,
            reverse=True,
        )
