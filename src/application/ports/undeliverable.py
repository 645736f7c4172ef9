from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

GUEST = "guest"
OWNER = "owner"


@dataclass(frozen=True, slots=True)
class UndeliverableMessage:
    """A notification that no channel delivered: an item for the owner's action queue. It holds
    no phone, address or text (the reservation code leads to them)."""

    group: str
    topic: str
    recipient: str  # GUEST | OWNER
    reservation: str | None
    errors: str  # why each channel failed, one line each
    failed_at: datetime
    id: int | None = None


class UndeliverableMessages(Protocol):
    async def record(self, message: UndeliverableMessage) -> bool:
        """False if this notification is already recorded and open (one settled before, then
        failing again, opens again: True)."""
        ...

    async def list_open(self, limit: int) -> Sequence[UndeliverableMessage]:
        """Newest first; those the owner has not yet dealt with."""
        ...

    async def resolve(
        self, item_id: int, resolution: str, now: datetime
    ) -> UndeliverableMessage | None:
        """Settle an open item; None when there is no such open item."""
        ...
