from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from domain.conversation.state import ConversationState


class ConversationSession(Protocol):
    """Exclusive access to one phone's conversation, for one load → decide → save."""

    async def load(self) -> ConversationState | None:
        """None when there is none, it expired, or it cannot be read any more (old format)."""
        ...

    async def save(self, state: ConversationState, ttl: timedelta) -> bool:
        """Store ``state`` for ``ttl``. False (nothing written) if this session lost its
        exclusivity meanwhile (it outlived the lock's expiry): another update may have won."""
        ...


class ConversationStore(Protocol):
    """The assistant's memory, per phone number, shared by every process.

    ``session(phone)`` waits until no one else holds that phone's conversation (a crashed
    holder's claim expires by itself); raises ``StorageUnavailable`` when the store cannot be
    reached or the wait runs out, so the delivery is retried later.
    """

    def session(self, phone: str) -> AbstractAsyncContextManager[ConversationSession]: ...

    async def handovers(self) -> list[Handover]:
        """Conversations handed over to the owner whose pause has not run out, soonest to end
        first."""
        ...

    async def resume(self, phone: str) -> bool:
        """End a handover now (the assistant answers that phone again); False if there was
        none."""
        ...


@dataclass(frozen=True, slots=True)
class Handover:
    phone: str
    until: datetime
