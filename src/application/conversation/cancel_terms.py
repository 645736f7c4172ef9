"""What cancelling a confirmed booking today returns: one evaluation, told to the guest before
they decide and to the owner when they ask for it, so both read the same figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from application.messaging import texts
from application.ports.ledger import DEFAULT_LEDGER_TERMS
from application.ports.unit_of_work import UnitOfWork
from domain.booking.reservation import Reservation, ReservationStatus
from domain.money import Money
from domain.payments.cancellation import Settlement
from domain.payments.standing import returnable, standing


@dataclass(frozen=True, slots=True)
class CancellingToday:
    """Rules:
    - the money at stake is what the booking can still give back
      (``domain.payments.standing.returnable``: paid, less what was refunded or credited);
    - the cabin's cancellation policy, evaluated on the day (``CancellationPolicy.settle``:
      tiers by days' notice before check-in), says how much of it is refunded or kept as
      credit, and for how long the credit lasts;
    - a cabin without a policy promises nothing: a person decides;
    - a confirmed booking with nothing in its ledger was confirmed without its payment
      written down (``standing``'s ``payments_known``): what it paid is unknown, not nothing.
    """

    held: Money
    settlement: Settlement | None  # None: nothing held, or no policy to apply
    payments_known: bool

    @property
    def for_guest(self) -> str:
        if not self.payments_known:
            return texts.CONV_CANCEL_PAYMENTS_UNKNOWN
        if not self.held.cents:
            return texts.CONV_CANCEL_NOTHING_PAID
        s = self.settlement
        if s is None:
            return texts.conv_cancel_outcome_without_policy(self.held)
        return texts.conv_cancel_outcome(s.paid, s.refund, s.credit, s.credit_valid_days)

    @property
    def for_owner(self) -> str:
        if not self.payments_known:
            return texts.ADMIN_CANCEL_PAYMENTS_UNKNOWN
        if not self.held.cents:
            return texts.ADMIN_CANCEL_NOTHING_PAID
        s = self.settlement
        if s is None:
            return texts.admin_cancel_outcome_without_policy(self.held)
        return texts.admin_cancel_outcome(
            s.paid, s.refund, s.credit, s.credit_valid_days, s.days_before
        )


async def cancelling_today(
    uow: UnitOfWork, reservation: Reservation, status: ReservationStatus, today: date
) -> CancellingToday:
    """``status``: the booking's effective status now; ``today``: Argentina's date."""
    async with uow:
        stored = await uow.prices.get(reservation.accommodation_id)
        ledger = await uow.ledger.load(reservation, DEFAULT_LEDGER_TERMS)
    held = returnable(ledger, status)
    known = standing(ledger, status).payments_known
    policy = stored.cancellation
    if not held.cents or policy is None or not policy.tiers:
        return CancellingToday(held, None, known)
    return CancellingToday(held, policy.settle(held, ledger.check_in, today), known)
