"""The owner's side of the WhatsApp assistant: which conversations wait for a person."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.conversations import ConversationStore, Handover
from application.ports.unit_of_work import UnitOfWork
from domain.errors import NotFound


@dataclass(frozen=True, slots=True)
class ListHandovers:
    """Conversations handed over to the owner (the guest asked for a person, or the assistant
    did not understand three times); the assistant stays silent there until ``until``."""

    store: ConversationStore

    async def __call__(self) -> list[Handover]:
        return await self.store.handovers()


@dataclass(frozen=True, slots=True)
class ResumeAssistant:
    """The owner is done: the assistant answers that phone again, from a fresh conversation.
    Audited."""

    store: ConversationStore
    uow: UnitOfWork
    clock: Clock

    async def __call__(self, phone: str, actor: str) -> None:
        if not await self.store.resume(phone):
            raise NotFound("no conversation waiting for a person with that phone")
        async with self.uow:
            await self.uow.audit.record(
                AuditEntry(actor, "conversation.resume", f"whatsapp:{phone[-4:]}", self.clock.now())
            )
            await self.uow.commit()
