"""A payment notification, applied: the only way a hold becomes a booking without a person."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from application.messaging import console_pages
from application.messaging.booking_confirmed import tell_guest_confirmed
from application.messaging.texts import admin_payment_attention
from application.payments.attention import PaymentResolution, settle_flags
from application.payments.ledger import confirm_if_covered
from application.payments.money_to_return import SYSTEM_ACTOR, track_money_to_return
from application.payments.provider_refunds import (
    PROVIDER_ACTOR,
    record_reported_refund,
    stored_as_counted,
)
from application.ports.clock import Clock
from application.ports.ledger import LedgerTerms
from application.ports.metrics import OperationsMetrics
from application.ports.outbox import OwnerAlert
from application.ports.payments import PaymentGateway, PaymentRecord
from application.ports.repositories import PaidOutcome
from application.ports.unit_of_work import UnitOfWork
from domain.booking.reservation import Reservation, ReservationStatus
from domain.calendar import local_today
from domain.codes import ReservationCode
from domain.errors import InvalidValue
from domain.payments.checkout import CheckoutPurpose, CheckoutReference
from domain.payments.errors import MoneyReferenceReused
from domain.payments.ledger import BookingLedger, MoneyIn, PaymentMethod, mercadopago_reference
from domain.payments.payment import Action, Attention, Decision, Payment, PaymentStatus, decide

ATTENTION_TEXT = {
    Attention.REFUND_REQUIRED: "hay que devolver el dinero",
    Attention.AMOUNT_SHORT: "el monto no cubre la seña",
    Attention.WRONG_CURRENCY: "se pagó en otra moneda que la de la reserva",
    Attention.REFUNDED: "la seña de una reserva confirmada fue devuelta",
    Attention.CHARGED_BACK: "contracargo: el comprador reclamó el pago y se le devolvió",
    Attention.REFUND_MISMATCH: "Mercado Pago informa una devolución que no se pudo anotar",
    Attention.UNKNOWN_REFERENCE: "pago aprobado sin reserva nuestra",
    Attention.BALANCE_MISMATCH: "el pago del saldo no coincide con lo adeudado",
}


@dataclass(frozen=True, slots=True)
class PaymentResult:
    decision: Decision
    reservation_code: str | None
    found: bool  # False: the provider does not know the payment id


@dataclass(frozen=True, slots=True)
class ApplyPayment:
    """Rules (see ``domain.payments.payment.decide`` for the decision itself):
    - the payment is always re-fetched from the provider; a notification's body is never
      trusted, so a forged or replayed notification can at most make us look again;
    - every fetch updates the stored payment (a payment seen before is updated, not ignored:
      ``pending`` then ``approved`` confirms);
    - the reservation row is locked while deciding, so two notifications for the same booking
      are applied one after the other;
    - reinstating a lapsed hold goes through the exclusion constraint: if the nights were sold
      meanwhile, the payment is flagged ``refund_required`` — never a double booking;
    - approved money for one of our bookings is recorded in its ledger (once per payment id,
      method ``mercadopago``), whatever the decision: money received is never lost, and the
      owner refunds or credits it from there;
    - a payment on a confirmed booking through the balance's link is judged against the
      balance (matched: recorded; not: ``balance_mismatch``); through the deposit's link (its
      checkout paid again) it is a second deposit, unless it is exactly what is still owed; a
      short payment that, with what was paid before, covers the deposit confirms the hold;
    - a payment through the balance's link (``CODE:balance``) goes through the same re-fetch
      and is recorded the same way, and stored under its booking's code like the deposit's
      (its reference kept apart); one that does not match the balance owed (short, over,
      another currency) is flagged ``balance_mismatch`` for the owner, never lost;
    - approved money on a booking that gives no nights (cancelled, a lapsed hold whose nights
      were sold) is its money to give back: its one item in the queue is kept in step at once
      (opened again if the owner had dismissed it: more money arrived), and this payment's
      flag is settled into it (``track_money_to_return``) — one sum of money, one item;
    - a refund Mercado Pago reports that we did not make (its panel) is recorded in the
      ledger once, and settles what a refund from the console settles
      (``record_reported_refund``); one that cannot be (more than was paid or is held) is
      flagged ``refund_mismatch``; a ``charged_back`` payment is flagged, never a refund;
    - a confirmation message to the guest and alerts to the owner go through the outbox, in
      the same transaction.

    Runs inside the caller's open unit of work; the caller commits.
    """

    uow: UnitOfWork
    gateway: PaymentGateway
    clock: Clock
    metrics: OperationsMetrics
    terms: LedgerTerms = field(default_factory=LedgerTerms)

    async def __call__(self, payment_id: str, trace_id: str | None = None) -> PaymentResult:
        payment = await self.gateway.fetch_payment(payment_id)
        if payment is None:
            return PaymentResult(Decision(Action.RECORD, reason="unknown payment"), None, False)
        now = self.clock.now()
        reservation = await self._reservation(payment)  # locked: notifications take turns
        stored = await self.uow.payments.get(payment.id)
        if _older(payment, stored.payment if stored else None):
            # Another notification fetched a newer state and applied it while we waited for
            # the lock: what we hold is stale, and deciding on it could undo that.
            return PaymentResult(
                Decision(Action.RECORD, reason="stale fetch"),
                reservation.code.value if reservation else None,
                True,
            )
        ledger = None
        if reservation is not None and payment.status in _LEDGER_STATES:
            ledger = await self.uow.ledger.load(reservation, self.terms)
        decision = decide(
            reservation.status if reservation else None,
            reservation.deposit if reservation else None,
            payment,
            confirmed_by_other_payment=bool(
                reservation
                and reservation.paid_by
                and reservation.paid_by != payment.id
                and not _known_or_balance(ledger, payment)
            ),
        )
        money_arrived = False
        if reservation is not None and ledger is not None and _approved(payment):
            recorded = await self._record(reservation, ledger, payment, now)
            money_arrived, ledger = recorded is not ledger, recorded
            decision = _balance_decision(ledger, payment, decision)
        ledger, refunded_now, decision = await self._reported_refund(
            reservation, ledger, payment, stored, now, decision
        )
        decision = _after_refunds(decision, ledger, payment, refunded_now=refunded_now)
        if reservation is not None and decision.action in (Action.CONFIRM, Action.REINSTATE):
            previous = reservation.status
            reservation.confirm_payment(payment.id, now)
            outcome = await self.uow.reservations.save_paid(reservation, previous)
            if outcome is PaidOutcome.CONFIRMED:
                self.metrics.payment_confirmed()
                assert ledger is not None  # only approved money confirms
                await tell_guest_confirmed(self.uow, self.clock, reservation, ledger, trace_id)
            else:
                reservation.status = previous  # not saved: it still gives no nights
                decision = Decision(
                    Action.FLAG, Attention.REFUND_REQUIRED, "the nights were sold meanwhile"
                )
        elif (
            reservation is not None
            and ledger is not None
            and decision.attention is Attention.AMOUNT_SHORT
            and payment.amount.currency == reservation.deposit.currency
        ):
            confirmed = await confirm_if_covered(
                self.uow, self.clock, reservation, ledger, payment.id, self.terms, trace_id
            )
            if confirmed:
                self.metrics.payment_confirmed()
                decision = Decision(
                    Action.CONFIRM, reason="the deposit is covered with earlier payments"
                )
            elif confirmed is False:
                decision = Decision(
                    Action.FLAG, Attention.REFUND_REQUIRED, "the nights were sold meanwhile"
                )
        if (
            reservation is not None
            and decision.action in (Action.CONFIRM, Action.REINSTATE)
            and reservation.status is ReservationStatus.CONFIRMED
        ):
            # The deposit is covered: what an earlier short payment asked for is answered.
            await settle_flags(
                self.uow,
                reservation.code.value,
                _SHORT,
                PaymentResolution.PAYMENT_RECORDED,
                SYSTEM_ACTOR,
                now,
            )
        attention = decision.attention if decision.action is Action.FLAG else None
        await self.uow.payments.save(
            stored_as_counted(payment, stored.payment.refunded if stored else None),
            now,
            reservation_code=reservation.code.value if reservation else None,
            attention=attention,
            attention_reason=decision.reason or None,
        )
        await self._money_to_return(
            reservation, ledger, payment, now, money_arrived, refunded_now=refunded_now
        )
        if attention is not None:
            self.metrics.payment_attention(attention.value)
            await self.uow.outbox.put(
                OwnerAlert(
                    admin_payment_attention(
                        payment.id,
                        reservation.code.display if reservation else None,
                        ATTENTION_TEXT[attention],
                    ),
                    console_pages.reservation(reservation.code.value)
                    if reservation
                    else console_pages.PAYMENTS,
                ),
                now,
                dedupe_key=f"alert:payment:{payment.id}:{attention.value}",
                trace_id=trace_id,
            )
        return PaymentResult(decision, reservation.code.value if reservation else None, True)

    async def _money_to_return(
        self,
        reservation: Reservation | None,
        ledger: BookingLedger | None,
        payment: Payment,
        now: datetime,
        money_arrived: bool,
        *,
        refunded_now: bool = False,
    ) -> None:
        """Money on a booking without nights is its money to give back: one item, which takes
        this payment's flag (or leaves the queue when the payment confirmed the booking), and
        follows a refund Mercado Pago reported."""
        if reservation is None or ledger is None or not (_approved(payment) or refunded_now):
            return
        await track_money_to_return(
            self.uow,
            reservation,
            ledger,
            PROVIDER_ACTOR,
            now,
            newly_owed=money_arrived,
            settled_as=PaymentResolution.PAYMENT_RECORDED
            if reservation.is_active
            else PaymentResolution.REFUNDED,
        )

    async def _reported_refund(
        self,
        reservation: Reservation | None,
        ledger: BookingLedger | None,
        payment: Payment,
        stored: PaymentRecord | None,
        now: datetime,
        decision: Decision,
    ) -> tuple[BookingLedger | None, bool, Decision]:
        """A refund made in Mercado Pago's panel, into the ledger (or flagged when it cannot
        be): the ledger after it, whether one was recorded, and the decision."""
        if reservation is None or ledger is None:
            return ledger, False, decision
        reported = await record_reported_refund(self.uow, reservation, ledger, payment, stored, now)
        if reported.mismatch and decision.action in (Action.RECORD, Action.FLAG):
            decision = Decision(Action.FLAG, Attention.REFUND_MISMATCH, reported.mismatch)
        return reported.ledger, reported.recorded is not None, decision

    async def _reservation(self, payment: Payment) -> Reservation | None:
        if not payment.external_reference:
            return None
        reference = CheckoutReference.parse(payment.external_reference)
        if reference is None:
            return None
        try:
            code = ReservationCode.parse(reference.code)
        except InvalidValue:
            return None
        return await self.uow.reservations.get(code, for_update=True)

    async def _record(
        self, reservation: Reservation, ledger: BookingLedger, payment: Payment, now: datetime
    ) -> BookingLedger:
        """The approved payment in the booking's ledger, once (its id is the reference)."""
        day = local_today(payment.approved_at or now)
        money = MoneyIn(
            mercadopago_reference(payment.id),
            PaymentMethod.MERCADOPAGO,
            payment.amount,
            day,
            PROVIDER_ACTOR,
        )
        try:
            after = ledger.record_payment(money)
        except MoneyReferenceReused:
            return ledger  # the provider changed the amount of a recorded payment: keep ours
        if after is not ledger:
            await self.uow.ledger.add_payment(reservation.code.value, after.payments[-1])
        return after


_LEDGER_STATES = frozenset({PaymentStatus.APPROVED, PaymentStatus.REFUNDED})
# Answered once the deposit is covered (by this payment with the ones before).
_SHORT = frozenset({Attention.AMOUNT_SHORT})


def _approved(payment: Payment) -> bool:
    return payment.status is PaymentStatus.APPROVED


def _after_refunds(
    decision: Decision, ledger: BookingLedger | None, payment: Payment, *, refunded_now: bool
) -> Decision:
    """A refund the ledger holds (ours, or one from the panel just recorded) is no alarm; but
    a confirmed booking's whole deposit going back from the panel stays the owner's call."""
    if refunded_now and decision.attention is Attention.REFUNDED:
        return Decision(Action.FLAG, Attention.REFUNDED, "deposit refunded in Mercado Pago's panel")
    if _refunded_by_us(decision, ledger, payment):
        return Decision(Action.RECORD, reason="refunded and recorded in the ledger")
    return decision


def _refunded_by_us(decision: Decision, ledger: BookingLedger | None, payment: Payment) -> bool:
    """A refund the owner issued through us (recorded in the ledger) is no alarm when Mercado
    Pago reports it back."""
    if decision.attention not in (
        Attention.REFUNDED,
        Attention.AMOUNT_SHORT,
        Attention.WRONG_CURRENCY,
    ):
        return False
    if ledger is None or payment.refunded is None or not payment.refunded.cents:
        return False
    ours = sum(
        r.amount.cents for r in ledger.refunds if r.amount.currency == payment.amount.currency
    )
    return payment.refunded.cents <= ours


def _for_balance(payment: Payment) -> bool:
    reference = CheckoutReference.parse(payment.external_reference or "")
    return reference is not None and reference.purpose is CheckoutPurpose.BALANCE


def _balance_decision(ledger: BookingLedger, payment: Payment, decision: Decision) -> Decision:
    """Judged against the balance, not the deposit: recorded when it matched what was owed
    (even less than the deposit), flagged for the owner when not."""
    judged = decision.action is Action.RECORD or decision.attention is Attention.AMOUNT_SHORT
    if not _for_balance(payment) or not judged or not ledger.deposit_paid:
        return decision
    reference = mercadopago_reference(payment.id)
    recorded = next((p for p in ledger.payments if p.reference == reference), None)
    if recorded is None:
        return decision
    if recorded.flag is None:
        return Decision(Action.RECORD, reason=f"paid the {recorded.covers or 'balance'}")
    return Decision(
        Action.FLAG,
        Attention.BALANCE_MISMATCH,
        f"balance payment recorded as {recorded.flag.value}; {ledger.balance_due.cents} "
        f"{ledger.total.currency} cents still owed",
    )


def _known_or_balance(ledger: BookingLedger | None, payment: Payment) -> bool:
    """Already in the ledger (a redelivery), or the balance paid, not a second deposit:
    anything through the balance's link (what it does not match is ``balance_mismatch``, never
    a refund of all of it); through the deposit's link (paid twice: the checkout stays open),
    only exactly what is still owed (a deposit of half the total is also the rest)."""
    if ledger is None:
        return False
    reference = mercadopago_reference(payment.id)
    if any(p.reference == reference for p in ledger.payments):
        return True
    kept = payment.amount.cents - (payment.refunded.cents if payment.refunded else 0)
    if _for_balance(payment):
        return True  # judged against the balance (``_balance_decision``): matched or mismatched
    if payment.amount.currency != ledger.total.currency or kept <= 0:
        return False
    return kept == ledger.balance_due.cents


def _older(fetched: Payment, stored: Payment | None) -> bool:
    if stored is None or fetched.updated_at is None or stored.updated_at is None:
        return False
    return fetched.updated_at < stored.updated_at
