"""Money going back to a guest: a refund through Mercado Pago (partial amounts allowed), or one
the owner made by hand (a transfer back) recorded in the ledger."""

from __future__ import annotations

from dataclasses import dataclass

from application.payments.ledger import LedgerView, load_reservation, request_reference
from application.payments.money_to_return import track_money_to_return
from application.payments.refund_at_provider import (
    MercadoPagoRefundExceeds,
    RefundThroughMercadoPago,
)
from application.payments.refund_flags import settle_refund_flags
from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.ledger import LedgerTerms
from application.ports.payments import PaymentGateway
from application.ports.unit_of_work import Transactions, UnitOfWork
from domain.calendar import local_today
from domain.money import Money
from domain.payments.errors import MoneyReferenceReused, UnrecordedRefundFound
from domain.payments.ledger import MoneyOut
from domain.payments.standing import returnable

__all__ = ["IssueRefund", "MercadoPagoRefundExceeds"]


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
    - never a refund on top of one the ledger does not know: before asking for a refund, every
      Mercado Pago payment of the booking is fetched, and when Mercado Pago reports refunds of
      any of them that the ledger does not count yet (``provider_refunds.accounted_refunds``:
      one whose save failed before its notification came, one made in Mercado Pago's panel and
      not notified yet), the refund is not asked. What was reported is recorded as its
      notification would (``record_reported_refund``), the payment stored as reported, that is
      committed, and ``UnrecordedRefundFound`` says how much was found (on all of them): the
      owner looks before giving more back (sent again with a new key, the same refund would be a
      second one at Mercado Pago). A fetch failing is an ``IntegrationError`` with nothing asked
      — safer than refunding blind; a payment Mercado Pago does not find (404) is
      ``PaymentNotFoundAtProvider``, nothing asked either, and retrying cannot change it;
    - except this very request, retried: its key is noted (``PROVIDER_REFUNDS``, in a
      transaction of its own, committed before the call) as it goes to Mercado Pago, so a retry
      whose first attempt reached Mercado Pago before our save failed is told apart — the key
      went out for this payment and amount, and the refunds the ledger does not count come to at
      least that much on it and to nothing on the booking's other payments — and sends the key
      again, to the payment it went to (never another, even once that one has nothing left: were
      Mercado Pago's keys per payment, another would make a new refund): Mercado Pago answers
      with the refund it made for it, and it is recorded under the key as before (a key noted
      for another amount: ``MoneyReferenceReused``, nothing asked). Asking Mercado Pago with the
      key cannot tell instead: a key it has not seen makes a new refund. What the note cannot
      tell: a first attempt that never got there while as much was refunded elsewhere meanwhile
      (the key then makes the refund: the owner's own request, resent). The note is kept a year
      (``REFUND_NOTE_RETENTION``, longer than Mercado Pago takes a refund of a payment), not
      48 h like other keys: a retry days later is still told apart;
    - what Mercado Pago made is counted once, whatever came first (our save, its
      notification, a retry): the payment is re-fetched after the call and the ledger follows
      what Mercado Pago reports of it. The request's refund is recorded (under its key) when
      the report has that much the ledger does not count yet. When it has less and the key
      went to Mercado Pago now for the first time, the refund Mercado Pago answered with is
      the one it made now and its report does not show it yet: it is recorded from the answer
      (the owner's, audited with Mercado Pago's refund id), under the request's reference
      with the payment and the cumulative amount it brings it to
      (``answered_refund_reference``), which ``accounted_refunds`` counts as reported — so
      the notification, once the report shows it, records nothing more, and the same request
      again is a replay. When it has less and the key was sent before: if the report shows it
      (as much as the key's note says it comes to once shown), Mercado Pago's notification
      recorded it already and the request records nothing new; if the report lags still, it is
      recorded from the answer as on the first attempt. Only an ``approved`` answer (or one
      without a status) is recorded from; ``rejected``/``cancelled``: ``RefundNotMade``; any
      other: ``RefundInProcessAtProvider`` (its notification records it);
    - while a key of the booking went to Mercado Pago and neither the ledger nor the report
      shows its refund yet (its note is not settled; at most ``PENDING_AT_PROVIDER``), a
      refund with a new key is not asked: ``RefundPendingAtProvider``. A 4xx answer to the
      refund (not a rate limit): no refund was made, ``RefundNotMade``. Anything else the report has
      beyond the ledger (a refund made in Mercado Pago's panel between the fetch before the
      call and the re-fetch after it) is recorded as its notification would, and the payment
      is stored as reported;
    - Mercado Pago answering the key with a refund of a payment that is not this booking's,
      or of another amount (the key was used for another refund): ``MoneyReferenceReused``,
      nothing recorded;
    - the booking's row is locked from the check to the commit: concurrent refunds (and
      Mercado Pago's notifications) are judged one after the other against what is left;
    - the booking's open "refund owed" flags are settled (``refunded``) once its refunds cover
      them (``settle_refund_flags``: a partial refund leaves one open with what is left), and
      its money to give back (a booking that gives no nights) follows: settled once nothing
      is held;
    - audited (``reservation.refund``, with ``mercadopago_refund``: Mercado Pago's id of
      the refund)."""

    uow: UnitOfWork
    clock: Clock
    gateway: PaymentGateway
    terms: LedgerTerms
    transactions: Transactions  # to note a key sent to Mercado Pago, whatever ours becomes

    @property
    def _through_mercadopago(self) -> RefundThroughMercadoPago:
        return RefundThroughMercadoPago(self.uow, self.clock, self.gateway, self.transactions)

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
        refused: UnrecordedRefundFound | None = None
        async with self.uow:
            reservation = await load_reservation(self.uow, raw_code, for_update=True)
            ledger = await self.uow.ledger.load(reservation, self.terms)
            reference = request_reference("refund", idempotency_key)
            amount = Money(amount_cents, reservation.total.currency)
            refund = MoneyOut(reference, amount, local_today(now), actor)
            answered = ledger.refund_of(reference)
            if answered is not None and answered.reference != reference:
                # Recorded from Mercado Pago's answer: the same key again changes nothing.
                if answered.amount != amount:
                    raise MoneyReferenceReused(
                        f"refund {reference!r} was recorded for {answered.amount}"
                    )
                return LedgerView(reservation, ledger, recorded=False)
            # Refuses more than can go back; the same key again: unchanged.
            after = ledger.refund(refund, most=returnable(ledger, reservation.status))
            if after is ledger or any(r.reference == reference for r in ledger.refunds):
                return LedgerView(reservation, ledger, recorded=False)
            code = reservation.code.value
            payment_id, refund_id, recorded = None, None, True
            if through_mercadopago:
                made = await self._through_mercadopago(reservation, ledger, refund, note)
                payment_id, after, recorded = made.payment_id, made.ledger, made.ours
                refund_id, refused = made.refund_id, made.refused
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
                            "mercadopago_refund": refund_id,
                            "note": note,
                        },
                    )
                )
            await self.uow.commit()
        if refused is not None:  # what Mercado Pago had made is recorded; the owner looks again
            raise refused
        return LedgerView(reservation, after, recorded=recorded)
