"""Money going back to a guest: a refund through Mercado Pago (partial amounts allowed), or one
the owner made by hand (a transfer back) recorded in the ledger."""

from __future__ import annotations

from dataclasses import dataclass

from application.payments.ledger import (
    LedgerView,
    load_reservation,
    refundable_by_mercadopago,
    request_reference,
)
from application.payments.money_to_return import track_money_to_return
from application.payments.refund_flags import settle_refund_flags
from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.ledger import LedgerTerms
from application.ports.payments import PaymentGateway, RefundRequest
from application.ports.unit_of_work import UnitOfWork
from domain.calendar import local_today
from domain.errors import InvalidValue
from domain.money import Money
from domain.payments.errors import RefundExceedsPaid
from domain.payments.ledger import BookingLedger, MoneyOut
from domain.payments.payment import PaymentStatus
from domain.payments.standing import returnable


class MercadoPagoRefundExceeds(RefundExceedsPaid):
    """More than one Mercado Pago payment of the booking has left to refund (``available``:
    the most one has; zero when the booking was not paid through Mercado Pago). Same code:
    to the API it is a refund larger than can be made."""


@dataclass(frozen=True, slots=True)
class IssueRefund:
    """Rules:
    - never more than the booking can give back (``domain.payments.standing.returnable``:
      what the guest paid and has not had back — not a hold's credit from an earlier
      cancellation, which goes back to the guest by itself): ``RefundExceedsPaid``;
    - ``through_mercadopago``: refunded from one Mercado Pago payment of the booking that still
      has that much unrefunded (``POST /v1/payments/{id}/refunds`` with ``X-Idempotency-Key``,
      partial amounts allowed), then the payment is re-fetched and stored as Mercado Pago now
      reports it; money paid otherwise (transfer, cash) cannot go back that way
      (``MercadoPagoRefundExceeds``, saying how much can); without it, the owner refunded by
      hand and it is only recorded;
    - idempotent by the request's key: the same key records once, and the provider call
      carries a key derived from it, so a retry after a crash between the provider's answer
      and our commit gets the same refund back, never a second one;
    - the booking's row is locked from the check to the commit: concurrent refunds are
      judged one after the other against what is left;
    - the booking's open "refund owed" flags are settled (``refunded``) once its refunds cover
      them (``settle_refund_flags``: a partial refund leaves one open with what is left), and
      its money to give back (a booking that gives no nights) follows: settled once nothing
      is held;
    - audited (``reservation.refund``)."""

    uow: UnitOfWork
    clock: Clock
    gateway: PaymentGateway
    terms: LedgerTerms

    async def __call__(
        self,
        raw_code: str,
        amount_cents: int,
        through_mercadopago: bool,
        note: str | None,
        actor: str,
        idempotency_key: str,
    ) -> LedgerView:
        now = self.clock.now()
        async with self.uow:
            reservation = await load_reservation(self.uow, raw_code, for_update=True)
            ledger = await self.uow.ledger.load(reservation, self.terms)
            reference = request_reference("refund", idempotency_key)
            amount = Money(amount_cents, reservation.total.currency)
            refund = MoneyOut(reference, amount, local_today(now), actor)
            # Refuses more than can go back; the same key again: unchanged.
            after = ledger.refund(refund, most=returnable(ledger, reservation.status))
            if after is ledger or any(r.reference == reference for r in ledger.refunds):
                return LedgerView(reservation, ledger, recorded=False)
            payment_id = None
            if through_mercadopago:
                payment_id = await self._refund_at_provider(
                    reservation.code.value, ledger, amount, reference
                )
            await self.uow.ledger.add_refund(reservation.code.value, refund, note)
            await settle_refund_flags(self.uow, reservation.code.value, after, actor, now)
            await track_money_to_return(self.uow, reservation, after, actor, now)
            await self.uow.audit.record(
                AuditEntry(
                    actor=actor,
                    action="reservation.refund",
                    target=reservation.code.value,
                    at=now,
                    after={
                        "amount_cents": amount.cents,
                        "mercadopago_payment": payment_id,
                        "note": note,
                    },
                )
            )
            await self.uow.commit()
        return LedgerView(reservation, after)

    async def _refund_at_provider(
        self, code: str, ledger: BookingLedger, amount: Money, reference: str
    ) -> str:
        left = await refundable_by_mercadopago(self.uow, ledger)
        payment_id = next((pid for pid, money in left if money >= amount), None)
        if payment_id is None:
            most = max((money for _, money in left), default=Money.zero(amount.currency))
            raise MercadoPagoRefundExceeds(
                f"no Mercado Pago payment of this booking has {amount} left to refund (the most "
                f"is {most}); refund by hand and record it (through_mercadopago: false), or "
                "refund in parts",
                available=most,
            )
        await self.gateway.refund(
            RefundRequest(payment_id, amount, idempotency_key=f"cabanas-{reference}")
        )
        fresh = await self.gateway.fetch_payment(payment_id)
        if fresh is not None:
            await self.uow.payments.save(
                fresh,
                self.clock.now(),
                reservation_code=code,
                attention=None,
                attention_reason=None,
            )
            if fresh.status is PaymentStatus.UNKNOWN:
                raise InvalidValue("Mercado Pago reports an unknown state for the payment")
        return payment_id
