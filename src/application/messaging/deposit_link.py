"""The deposit's payment link, told to the guest: WhatsApp (its approved template outside the
24 h window) and e-mail when the guest gave an address, as one notification."""

from __future__ import annotations

from datetime import datetime

from application.messaging.texts import (
    ars,
    deadline,
    email_deposit_link,
    first_name,
    payment_link,
)
from application.ports.outbox import EmailMessage, Outbox, Topic, WhatsAppMessage
from application.ports.whatsapp_templates import DEPOSIT_LINK
from domain.booking.reservation import Reservation
from domain.calendar import local_today


async def queue_deposit_link(
    outbox: Outbox,
    reservation: Reservation,
    url: str,
    now: datetime,
    *,
    key: str,
    whatsapp: bool = True,
) -> None:
    """``key`` names the notification (its rows' dedupe keys derive from it: the same key
    queues nothing twice)."""
    code = reservation.code
    until = deadline(reservation.expires_at or now, local_today(now))
    if whatsapp and reservation.guest.phone:
        await outbox.put(
            WhatsAppMessage(
                reservation.guest.phone,
                payment_link(code.display, reservation.deposit, url),
                template=DEPOSIT_LINK.use(
                    first_name(reservation.guest.name),
                    code.display,
                    ars(reservation.deposit),
                    url,
                    until,
                ),
                topic=Topic.DEPOSIT_LINK,
                reservation=code.value,
            ),
            now,
            dedupe_key=key,
            trace_id=None,
        )
    if reservation.guest.email:
        subject, text = email_deposit_link(
            first_name(reservation.guest.name), code.display, ars(reservation.deposit), url, until
        )
        await outbox.put(
            EmailMessage(reservation.guest.email, subject, text, Topic.DEPOSIT_LINK, code.value),
            now,
            dedupe_key=f"{key}:email",
            group=key,
        )
