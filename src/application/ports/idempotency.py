from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

# Webhook deliveries are keyed per provider: the provider's name is the key's scope.
MERCADOPAGO = "mercadopago"
WHATSAPP = "whatsapp"
WEBHOOK_PROVIDERS = (MERCADOPAGO, WHATSAPP)
# Refunds asked of Mercado Pago, keyed by the X-Idempotency-Key they were sent with: noted in a
# transaction of their own before the call, so a retry with the key knows it may have reached
# Mercado Pago even when the request's own transaction rolled back (``IssueRefund``). The
# fingerprint says which payment and amount; never a payload (not a delivery to process).
# Kept longer than other keys (``purge``'s ``refund_notes_before``): while a note is kept, a key
# without one never went to Mercado Pago.
PROVIDER_REFUNDS = "mp-refund"
# A note is tied to its booking (``attach_reservation``) and says, in its response body
# (``RefundAsked``, status ``REFUND_ASKED_STATUS``), which refund it asked for; it is marked
# processed (settled) once the ledger counts that refund or Mercado Pago's report shows it.
REFUND_ASKED_STATUS = 202


@dataclass(frozen=True, slots=True)
class StoredRequest:
    """What an earlier request with the same ``Idempotency-Key`` left behind."""

    fingerprint: str | None
    reservation_code: str | None
    response_status: int | None
    response_body: str | None


@dataclass(frozen=True, slots=True)
class RefundNote:
    """A key sent to Mercado Pago for a booking's refund, not settled yet."""

    key: str
    body: str | None  # ``RefundAsked``, encoded
    created_at: datetime


class IdempotencyKeys(Protocol):
    """Keys of API requests (scope ``api``) and webhook deliveries (scope = provider)."""

    async def claim(
        self,
        scope: str,
        key: str,
        now: datetime,
        *,
        fingerprint: str | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> StoredRequest | None:
        """Insert the key; None when this transaction now owns it. If another transaction is
        inserting the same key, this waits for it to finish (the primary key decides), then
        returns what it stored."""
        ...

    async def stored(self, scope: str, key: str) -> StoredRequest | None:
        """What the key's first request has left so far (None: no such key)."""
        ...

    async def attach_reservation(self, scope: str, key: str, code: str) -> None: ...

    async def store_response(self, scope: str, key: str, status: int, body: str) -> None: ...

    async def unsettled_refund_notes(self, code: str) -> list[RefundNote]:
        """The booking's notes of keys sent to Mercado Pago (``PROVIDER_REFUNDS``) not marked
        processed (settled) yet."""
        ...

    async def lock_unprocessed(self, scope: str, key: str) -> Mapping[str, Any] | None:
        """The delivery's payload, locked for this transaction, unless already processed (or
        being processed by someone else)."""
        ...

    async def mark_processed(self, scope: str, key: str, now: datetime) -> None: ...

    async def note_failure(self, scope: str, key: str) -> int:
        """Count a failed processing attempt; returns the attempts so far."""
        ...

    async def hold_back(self, scope: str, key: str, until: datetime) -> None:
        """Not due again (``unprocessed``) before ``until``."""
        ...

    async def unprocessed(
        self, older_than: datetime, now: datetime, limit: int
    ) -> list[tuple[str, str]]:
        """Deliveries recorded before ``older_than``, not processed, and due (``now``)."""
        ...

    async def purge(
        self,
        before: datetime,
        *,
        refund_notes_before: datetime | None = None,
        deliveries_before: datetime | None = None,
    ) -> int:
        """Delete keys created before ``before``; notes of refunds asked of Mercado Pago
        (``PROVIDER_REFUNDS``) only before ``refund_notes_before``, and webhook deliveries
        (``WEBHOOK_PROVIDERS``) only before ``deliveries_before``, when given. How many."""
        ...
