"""Moving a reservation to other dates or another cabin."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from application.back_office.reservations import load_reservation
from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.repositories import MoveOutcome
from application.ports.unit_of_work import UnitOfWork
from domain.booking.policy import BookingPolicy
from domain.booking.reservation import Reservation
from domain.calendar import local_today
from domain.errors import (
    AccommodationInactive,
    AccommodationNotFound,
    ConcurrentUpdate,
    GuestsOutOfRange,
    IllegalTransition,
    NightsOutOfRange,
    StayInPast,
    StayUnavailable,
)
from domain.stay import Stay


@dataclass(frozen=True, slots=True)
class MoveReservation:
    """Rules:
    - only a live hold or a confirmed booking moves (a lapsed, expired or cancelled one: 409);
    - the new stay is well formed and ends after today (Argentina): a stay under way may be
      lengthened or shortened (it keeps its arrival, past or not); any other new arrival is
      today or later and within the booking horizon, as a manual booking's; the owner's move
      is exempt from the cabin's minimum nights, not from the longest stay
      (``BookingPolicy.max_nights``, or the stay's own length if it was longer): a mistyped
      month or year must not take a cabin off sale for months at the old price;
    - the new cabin exists, takes bookings (active) and holds the party;
    - amounts, status, guest and a hold's expiry stay as they were: the price was agreed when
      it was sold; a difference is settled by the owner;
    - one transaction: the exclusion constraint decides (holds lapsed by now never block) and
      a refusal is ``StayUnavailable`` with nothing changed; a change made meanwhile by someone
      else is ``ConcurrentUpdate``;
    - audited with the cabin and dates before and after.
    """

    uow: UnitOfWork
    clock: Clock
    policy: BookingPolicy

    async def __call__(
        self, raw_code: str, accommodation_id: int, check_in: date, check_out: date, actor: str
    ) -> Reservation:
        stay = Stay(check_in, check_out)
        now = self.clock.now()
        today = local_today(now)
        if stay.check_out <= today:
            raise StayInPast("the new stay must end after today")
        async with self.uow:
            reservation = await load_reservation(self.uow, raw_code)
            if reservation.hold_lapsed(now):
                raise IllegalTransition(f"the hold {reservation.code.display} has lapsed")
            if stay.check_in != reservation.stay.check_in and (
                wrong := self.policy.dates_violation(stay, today)
            ):
                raise wrong
            longest = max(self.policy.max_nights, reservation.stay.nights)
            if stay.nights > longest:
                raise NightsOutOfRange(
                    f"a stay is at most {longest} nights; asked for {stay.nights}",
                    nights=stay.nights,
                    max_nights=longest,
                )
            cabin = await self.uow.accommodations.get(accommodation_id)
            if cabin is None:
                raise AccommodationNotFound(f"no accommodation with id {accommodation_id}")
            if not cabin.active and cabin.id != reservation.accommodation_id:
                raise AccommodationInactive(f"{cabin.name} is not taking bookings")
            if reservation.guests > cabin.capacity:
                raise GuestsOutOfRange(
                    f"{cabin.name} sleeps {cabin.capacity}; the party is {reservation.guests}"
                )
            before = replace(reservation, events=[])
            if before.accommodation_id == accommodation_id and before.stay == stay:
                return reservation  # nothing to move
            reservation.move_to(accommodation_id, stay)
            outcome = await self.uow.reservations.save_move(reservation, before, now)
            if outcome is MoveOutcome.TAKEN:
                raise StayUnavailable(
                    f"{cabin.name} is already taken for some nights between "
                    f"{check_in.isoformat()} and {check_out.isoformat()}"
                )
            if outcome is MoveOutcome.RACED:
                raise ConcurrentUpdate("the reservation changed meanwhile; reload it and retry")
            await self.uow.audit.record(
                AuditEntry(
                    actor=actor,
                    action="reservation.move",
                    target=reservation.code.value,
                    at=now,
                    before=_where(before),
                    after=_where(reservation),
                )
            )
            await self.uow.feeds.clear_conflicts(now)  # a collision it was in may be gone
            await self.uow.commit()
        return reservation


def _where(r: Reservation) -> dict[str, object]:
    return {
        "accommodation_id": r.accommodation_id,
        "check_in": r.stay.check_in.isoformat(),
        "check_out": r.stay.check_out.isoformat(),
    }
