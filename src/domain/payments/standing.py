"""Where a booking's money stands for the owner, by whether the booking still gives nights: a
hold or a booking collects its balance; a cancelled booking (or a lapsed hold) collects nothing
more and owes back the money it holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.booking.reservation import ACTIVE_STATUSES, ReservationStatus
from domain.money import Money
from domain.payments.ledger import BookingLedger


@dataclass(frozen=True, slots=True)
class Standing:
    balance_due: Money  # what the guest still owes
    balance_due_on: date | None  # None: nothing is collected any more
    to_return: Money  # what goes back to the guest: refunded, or kept as credit

    @property
    def collecting(self) -> bool:
        return self.balance_due_on is not None


def standing(ledger: BookingLedger, status: ReservationStatus) -> Standing:
    """Rules: a hold or a booking owes its balance by its due date and owes nothing back (a
    payment beyond what is due is flagged on the payment itself); a booking that gives no
    nights (cancelled, or a hold that lapsed) collects nothing, and everything it holds —
    paid, less refunded and credited — goes back to the guest, as a refund or a credit.
    Except a lapsed hold's credit from an earlier cancellation: it is the guest's again by
    itself (open for their next booking, like a hold's that is cancelled), so it is not money
    to give back."""
    zero = Money.zero(ledger.total.currency)
    if status in ACTIVE_STATUSES:
        return Standing(ledger.balance_due, ledger.balance_due_on, zero)
    if status is ReservationStatus.EXPIRED:
        cents = max(0, ledger.held.cents - ledger.credit_applied.cents)
        return Standing(zero, None, Money(cents, ledger.total.currency))
    return Standing(zero, None, ledger.held)
