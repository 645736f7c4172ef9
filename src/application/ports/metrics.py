from __future__ import annotations

from typing import Protocol


class BookingMetrics(Protocol):
    """Business counters the use cases report (adapters decide where they go)."""

    def hold_placed(self, channel: str) -> None: ...

    def stay_conflict(self, channel: str) -> None:
        """A booking refused because the nights were taken (the 409s)."""
        ...
