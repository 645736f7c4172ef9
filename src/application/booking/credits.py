"""A new hold takes the credit its guest's phone has from earlier cancellations."""

from __future__ import annotations

from datetime import datetime

from application.messaging.booking_confirmed import tell_guest_confirmed
from application.ports.clock import Clock
from application.ports.ledger import LedgerTerms
from application.ports.repositories import PaidOutcome
from application.ports.unit_of_work import UnitOfWork
from domain.booking.reservation import Reservation, ReservationStatus
from domain.calendar import local_today
from domain.money import Money
from domain.payments.credits import allocate, applied_reference


async def apply_guest_credits(
    uow: UnitOfWork,
    clock: Clock,
    reservation: Reservation,
    phone: str,
    now: datetime,
    terms: LedgerTerms,
) -> Money | None:
    """Rules (inside the hold's own transaction):
    - the phone's open credits (``GuestCreditRepository``) are locked, skipping any another
      booking is taking at this moment: one credit is never applied twice;
    - they cover the new booking's total (``domain.payments.credits.allocate``): the deposit
      first, then the balance; a remainder stays the guest's;
    - a hold whose deposit the credit covers is confirmed at once (nothing to pay now), and the
      guest is told as for any payment; it gets no deposit link;
    - the credit comes back by itself if the hold lapses (an open credit is one held by no
      live booking) and is released if the hold is cancelled.
    Returns the amount applied (None: none)."""
    today = local_today(now)
    credits = await uow.credits.claim_open(phone, reservation.total.currency, today, now)
    uses = allocate(credits, reservation.total, today)
    if not uses:
        return None
    applied = Money.zero(reservation.total.currency)
    first = None
    for use in uses:
        taken = await uow.credits.apply(use, reservation.code.value, now)
        first = first or taken
        applied = applied + use.applied
    reservation.credit_applied = applied
    if applied >= reservation.deposit and first is not None and first.id is not None:
        reservation.confirm_payment(applied_reference(first.id), now)
        outcome = await uow.reservations.save_paid(reservation, ReservationStatus.PRE_RESERVED)
        if outcome is PaidOutcome.CONFIRMED:
            ledger = await uow.ledger.load(reservation, terms)
            await tell_guest_confirmed(uow, clock, reservation, ledger)
    return applied
