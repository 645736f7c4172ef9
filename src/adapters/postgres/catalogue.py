"""The active accommodations, cached in the process for a few seconds.

Every listing and availability request needs all cabins; they change a few times a month.
Reading them once per ``ttl_s`` instead of once per request removes a round trip and 50 row
mappings from the hot path. Writers in this process call ``invalidate()``; other processes see
a change within ``ttl_s`` (default 2 s, ``CATALOGUE_CACHE_SECONDS``; 0 turns caching off).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from adapters.postgres.accommodations import LIST_ACTIVE_ACCOMMODATIONS, accommodation_from_row
from adapters.postgres.errors import translate
from adapters.postgres.replica import ReadRouter
from application.errors import StorageUnavailable
from domain.booking.accommodation import Accommodation


class CachedCatalogue:
    def __init__(self, reads: ReadRouter, ttl_s: float) -> None:
        self._reads = reads
        self._ttl_s = ttl_s
        self._lock = asyncio.Lock()
        self._loaded_at = float("-inf")
        self._items: Sequence[Accommodation] = ()
        self._by_id: dict[int, Accommodation] = {}

    async def active(self) -> Sequence[Accommodation]:
        if not self._fresh():
            async with self._lock:
                if not self._fresh():
                    await self._load()
        return self._items

    async def get_active(self, accommodation_id: int) -> Accommodation | None:
        await self.active()
        return self._by_id.get(accommodation_id)

    def invalidate(self) -> None:
        self._loaded_at = float("-inf")

    def _fresh(self) -> bool:
        return time.monotonic() - self._loaded_at < self._ttl_s

    async def _load(self) -> None:
        try:
            async with self._reads.connection() as conn:
                rows = await conn.execute(LIST_ACTIVE_ACCOMMODATIONS)
                items = [accommodation_from_row(row) for row in rows]
        except (OperationalError, InterfaceError, OSError) as exc:
            raise StorageUnavailable("the database is unavailable") from exc
        except DBAPIError as exc:
            raise translate(exc) from exc
        self._items = tuple(items)
        self._by_id = {a.id: a for a in items}
        self._loaded_at = time.monotonic()
