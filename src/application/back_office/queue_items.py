"""Settling the owner's action queue: an undeliverable message and a calendar collision leave
it once the owner has dealt with them (or, for a collision, once it has gone by itself); a
payment's flag: ``application.payments.attention``. Hoy and the daily summary count only the
open ones."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from application.payments.attention import QueueItemNotOpen, required_reason
from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWork


class MessageResolution(StrEnum):
    RETRIED = "retried"  # its failed rows sent again
    DISMISSED = "dismissed"


@dataclass(frozen=True, slots=True)
class ResolveUndeliverable:
    """Rules: only an open item is settled (else ``QueueItemNotOpen``); retrying puts the
    notification's failed rows back in the outbox, due now (should they fail again, the item
    opens again); dismissing needs a reason; audited (``message.undeliverable_resolve``)."""

    uow: UnitOfWork
    clock: Clock

    async def __call__(
        self, item_id: int, resolution: MessageResolution, reason: str | None, actor: str
    ) -> int:
        """How many outbox rows were queued again (0 when dismissed)."""
        why = required_reason(resolution, reason)
        now = self.clock.now()
        async with self.uow:
            item = await self.uow.undeliverable.resolve(item_id, resolution.value, now)
            if item is None:
                raise QueueItemNotOpen("that message is not in the queue")
            again = 0
            if resolution is MessageResolution.RETRIED:
                again = await self.uow.outbox.retry_failed(item.group, now)
            await self.uow.audit.record(
                AuditEntry(
                    actor,
                    "message.undeliverable_resolve",
                    item.reservation or f"undeliverable:{item_id}",
                    now,
                    before={"topic": item.topic, "recipient": item.recipient},
                    after={"resolution": resolution.value, "reason": why, "requeued": again},
                )
            )
            await self.uow.commit()
        return again


@dataclass(frozen=True, slots=True)
class DismissCollision:
    """Rules: the owner dismisses an open calendar collision (else ``QueueItemNotOpen``) with
    a reason; collisions that no longer exist are settled by themselves (each sync pass, and
    after the owner moves or cancels a booking); audited (``calendar.collision_dismiss``)."""

    uow: UnitOfWork
    clock: Clock

    async def __call__(self, collision_id: int, reason: str | None, actor: str) -> None:
        why = required_reason(MessageResolution.DISMISSED, reason)
        now = self.clock.now()
        async with self.uow:
            if not await self.uow.feeds.dismiss_conflict(collision_id, now):
                raise QueueItemNotOpen("that collision is not in the queue")
            await self.uow.audit.record(
                AuditEntry(
                    actor,
                    "calendar.collision_dismiss",
                    f"collision:{collision_id}",
                    now,
                    after={"resolution": "dismissed", "reason": why},
                )
            )
            await self.uow.commit()
