"""Queue a scheduled notification once: the claim and its outbox rows in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from application.messaging.scheduled_texts import Wording
from application.ports.messaging import TemplateUse
from application.ports.outbox import EmailMessage, OutboxMessage, WhatsAppMessage
from application.ports.unit_of_work import UnitOfWork
from domain.booking.reservation import Reservation
from domain.messaging.schedule import Scheduled

# What anonymisation leaves in a booking's phone (docs/privacy.md): no number at all.
_NO_PHONE = "-"


def scheduled_key(kind: Scheduled, about: str) -> str:
    """The notification's key: a reservation's code, or the day of the owner's summary."""
    return f"scheduled:{kind.value}:{about}"


@dataclass(frozen=True, slots=True)
class Notification:
    key: str
    kind: Scheduled
    reservation: str | None
    messages: tuple[OutboxMessage, ...]


def to_guest(
    reservation: Reservation, topic: str, template: TemplateUse, wording: Wording
) -> tuple[OutboxMessage, ...]:
    """WhatsApp to the guest's phone (the template outside the 24 h window), and e-mail when
    the guest gave an address."""
    code = reservation.code.value
    guest = reservation.guest
    messages: list[OutboxMessage] = []
    if guest.phone and guest.phone != _NO_PHONE:
        messages.append(
            WhatsAppMessage(
                guest.phone, wording.text, template=template, topic=topic, reservation=code
            )
        )
    if guest.email:
        messages.append(EmailMessage(guest.email, wording.subject, wording.email, topic, code))
    return tuple(messages)


async def queue_once(uow: UnitOfWork, notification: Notification, now: datetime) -> bool:
    """Rules: the notification is claimed by its key in the caller's transaction and its
    outbox rows are written in the same one, so on commit both exist or neither does; a key
    claimed before — by this process or another, even one running at this very moment —
    writes nothing and answers False. Its rows share the key as their group (the channels of
    one notification), the first keyed by it, the others by it and their position."""
    if not notification.messages:
        return False
    claimed = await uow.schedule.claim(
        notification.key, notification.kind.value, notification.reservation, now
    )
    if not claimed:
        return False
    for i, message in enumerate(notification.messages):
        await uow.outbox.put(
            message,
            now,
            dedupe_key=notification.key if i == 0 else f"{notification.key}:{i}",
            group=notification.key,
        )
    return True
