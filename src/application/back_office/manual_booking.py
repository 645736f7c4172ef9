"""A booking the owner takes by hand (a phone call, Instagram, a walk-in): channel ``manual``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from application.back_office.reservations import ConfirmManually, ManualPayment
from application.booking.place_hold import PlaceHold, PlaceHoldCommand
from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWork
from domain.booking.reservation import Channel, Guest, Reservation
from domain.money import Money


@dataclass(frozen=True, slots=True)
class ManualBooking:
    accommodation_id: int
    check_in: date
    check_out: date
    guests: int
    guest: Guest
    notes: str | None = None
    # None: left as a hold waiting for the deposit (with its payment link when Mercado Pago is
    # configured); otherwise confirmed at once as paid this way.
    paid_with: ManualPayment | None = None
    amount: Money | None = None
    payment_note: str | None = None


@dataclass(frozen=True, slots=True)
class CreateManualBooking:
    """Rules:
    - every rule of ``PlaceHold`` (the cabin active, the stay, the party, the quote, the
      database deciding availability), with channel ``manual`` and no quota: the owner's own
      bookings are exempt from the live-hold limits that guard against guests;
    - audited as ``reservation.create`` with who took it;
    - paid already (cash, transfer…): confirmed at once by ``ConfirmManually``, with the
      method, amount and note. Placing the hold and confirming it are two transactions, so the
      nights are decided by the insert alone; should the confirmation be refused (nobody else
      knows the code yet, so only a crash could), the hold stands and lapses like any other.
    """

    place_hold: PlaceHold
    confirm: ConfirmManually
    uow: UnitOfWork
    clock: Clock

    async def __call__(self, booking: ManualBooking, actor: str) -> Reservation:
        reservation = await self.place_hold(
            PlaceHoldCommand(
                accommodation_id=booking.accommodation_id,
                check_in=booking.check_in,
                check_out=booking.check_out,
                guests=booking.guests,
                guest=booking.guest,
                channel=Channel.MANUAL,
                notes=booking.notes,
                quota=None,
            )
        )
        async with self.uow:
            await self.uow.audit.record(
                AuditEntry(
                    actor,
                    "reservation.create",
                    reservation.code.value,
                    self.clock.now(),
                    after={
                        "channel": Channel.MANUAL.value,
                        "accommodation_id": booking.accommodation_id,
                        "check_in": booking.check_in.isoformat(),
                        "check_out": booking.check_out.isoformat(),
                    },
                )
            )
            await self.uow.commit()
        if booking.paid_with is None:
            return reservation
        return await self.confirm(
            reservation.code.value,
            actor,
            booking.paid_with,
            booking.payment_note,
            booking.amount,
        )
