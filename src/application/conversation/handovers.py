"""The owner's side of the WhatsApp assistant: which conversations wait for a person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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


@dataclass(frozen=True, slots=True)
class TakenHandover:
    phone: str  # digits only, with the country code
    until: datetime  # the assistant stays silent there until then
    whatsapp_link: str  # where the person writes to the guest from


@dataclass(frozen=True, slots=True)
class TakeHandover:
    """Someone at the console takes a conversation waiting for a person, to answer it from
    their own WhatsApp. Rules: the phone is read as its digits (``+54 9 …`` as typed or
    linked); only a conversation still waiting can be taken (``NotFound`` when it was given
    back or its pause ran out); who took it is audited (``conversation.take``, naming the
    phone by its last four digits only, as ``ResumeAssistant`` does); the assistant keeps
    silent until the pause ends or someone gives it back."""

    store: ConversationStore
    uow: UnitOfWork
    clock: Clock

    async def __call__(self, phone: str, actor: str) -> TakenHandover:
        digits = "".join(ch for ch in phone if ch.isdigit())[:20]
        waiting = next(
            (h for h in await self.store.handovers() if h.phone.lstrip("+") == digits), None
        )
        if not digits or waiting is None:
            raise NotFound("no conversation waiting for a person with that phone")
        async with self.uow:
            await self.uow.audit.record(
                AuditEntry(actor, "conversation.take", f"whatsapp:{digits[-4:]}", self.clock.now())
            )
            await self.uow.commit()
        return TakenHandover(digits, waiting.until, f"https://wa.me/{digits}")
