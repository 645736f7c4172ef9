from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domain.messaging.cabin_texts import CabinTexts


class CabinTextsRepository(Protocol):
    """Each cabin's texts for its scheduled messages (``CabinTexts``)."""

    async def get(self, accommodation_id: int) -> CabinTexts | None:
        """None when the owner never saved any (the defaults apply)."""
        ...

    async def save(self, accommodation_id: int, texts: CabinTexts, now: datetime) -> None:
        """Insert or replace the cabin's texts (the cabin must exist)."""
        ...
