"""What a payment's state means for a reservation (domain.payments.payment.decide)."""

from __future__ import annotations

import pytest

from domain.booking.reservation import ReservationStatus as R
from domain.money import Money
from domain.payments.payment import Action, Attention, Payment, PaymentStatus, decide

DEPOSIT = Money(86_700_00)


def paid(status: str, cents: int = 86_700_00, currency: str = "ARS") -> Payment:
    return Payment("1", PaymentStatus.parse(status), Money(cents, currency), "AAAABBBBCCCC")


@pytest.mark.parametrize(
    ("reservation", "payment", "action", "attention"),
    [
        (R.PRE_RESERVED, paid("approved"), Action.CONFIRM, None),
        (R.PRE_RESERVED, paid("approved", 90_000_00), Action.CONFIRM, None),  # overpaid is fine
        (R.PRE_RESERVED, paid("approved", 86_699_99), Action.FLAG, Attention.AMOUNT_SHORT),
        (R.PRE_RESERVED, paid("approved", 86_700_00, "USD"), Action.FLAG, Attention.WRONG_CURRENCY),
        (R.PRE_RESERVED, paid("pending"), Action.RECORD, None),
        (R.PRE_RESERVED, paid("in_process"), Action.RECORD, None),
        (R.PRE_RESERVED, paid("rejected"), Action.RECORD, None),
        (R.PRE_RESERVED, paid("cancelled"), Action.RECORD, None),
        (R.PRE_RESERVED, paid("authorized"), Action.RECORD, None),
        (R.PRE_RESERVED, paid("something_new"), Action.RECORD, None),
        (R.EXPIRED, paid("approved"), Action.REINSTATE, None),
        (R.EXPIRED, paid("pending"), Action.RECORD, None),
        (R.CONFIRMED, paid("approved"), Action.RECORD, None),
        (R.CONFIRMED, paid("refunded"), Action.FLAG, Attention.REFUNDED),
        (R.CONFIRMED, paid("charged_back"), Action.FLAG, Attention.CHARGED_BACK),
        (R.PRE_RESERVED, paid("refunded"), Action.RECORD, None),
        (R.CANCELLED, paid("approved"), Action.FLAG, Attention.REFUND_REQUIRED),
        (None, paid("approved"), Action.FLAG, Attention.UNKNOWN_REFERENCE),
        (None, paid("pending"), Action.RECORD, None),
    ],
)
def test_decisions(
    reservation: R | None, payment: Payment, action: Action, attention: Attention | None
) -> None:
    decision = decide(reservation, DEPOSIT if reservation else None, payment)
    assert (decision.action, decision.attention) == (action, attention)


def test_a_second_payment_for_a_confirmed_booking_is_flagged_for_refund() -> None:
    decision = decide(R.CONFIRMED, DEPOSIT, paid("approved"), confirmed_by_other_payment=True)
    assert (decision.action, decision.attention) == (Action.FLAG, Attention.REFUND_REQUIRED)


def test_a_partly_refunded_payment_counts_only_what_is_left() -> None:
    payment = Payment(
        "1", PaymentStatus.APPROVED, Money(86_700_00), "AAAABBBBCCCC", refunded=Money(10_000_00)
    )
    decision = decide(R.EXPIRED, DEPOSIT, payment)
    assert (decision.action, decision.attention) == (Action.FLAG, Attention.AMOUNT_SHORT)
