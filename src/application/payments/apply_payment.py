"""A payment notification, applied: the only way a hold becomes a booking without a person."""

from __future__ import annotations

from dataclasses import dataclass

from application.messaging import console_pages
from application.messaging.texts import (
    admin_payment_attention,
    ars,
    booking_confirmed,
    day_month,
    email_booking_confirmed,
    first_name,
)
from application.messaging.whatsapp_templates import BOOKING_CONFIRMED
from application.ports.clock import Clock
from application.ports.metrics import OperationsMetrics
from application.ports.outbox import EmailMessage, OwnerAlert, Topic, WhatsAppMessage
from application.ports.payments import PaymentGateway
from application.ports.repositories import PaidOutcome
from application.ports.unit_of_work import UnitOfWork
from domain.booking.reservation import Reservation
from domain.codes import ReservationCode
from domain.errors import InvalidValue
from domain.payments.payment import Action, Attention, Decision, Payment, decide

ATTENTION_TEXT = {
    Attention.REFUND_REQUIRED: "hay que devolver el dinero",
    Attention.AMOUNT_SHORT: "el monto no cubre la seña",
    Attention.REFUNDED: "la seña de una reserva confirmada fue devuelta",
    Attention.CHARGED_BACK: "contracargo sobre una reserva confirmada",
    Attention.UNKNOWN_REFERENCE: "pago aprobado sin reserva nuestra",
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
    - a confirmation to the guest (WhatsApp, and e-mail when the guest gave an address) and
      alerts to the owner go through the outbox, in the same transaction.

    Runs inside the caller's open unit of work; the caller commits.
    """

    uow: UnitOfWork
    gateway: PaymentGateway
    clock: Clock
    metrics: OperationsMetrics

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
        decision = decide(
            reservation.status if reservation else None,
            reservation.deposit if reservation else None,
            payment,
            confirmed_by_other_payment=bool(
                reservation and reservation.paid_by and reservation.paid_by != payment.id
            ),
        )
        if reservation is not None and decision.action in (Action.CONFIRM, Action.REINSTATE):
            previous = reservation.status
            reservation.confirm_payment(payment.id, now)
            outcome = await self.uow.reservations.save_paid(reservation, previous)
            if outcome is PaidOutcome.CONFIRMED:
                self.metrics.payment_confirmed()
                await self._tell_guest(reservation, payment, trace_id)
            else:
                decision = Decision(
                    Action.FLAG, Attention.REFUND_REQUIRED, "the nights were sold meanwhile"
                )
        attention = decision.attention if decision.action is Action.FLAG else None
        await self.uow.payments.save(
            payment, now, attention=attention, attention_reason=decision.reason or None
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

    async def _reservation(self, payment: Payment) -> Reservation | None:
        if not payment.external_reference:
            return None
        try:
            code = ReservationCode.parse(payment.external_reference)
        except InvalidValue:
            return None
        return await self.uow.reservations.get(code, for_update=True)

    async def _tell_guest(
        self, reservation: Reservation, payment: Payment, trace_id: str | None
    ) -> None:
        cabin = await self.uow.accommodations.get(reservation.accommodation_id)
        facts = (
            first_name(reservation.guest.name),
            reservation.code.display,
            cabin.name if cabin else "la cabaña",
            reservation.stay.check_in,
            reservation.stay.check_out,
            payment.amount,
        )
        name, code, cabin_name, check_in, check_out, paid = facts
        template = BOOKING_CONFIRMED.use(
            name, code, cabin_name, day_month(check_in), day_month(check_out), ars(paid)
        )
        group = f"confirmed:{reservation.code.value}"
        if reservation.guest.phone:
            await self.uow.outbox.put(
                WhatsAppMessage(
                    reservation.guest.phone,
                    booking_confirmed(*facts),
                    template=template,
                    topic=Topic.BOOKING_CONFIRMED,
                    reservation=reservation.code.value,
                ),
                self.clock.now(),
                dedupe_key=group,
                trace_id=trace_id,
            )
        if reservation.guest.email:
            subject, text = email_booking_confirmed(*facts)
            await self.uow.outbox.put(
                EmailMessage(
                    reservation.guest.email,
                    subject,
                    text,
                    Topic.BOOKING_CONFIRMED,
                    reservation.code.value,
                ),
                self.clock.now(),
                dedupe_key=f"{group}:email",
                group=group,
                trace_id=trace_id,
            )


def _older(fetched: Payment, stored: Payment | None) -> bool:
    if stored is None or fetched.updated_at is None or stored.updated_at is None:
        return False
    return fetched.updated_at < stored.updated_at
