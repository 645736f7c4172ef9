from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


class OutboxKind:
    WHATSAPP_MESSAGE = "whatsapp.message"
    PAYMENT_LINK = "mercadopago.checkout"
    ADMIN_ALERT = "admin.alert"


OUTBOX_KINDS: tuple[str, ...] = tuple(
    value for name, value in vars(OutboxKind).items() if name.isupper()
)
"""Every kind above (the metrics adapter starts each kind's counters at 0)."""


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    kind: str
    payload: Mapping[str, Any]
    attempts: int
    trace_id: str | None


class Outbox(Protocol):
    """Side effects that follow a state change, written in the change's transaction."""

    async def add(
        self,
        kind: str,
        payload: Mapping[str, Any],
        now: datetime,
        *,
        dedupe_key: str | None = None,
        trace_id: str | None = None,
    ) -> int | None:
        """The new row's id; None when ``dedupe_key`` was already used (nothing added)."""
        ...

    async def claim_due(self, now: datetime, *, dedupe_key: str | None = None) -> OutboxItem | None:
        """Lock one due pending row for this transaction (rows locked by others are skipped,
        so two workers never send the same row)."""
        ...

    async def mark_sent(
        self, item_id: int, now: datetime, provider_message_id: str | None
    ) -> None: ...

    async def retry_later(self, item_id: int, error: str, next_attempt_at: datetime) -> None: ...

    async def mark_failed(self, item_id: int, error: str) -> None: ...

    async def record_delivery(self, provider_message_id: str, status: str) -> bool:
        """A delivery status from the provider (sent/delivered/read/failed)."""
        ...

    async def pending_count(self) -> int: ...

    async def purge_finished(self, before: datetime) -> int:
        """Delete sent and failed rows created before ``before`` (they hold phone numbers and
        message texts)."""
        ...
