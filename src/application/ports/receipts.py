from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.payments.receipts import Receipt, ReceiptStatus


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What WhatsApp says of a media id (Graph ``GET /{media-id}``)."""

    url: str
    mime_type: str
    size: int | None


class MediaDownloader(Protocol):
    """A guest's media through the Graph API. Raises ``IntegrationError`` on failure."""

    async def describe(self, media_id: str) -> MediaInfo: ...

    async def fetch(self, info: MediaInfo, max_bytes: int) -> bytes | None:
        """The file (downloaded with the bearer token); None when it is larger than
        ``max_bytes`` (the download stops there)."""
        ...


@dataclass(frozen=True, slots=True)
class ReceiptSummary:
    """A receipt in the owner's queue, without its content."""

    id: int
    reservation_code: str
    mime_type: str
    size: int
    received_at: datetime
    status: ReceiptStatus


class ReceiptRepository(Protocol):
    """Receipts kept with their booking (``booking_receipts``), inside the unit of work."""

    async def add(self, receipt: Receipt) -> Receipt:
        """Store it; the same media id again stores nothing and returns the one stored."""
        ...

    async def get(self, receipt_id: int) -> Receipt | None: ...

    async def pending(self, limit: int) -> list[ReceiptSummary]:
        """Waiting for the owner, oldest first."""
        ...

    async def decide(
        self, receipt_id: int, status: ReceiptStatus, actor: str, now: datetime
    ) -> bool:
        """Approve or reject a pending receipt; False if it was not pending."""
        ...
