from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.booking.accommodation import Accommodation


class Catalogue(Protocol):
    """The active accommodations, for reads that may be a moment stale (listing, availability,
    calendars). Anything that decides money or a booking reads the repository instead."""

    async def active(self) -> Sequence[Accommodation]: ...

    async def get_active(self, accommodation_id: int) -> Accommodation | None: ...

    def invalidate(self) -> None:
        """Forget what is cached (called after this process changes an accommodation)."""
        ...
