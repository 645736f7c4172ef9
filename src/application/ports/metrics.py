from __future__ import annotations

from typing import Protocol

from domain.payments.payment import Attention

UNVERIFIED_PAYMENT = "unverified"
"""payment_attention's reason when a payment notification was given up: nobody could check it."""
PAYMENT_ATTENTION_REASONS: tuple[str, ...] = (*(a.value for a in Attention), UNVERIFIED_PAYMENT)
"""Every reason ``OperationsMetrics.payment_attention`` is given (the adapter starts each at 0)."""


class BookingMetrics(Protocol):
    """Business counters the use cases report (adapters decide where they go)."""

    def hold_placed(self, channel: str) -> None: ...

    def stay_conflict(self, channel: str) -> None:
        """A booking refused because the nights were taken (the 409s)."""
        ...

    def hold_limited(self, limit: str, channel: str) -> None:
        """A hold refused by a ``HoldLimit`` (its value names it)."""
        ...


class OperationsMetrics(Protocol):
    """Counters of the background side: payments, outbound messages, expiry."""

    def payment_confirmed(self) -> None: ...

    def payment_attention(self, reason: str) -> None:
        """reason: one of PAYMENT_ATTENTION_REASONS."""
        ...

    def outbox_sent(self, kind: str) -> None: ...

    def outbox_failed(self, kind: str, *, permanent: bool) -> None: ...

    def holds_expired(self, count: int) -> None: ...

    def outbox_pending(self, count: int) -> None: ...


class CalendarMetrics(Protocol):
    def sync_run(self, source: str, outcome: str) -> None:
        """outcome: updated | not_modified | failed."""
        ...

    def conflict(self, source: str) -> None: ...
