"""A lock across machines in Redis: SET NX with an expiry (a crashed holder cannot block
forever), released only by its holder (compare-and-delete in one script)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

# Delete the key only if it still holds our token (a holder never frees a successor's lock).
RELEASE_IF_OWNER = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class RedisLock:
    def __init__(self, client: Redis, name: str, ttl_s: int) -> None:
        self._client = client
        self._name = name
        self._ttl_ms = ttl_s * 1000
        self._release = client.register_script(RELEASE_IF_OWNER)

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[bool]:
        token = secrets.token_hex(16)
        acquired = bool(await self._client.set(self._name, token, nx=True, px=self._ttl_ms))
        try:
            yield acquired
        finally:
            if acquired:
                await self._release(keys=[self._name], args=[token])
