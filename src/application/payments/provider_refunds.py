"""Refunds made outside our console — in Mercado Pago's own panel — reach the booking's ledger
from the payment's notification, so it never says money is held that already went back."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from application.payments.money_to_return import SYSTEM_ACTOR
from application.payments.refund_flags import settle_refund_flags
from application.ports.audit import AuditEntry
from application.ports.payments import PaymentRecord
from application.ports.unit_of_work import UnitOfWork
from domain.booking.reservation import Reservation
from domain.calendar import local_today
from domain.money import Money
from domain.payments.errors import RefundExceedsPaid
from domain.payments.ledger import (
    BookingLedger,
    MoneyOut,
    PaymentMethod,
    mercadopago_reference,
    mercadopago_refund_reference,
    reported_refunded_cents,
)
from domain.payments.payment import Payment, PaymentStatus
from domain.payments.standing import returnable

# Who recorded the refund in the ledger (as Mercado Pago's payments are).
PROVIDER_ACTOR = "mercadopago"
# States whose reported refunds the ledger does not count (a dispute is open, or the buyer's
# bank took the money back): they are neither recorded nor stored as counted, and recorded once
# Mercado Pago reports the payment approved or refunded again. A charged-back payment is
# flagged ``charged_back`` for the owner; a refund through Mercado Pago on its booking is refused
# while its refunds are not in the ledger (``UnrecordedRefundFound``).
REFUNDS_ON_HOLD = frozenset({PaymentStatus.IN_MEDIATION, PaymentStatus.CHARGED_BACK})


@dataclass(frozen=True, slots=True)
class ReportedRefund:
    ledger: BookingLedger  # with the refund recorded, or as it was
    recorded: Money | None = None  # what was recorded now
    mismatch: str | None = None  # why it could not be recorded (flag it for the owner)


def accounted_refunds(
    ledger: BookingLedger, payment_id: str, stored: PaymentRecord | None, currency: str
) -> int:
    """The cents of a Mercado Pago payment's refunds (in ``currency``) the booking's ledger
    already counts: the larger of what we last stored of the payment and the highest
    cumulative amount of the refunds recorded from its reports (or from Mercado Pago's
    answer to ours, before its report showed it: ``answered_refund_reference``). A refund the
    owner makes through Mercado Pago stores the payment as Mercado Pago then reports it, in
    the same transaction that records the refund and whatever else that report has that the
    ledger had not (``IssueRefund``): so what is stored is what is counted (except refunds its
    state keeps out of the ledger, not stored: ``stored_as_counted``)."""
    known = stored.payment.refunded if stored and stored.payment.refunded else None
    return max(
        known.cents if known and known.currency == currency else 0,
        reported_refunded_cents(ledger.refunds, payment_id),
    )


def stored_as_counted(payment: Payment, counted: Money | None) -> Payment:
    """The payment as it may be stored, ``counted`` being what the ledger counts of its
    refunds. What is stored counts as accounted (``accounted_refunds``), so refunds its state
    keeps out of the ledger (``REFUNDS_ON_HOLD``) are not stored either: stored, they would
    never be recorded once it is approved again."""
    refunded = payment.refunded
    if payment.status not in REFUNDS_ON_HOLD or refunded is None:
        return payment
    if counted is not None and (counted.currency != refunded.currency or counted >= refunded):
        return payment
    return replace(payment, refunded=counted if counted and counted.cents else None)


async def record_reported_refund(
    uow: UnitOfWork,
    reservation: Reservation,
    ledger: BookingLedger,
    payment: Payment,
    stored: PaymentRecord | None,
    now: datetime,
    *,
    accounted: int | None = None,
    settle: bool = True,
) -> ReportedRefund:
    """Inside the caller's transaction, the booking's row locked, with the payment just
    re-fetched (never a notification's body). Rules:
    - only a payment the ledger counts (approved and recorded under ``mp:<id>``, in the
      booking's currency) and whose ``transaction_amount_refunded`` is in that currency;
    - what is already accounted for is ``accounted`` when the caller knows it (a refund
      through the console, just recorded), else ``accounted_refunds``;
    - the difference is recorded as a refund (reference ``mp-refund:<id>:<cumulative cents>``:
      a repeated or reordered report records nothing twice), by ``mercadopago``, audited as
      ``system`` (``reservation.refund``); the booking's refund-owed flags it covers are
      settled (``settle_refund_flags``; not with ``settle=False``: the caller settles them
      once, when it has recorded everything); the caller keeps its money to give back in step;
    - more refunded than the payment, or than the booking still holds (given back by hand
      already, say), is not recorded: ``mismatch`` says why, for the owner's flag."""
    paid = next(
        (p for p in ledger.payments if p.reference == mercadopago_reference(payment.id)), None
    )
    refunded = payment.refunded
    if (
        paid is None
        or paid.method is not PaymentMethod.MERCADOPAGO
        or payment.status not in (PaymentStatus.APPROVED, PaymentStatus.REFUNDED)
        or refunded is None
        or refunded.currency != ledger.total.currency
        or paid.amount.currency != ledger.total.currency
    ):
        return ReportedRefund(ledger)
    if accounted is None:
        accounted = accounted_refunds(ledger, payment.id, stored, refunded.currency)
    new = refunded.cents - accounted
    if new <= 0:
        return ReportedRefund(ledger)
    if refunded.cents > paid.amount.cents:
        return ReportedRefund(
            ledger,
            mismatch=f"Mercado Pago reports {refunded.cents} {refunded.currency} cents refunded "
            f"of a payment of {paid.amount.cents}: not recorded",
        )
    refund = MoneyOut(
        mercadopago_refund_reference(payment.id, refunded.cents),
        Money(new, refunded.currency),
        local_today(payment.updated_at or now),
        PROVIDER_ACTOR,
    )
    try:
        after = ledger.refund(refund, most=returnable(ledger, reservation.status))
    except RefundExceedsPaid as err:
        return ReportedRefund(
            ledger,
            mismatch=f"refunded {new} {refunded.currency} cents at Mercado Pago, but the "
            f"booking holds {err.available.cents if err.available else 0}: was it recorded "
            "by hand already? Not recorded",
        )
    if after is ledger:
        return ReportedRefund(ledger)
    code = reservation.code.value
    await uow.ledger.add_refund(code, refund, "devuelto desde Mercado Pago")
    if settle:
        await settle_refund_flags(uow, code, after, SYSTEM_ACTOR, now)
    await uow.audit.record(
        AuditEntry(
            actor=SYSTEM_ACTOR,
            action="reservation.refund",
            target=code,
            at=now,
            after={
                "amount_cents": new,
                "mercadopago_payment": payment.id,
                "refunded_cents": refunded.cents,
                "source": "mercadopago",
                "note": "devuelto desde Mercado Pago",
            },
        )
    )
    return ReportedRefund(after, recorded=refund.amount)
