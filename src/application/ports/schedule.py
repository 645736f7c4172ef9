from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from domain.booking.reservation import Reservation


class MessageSchedule(Protocol):
    """What the scheduled messages read, and the record that each was queued once."""

    async def arriving(self, first: date, last: date) -> Sequence[Reservation]:
        """Confirmed bookings checking in from ``first`` to ``last`` (both included)."""
        ...

    async def leaving(self, first: date, last: date) -> Sequence[Reservation]:
        """Confirmed bookings checking out from ``first`` to ``last`` (both included)."""
        ...

    async def live_holds(self, now: datetime) -> int:
        """Holds waiting for their deposit at ``now``."""
        ...

    async def queued(self, key: str) -> bool:
        """Whether the message ``key`` was already queued (a cheap check before composing)."""
        ...

    async def claim(self, key: str, kind: str, reservation: str | None, now: datetime) -> bool:
        """Record that ``key`` is being queued, in the transaction that writes its outbox rows;
        False when it already was (by this process or any other, before or concurrently: a
        concurrent claim waits for the other transaction and then answers False)."""
        ...

    async def forget_before(self, before: datetime) -> int:
        """Delete claims made before ``before`` (their windows have long closed)."""
        ...
