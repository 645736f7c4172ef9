"""Notifications no channel delivered: recorded for the owner's action queue, and listed."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from application.messaging import console_pages
from application.messaging.texts import admin_undeliverable
from application.ports.outbox import (
    EmailMessage,
    OutboxItem,
    OwnerAlert,
    Topic,
    WhatsAppMessage,
)
from application.ports.undeliverable import GUEST, OWNER, UndeliverableMessage
from application.ports.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.codes import ReservationCode

log = logging.getLogger("cabanas.outbox")

OWNER_TOPICS = frozenset({Topic.OWNER_ALERT, Topic.OWNER_DAILY_SUMMARY})
DEFAULT_LIMIT = 100


def _about(item: OutboxItem) -> tuple[str, str, str | None] | None:
    """(topic, recipient, reservation) of a message row; None for jobs that are not messages."""
    message = item.message
    if isinstance(message, OwnerAlert):
        return Topic.OWNER_ALERT, OWNER, None
    if isinstance(message, WhatsAppMessage | EmailMessage):
        to_owner = message.topic in OWNER_TOPICS or (
            isinstance(message, EmailMessage) and message.to is None
        )
        return message.topic, OWNER if to_owner else GUEST, message.reservation
    return None


async def record_if_undeliverable(uow: UnitOfWork, item: OutboxItem, now: datetime) -> None:
    """Rules, after a message row failed for good:
    - when every row of its notification (WhatsApp, e-mail) has failed, it is recorded once
      for the action queue, with each channel's error and no personal data;
    - a guest's undeliverable notification alerts the owner (once per notification); the
      owner's own undeliverable alerts only go to the queue and the logs (an alert about them
      would fail the same way).
    """
    about = _about(item)
    if about is None:
        return
    topic, recipient, reservation = about
    group = item.group or f"outbox:{item.id}"
    outcome = await uow.outbox.group_outcome(group) if item.group else None
    if outcome is not None and not outcome.all_failed:
        return  # another channel is still trying, or got through
    errors = "\n".join(outcome.errors) if outcome else f"{item.kind}: failed"
    record = UndeliverableMessage(group, topic, recipient, reservation, errors, now)
    if not await uow.undeliverable.record(record):
        return
    log.error(
        "message_undeliverable",
        extra={"topic": topic, "recipient": recipient, "reservation": reservation},
    )
    if recipient == GUEST:
        await uow.outbox.put(
            OwnerAlert(
                admin_undeliverable(
                    topic, ReservationCode(reservation).display if reservation else None
                ),
                console_pages.reservation(reservation) if reservation else console_pages.TODAY,
            ),
            now,
            dedupe_key=f"alert:undeliverable:{group}"[:200],
        )


@dataclass(frozen=True, slots=True)
class ListUndeliverableMessages:
    """Rules: the notifications no channel delivered that the owner has not dealt with,
    newest first, at most ``limit`` (the console's action queue)."""

    uow: ReadOnlyUnitOfWork

    async def __call__(self, limit: int = DEFAULT_LIMIT) -> Sequence[UndeliverableMessage]:
        async with self.uow:
            return await self.uow.undeliverable.list_open(limit)
