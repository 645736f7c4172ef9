"""Telling a guest their booking is confirmed, whichever money confirmed it (a Mercado Pago
payment, one the owner recorded, or a credit from an earlier cancellation)."""

from __future__ import annotations

from application.messaging import guest_pages
from application.messaging.quote_texts import cancellation_terms
from application.messaging.texts import (
    ars,
    booking_confirmed,
    day_month,
    email_booking_confirmed,
    first_name,
)
from application.ports.clock import Clock
from application.ports.outbox import EmailMessage, Topic, WhatsAppMessage
from application.ports.unit_of_work import UnitOfWork
from application.ports.whatsapp_templates import BOOKING_CONFIRMED
from domain.booking.reservation import Reservation
from domain.calendar import local_today
from domain.payments.ledger import BookingLedger


async def tell_guest_confirmed(
    uow: UnitOfWork,
    clock: Clock,
    reservation: Reservation,
    ledger: BookingLedger,
    trace_id: str | None = None,
) -> None:
    """Once per booking (the outbox's dedupe key), whichever payment confirmed it: WhatsApp
    (the approved template outside the 24 h window) and e-mail when the guest gave one."""
    cabin = await uow.accommodations.get(reservation.accommodation_id)
    facts = (
        first_name(reservation.guest.name),
        reservation.code.display,
        cabin.name if cabin else "la cabaña",
        reservation.stay.check_in,
        reservation.stay.check_out,
        ledger.held,
    )
    name, code, cabin_name, check_in, check_out, paid = facts
    group = f"confirmed:{reservation.code.value}"
    today = local_today(clock.now())
    if reservation.guest.phone:
        stored = await uow.prices.get(reservation.accommodation_id)
        text = booking_confirmed(
            *facts,
            balance=ledger.balance_due,
            balance_due_on=ledger.balance_due_on,
            terms=cancellation_terms(stored.cancellation),
            today=today,
        )
        template = BOOKING_CONFIRMED.use(
            name,
            code,
            cabin_name,
            day_month(check_in, today),
            day_month(check_out, today),
            ars(paid),
        )
        await uow.outbox.put(
            WhatsAppMessage(
                reservation.guest.phone,
                text,
                template=template,
                topic=Topic.BOOKING_CONFIRMED,
                reservation=reservation.code.value,
                page=guest_pages.reservation(reservation.code.value),
            ),
            clock.now(),
            dedupe_key=group,
            trace_id=trace_id,
        )
    if reservation.guest.email:
        subject, body = email_booking_confirmed(*facts)
        await uow.outbox.put(
            EmailMessage(
                reservation.guest.email,
                subject,
                body,
                Topic.BOOKING_CONFIRMED,
                reservation.code.value,
            ),
            clock.now(),
            dedupe_key=f"{group}:email",
            group=group,
            trace_id=trace_id,
        )
