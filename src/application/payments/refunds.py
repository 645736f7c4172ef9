"""Money going back to a guest: a refund through Mercado Pago (partial amounts allowed), or one
the owner made by hand (a transfer back) recorded in the ledger."""

from __future__ import annotations

from dataclasses import dataclass

from application.errors import IntegrationError
from application.payments.ledger import (
    LedgerView,
    load_reservation,
    refundable_by_mercadopago,
    request_reference,
)
from application.payments.money_to_return import track_money_to_return
from application.payments.provider_refunds import accounted_refunds, record_reported_refund
from application.payments.refund_flags import settle_refund_flags
from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.ledger import LedgerTerms
from application.ports.payments import PaymentGateway, RefundRequest
from application.ports.unit_of_work import UnitOfWork
from domain.booking.reservation import Reservation
from domain.calendar import local_today
from domain.errors import InvalidValue
from domain.money import Money
from domain.payments.errors import MoneyReferenceReused, RefundExceedsPaid
from domain.payments.ledger import BookingLedger, MoneyOut, PaymentMethod, mercadopago_reference
from domain.payments.payment import Attention, PaymentStatus
from domain.payments.standing import returnable


class MercadoPagoRefundExceeds(RefundExceedsPaid):
    """More than one Mercado Pago payment of the booking has left to refund (``available``:
    the most one has; zero when the booking was not paid through Mercado Pago). Same code:
    to the API it is a refund larger than can be made."""


@dataclass(frozen=True, slots=True)
class _AtProvider:
    payment_id: str
    ledger: BookingLedger  # with what Mercado Pago reported beyond it recorded
    ours: bool  # whether the request's own refund was recorded now


@dataclass(frozen=True, slots=True)
class IssueRefund:
    """Rules:
    - never more than the booking can give back (``domain.payments.standing.returnable``:
      what the guest paid and has not had back — not a hold's credit from an earlier
      cancellation, which goes back to the guest by itself): ``RefundExceedsPaid``;
    - ``through_mercadopago``: refunded from one Mercado Pago payment of the booking that still
      has that much unrefunded (``POST /v1/payments/{id}/refunds`` with ``X-Idempotency-Key``,
      partial amounts allowed); money paid otherwise (transfer, cash) cannot go back that way
      (``MercadoPagoRefundExceeds``, saying how much can); without it, the owner refunded by
      hand and it is only recorded;
    - idempotent by the request's key: the same key records once, and the provider call
      carries a key derived from it, so a retry after a crash between the provider's answer
      and our commit gets the same refund back, never a second one;
    - what Mercado Pago made is counted once, whatever came first (our save, its
      notification, a retry): the payment is re-fetched after the call and the ledger follows
      what Mercado Pago reports of it. The request's refund is recorded (under its key) only
      if the report has that much the ledger does not count yet
      (``provider_refunds.accounted_refunds``); when it has less, Mercado Pago's
      notification recorded it already (our save had failed; or it records it once Mercado
      Pago reports it) and the request records nothing new. Anything else
      the report has beyond the ledger (a refund made in Mercado Pago's panel, not yet
      notified) is recorded as its notification would (``record_reported_refund``), and the
      payment is stored as reported;
    - Mercado Pago answering the key with a refund of a payment that is not this booking's,
      or of another amount (the key was used for another refund): ``MoneyReferenceReused``,
      nothing recorded;
    - the booking's row is locked from the check to the commit: concurrent refunds (and
      Mercado Pago's notifications) are judged one after the other against what is left;
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
            code = reservation.code.value
            payment_id, recorded = None, True
            if through_mercadopago:
                made = await self._refund_at_provider(reservation, ledger, refund, note)
                payment_id, after, recorded = made.payment_id, made.ledger, made.ours
            else:
                await self.uow.ledger.add_refund(code, refund, note)
            await settle_refund_flags(self.uow, code, after, actor, now)
            await track_money_to_return(self.uow, reservation, after, actor, now)
            if recorded:
                await self.uow.audit.record(
                    AuditEntry(
                        actor=actor,
                        action="reservation.refund",
                        target=code,
                        at=now,
                        after={
                            "amount_cents": amount.cents,
                            "mercadopago_payment": payment_id,
                            "note": note,
                        },
                    )
                )
            await self.uow.commit()
        return LedgerView(reservation, after, recorded=recorded)

    async def _refund_at_provider(
        self, reservation: Reservation, ledger: BookingLedger, refund: MoneyOut, note: str | None
    ) -> _AtProvider:
        amount = refund.amount
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
        made = await self.gateway.refund(
            RefundRequest(payment_id, amount, idempotency_key=f"cabanas-{refund.reference}")
        )
        ours = {p.reference for p in ledger.payments if p.method is PaymentMethod.MERCADOPAGO}
        if mercadopago_reference(made.payment_id) not in ours or made.amount != amount:
            raise MoneyReferenceReused(
                f"this key already refunded {made.amount} of Mercado Pago payment "
                f"{made.payment_id}; send this refund with a new key"
            )
        payment_id = made.payment_id
        fresh = await self.gateway.fetch_payment(payment_id)
        if fresh is None:
            raise IntegrationError(
                "Mercado Pago did not return the payment it refunded", retryable=True
            )
        if fresh.status is PaymentStatus.UNKNOWN:
            raise InvalidValue("Mercado Pago reports an unknown state for the payment")
        now, code = self.clock.now(), reservation.code.value
        stored = await self.uow.payments.get(payment_id)
        accounted = accounted_refunds(ledger, payment_id, stored, amount.currency)
        reported = fresh.refunded
        reported_cents = reported.cents if reported and reported.currency == amount.currency else 0
        counted = reported_cents - accounted >= amount.cents
        if counted:  # Mercado Pago reports it and the ledger does not count it yet
            ledger = ledger.refund(refund)
            await self.uow.ledger.add_refund(code, refund, note)
            await settle_refund_flags(self.uow, code, ledger, refund.recorded_by, now)
            accounted += amount.cents
        rest = await record_reported_refund(
            self.uow, reservation, ledger, fresh, stored, now, accounted=accounted
        )
        await self.uow.payments.save(
            fresh,
            now,
            reservation_code=code,
            attention=Attention.REFUND_MISMATCH if rest.mismatch else None,
            attention_reason=rest.mismatch,
        )
        return _AtProvider(payment_id, rest.ledger, counted)
