"""Before a refund through Mercado Pago, each of the booking's Mercado Pago payments as Mercado
Pago reports it now, and what of its refunds the ledger does not count yet (``IssueRefund``'s
rules: no refund on top of one the ledger does not know)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from application.errors import IntegrationError
from application.payments.provider_refunds import (
    ReportedRefund,
    accounted_refunds,
)
from application.ports.payments import PaymentGateway, PaymentRecord
from application.ports.unit_of_work import UnitOfWork
from domain.errors import InvalidValue
from domain.money import Money
from domain.payments.errors import FoundOutcome, FoundRefund, PaymentNotFoundAtProvider
from domain.payments.ledger import MERCADOPAGO_PREFIX, BookingLedger, PaymentMethod
from domain.payments.payment import Payment, PaymentStatus


@dataclass(frozen=True, slots=True)
class PaymentLook:
    """One Mercado Pago payment of the booking, fetched before a refund is asked."""

    payment_id: str
    fresh: Payment
    stored: PaymentRecord | None
    accounted: int  # its refunds the ledger counts (``accounted_refunds``), in cents
    currency: str  # the booking's

    @property
    def unrecorded(self) -> int:
        """Its refunds Mercado Pago reports beyond what the ledger counts, in cents."""
        return reported_cents(self.fresh, self.currency) - self.accounted

    def outcome(self, reported: ReportedRefund) -> FoundRefund:
        """What was found on it, and what became of it (``record_reported_refund``)."""
        if reported.recorded is not None:
            what = FoundOutcome.RECORDED
        elif reported.mismatch:
            what = FoundOutcome.MISMATCH
        elif self.fresh.status is PaymentStatus.IN_MEDIATION:
            what = FoundOutcome.IN_MEDIATION
        elif self.fresh.status is PaymentStatus.CHARGED_BACK:
            what = FoundOutcome.CHARGED_BACK
        else:
            what = FoundOutcome.NOT_RECORDED
        return FoundRefund(self.payment_id, Money(self.unrecorded, self.currency), what)

    def found(self, reported: ReportedRefund) -> str:
        """What was found on it, and what became of it (``outcome``), for the API's detail."""
        match self.outcome(reported).outcome:
            case FoundOutcome.RECORDED:
                what = "it is recorded now"
            case FoundOutcome.MISMATCH:
                what = (
                    f"it was not recorded ({reported.mismatch}; the payment is flagged "
                    "refund_mismatch)"
                )
            case FoundOutcome.CHARGED_BACK:
                what = (
                    "it was not recorded: the payment is charged_back (the buyer's bank took the "
                    "money back); check it in the payments needing attention"
                )
            case FoundOutcome.IN_MEDIATION:
                what = (
                    "it was not recorded: the payment is in_mediation (a dispute is open), and "
                    "it is recorded once Mercado Pago reports the payment approved or refunded "
                    "again"
                )
            case FoundOutcome.NOT_RECORDED:
                what = (
                    f"it was not recorded (a {self.fresh.status.value} payment's refunds are not)"
                )
        return (
            f"{Money(self.unrecorded, self.currency)} refunded of payment {self.payment_id} that "
            "the ledger did not count (a refund whose save failed, or one made in Mercado "
            f"Pago's panel and not notified yet): {what}"
        )


async def look_at_all(
    uow: UnitOfWork, gateway: PaymentGateway, ledger: BookingLedger
) -> list[PaymentLook]:
    """Every Mercado Pago payment of the booking (``look_at``), fetched from Mercado Pago at
    once rather than one after another: the booking's row is locked meanwhile."""
    ids = mercadopago_payment_ids(ledger)
    fetched = await asyncio.gather(*(gateway.fetch_payment(pid) for pid in ids))
    return [await look_at(uow, ledger, pid, fresh) for pid, fresh in zip(ids, fetched, strict=True)]


async def look_at(
    uow: UnitOfWork, ledger: BookingLedger, payment_id: str, fresh: Payment | None
) -> PaymentLook:
    """One payment of the booking as Mercado Pago reported it (``fresh``). One it does not
    find (it answers 404: another account's payment, or one it no longer has) is
    ``PaymentNotFoundAtProvider``, not a failure to retry: its refunds cannot be checked, and
    asking again finds nothing more."""
    if fresh is None:
        raise PaymentNotFoundAtProvider(
            f"Mercado Pago does not find payment {payment_id} of this booking (another "
            "account's, or one it no longer has): what was refunded of it cannot be checked, so "
            "no refund was asked. Check the payment in Mercado Pago; a refund made by hand is "
            "recorded with through_mercadopago false",
            payment_id=payment_id,
        )
    _known_state(fresh)
    stored = await uow.payments.get(payment_id)
    currency = ledger.total.currency
    accounted = accounted_refunds(ledger, payment_id, stored, currency)
    return PaymentLook(payment_id, fresh, stored, accounted, currency)


async def fetch_reported(gateway: PaymentGateway, payment_id: str) -> Payment:
    """The payment as Mercado Pago reports it now, after our refund of it; not getting it is an
    ``IntegrationError`` (the same request again gets the same refund back)."""
    fresh = await gateway.fetch_payment(payment_id)
    if fresh is None:
        raise IntegrationError(f"Mercado Pago did not return payment {payment_id}", retryable=True)
    _known_state(fresh)
    return fresh


def _known_state(fresh: Payment) -> None:
    if fresh.status is PaymentStatus.UNKNOWN:
        raise InvalidValue("Mercado Pago reports an unknown state for the payment")


def reported_cents(payment: Payment, currency: str) -> int:
    reported = payment.refunded
    return reported.cents if reported and reported.currency == currency else 0


def mercadopago_payment_ids(ledger: BookingLedger) -> list[str]:
    """The ids of the booking's Mercado Pago payments, as its ledger records them."""
    return [
        paid.reference.removeprefix(MERCADOPAGO_PREFIX)
        for paid in ledger.payments
        if paid.method is PaymentMethod.MERCADOPAGO
    ]
