"""What a deposit payment means for a reservation.

Mercado Pago tells us a payment's *current* state whenever we fetch it; notifications arrive
late, twice, or out of order. So the decision is a pure function of (the reservation as stored,
the payment as just fetched, what we already recorded about that payment) and is safe to apply
any number of times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.booking.reservation import ReservationStatus
from domain.money import Money


class PaymentStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    AUTHORIZED = "authorized"
    IN_PROCESS = "in_process"
    IN_MEDIATION = "in_mediation"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    CHARGED_BACK = "charged_back"
    UNKNOWN = "unknown"  # a status Mercado Pago added after this code was written

    @classmethod
    def parse(cls, value: str) -> PaymentStatus:
        try:
            return cls(value)
        except ValueError:
            return cls.UNKNOWN


class Attention(StrEnum):
    """Why a payment needs a person. Surfaced to the admin; never resolved automatically."""

    REFUND_REQUIRED = "refund_required"  # money taken for nights we could not give
    AMOUNT_SHORT = "amount_short"  # approved, but less than the deposit
    WRONG_CURRENCY = "wrong_currency"  # approved, in another currency than the booking's (or none)
    REFUNDED = "refunded"  # a confirmed booking's deposit went back to the guest
    CHARGED_BACK = "charged_back"  # the buyer's bank took the money back (a dispute)
    # Mercado Pago reports a refund we cannot record as it is: more than the payment, or than
    # the booking still holds (given back by hand already, say)
    REFUND_MISMATCH = "refund_mismatch"
    UNKNOWN_REFERENCE = "unknown_reference"  # paid, but for no reservation of ours
    BALANCE_MISMATCH = "balance_mismatch"  # paid through the balance link, not what was owed


@dataclass(frozen=True, slots=True)
class Payment:
    """A payment as the provider reports it (re-fetched, never taken from a notification)."""

    id: str
    status: PaymentStatus
    amount: Money
    external_reference: str | None
    status_detail: str | None = None
    refunded: Money | None = None
    created_at: datetime | None = None
    approved_at: datetime | None = None
    updated_at: datetime | None = None


class Action(StrEnum):
    CONFIRM = "confirm"  # the hold (live or lapsed-but-unswept) becomes a booking
    REINSTATE = "reinstate"  # an expired hold becomes a booking if its nights are still free
    RECORD = "record"  # keep the payment's latest state; the reservation does not change
    FLAG = "flag"  # record and alert the admin (see ``attention``)


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    attention: Attention | None = None
    reason: str = ""


def decide(
    reservation_status: ReservationStatus | None,
    deposit: Money | None,
    payment: Payment,
    *,
    confirmed_by_other_payment: bool = False,
) -> Decision:
    """Rules:
    - only ``approved`` money confirms, and only when it covers the deposit in the same currency;
    - a live hold is confirmed; an expired one is reinstated if its nights are still free (the
      caller asks the database, and flags ``refund_required`` when they are not);
    - a payment for a cancelled booking, or a second payment for a booking another payment
      already confirmed, is flagged for refund: we never keep money for nights we don't give;
    - ``refunded`` on a confirmed booking is recorded and flagged; the booking stays
      (whether to cancel is the owner's call — the guest may still come);
    - ``charged_back`` on any booking is flagged: the money left through a dispute, not a
      refund, and it is never recorded as one by itself;
    - pending/in-process/rejected/cancelled payments are recorded; the hold is left as is, so a
      later ``approved`` state for the same payment still confirms.
    """
    if reservation_status is None or deposit is None:
        if payment.status is PaymentStatus.APPROVED:
            return Decision(Action.FLAG, Attention.UNKNOWN_REFERENCE, "no reservation matches")
        return Decision(Action.RECORD, reason="no reservation matches")
    if payment.status is PaymentStatus.CHARGED_BACK:
        return Decision(
            Action.FLAG,
            Attention.CHARGED_BACK,
            f"charged back on a {reservation_status.value} booking: not recorded as a refund",
        )
    if payment.status is PaymentStatus.REFUNDED:
        if reservation_status is ReservationStatus.CONFIRMED:
            return Decision(Action.FLAG, Attention.REFUNDED, "deposit refunded")
        return Decision(Action.RECORD, reason="refunded before any booking")
    if payment.status is not PaymentStatus.APPROVED:
        return Decision(Action.RECORD, reason=f"payment is {payment.status.value}")
    refunded = payment.refunded.cents if payment.refunded else 0
    kept = payment.amount.cents - refunded  # a partly refunded payment counts what is left
    if payment.amount.currency != deposit.currency:
        return Decision(
            Action.FLAG,
            Attention.WRONG_CURRENCY,
            f"paid in {payment.amount.currency}, the deposit is in {deposit.currency}",
        )
    if kept < deposit.cents:
        return Decision(
            Action.FLAG,
            Attention.AMOUNT_SHORT,
            f"paid {kept} {payment.amount.currency} cents (after refunds), "
            f"deposit is {deposit.cents} {deposit.currency} cents",
        )
    if reservation_status is ReservationStatus.PRE_RESERVED:
        return Decision(Action.CONFIRM)
    if reservation_status is ReservationStatus.EXPIRED:
        return Decision(Action.REINSTATE)
    if reservation_status is ReservationStatus.CONFIRMED:
        if confirmed_by_other_payment:
            return Decision(Action.FLAG, Attention.REFUND_REQUIRED, "a second deposit was paid")
        return Decision(Action.RECORD, reason="already confirmed")
    return Decision(Action.FLAG, Attention.REFUND_REQUIRED, "paid for a cancelled reservation")
