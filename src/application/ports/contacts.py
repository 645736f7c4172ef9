from __future__ import annotations

from datetime import datetime
from typing import Protocol


class ContactWindows(Protocol):
    """When each WhatsApp number last wrote to us (its customer-service window's start).
    Numbers are given as ``domain.messaging.service_window.whatsapp_id`` forms."""

    async def note_inbound(self, whatsapp_id: str, at: datetime) -> None:
        """Record a message from this number (an older time than the one kept changes nothing:
        deliveries arrive out of order)."""
        ...

    async def last_inbound(self, whatsapp_id: str) -> datetime | None: ...

    async def forget_before(self, before: datetime) -> int:
        """Delete numbers that last wrote before ``before`` (a phone number is personal data)."""
        ...
