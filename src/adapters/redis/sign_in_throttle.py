"""Failed sign-ins counted in Redis: one counter per key, living ``window`` from its first
failure (a fixed window: simple, and enough to make guessing slow)."""

from __future__ import annotations

from datetime import timedelta

from redis.asyncio import Redis

PREFIX = "signin:"


class RedisSignInThrottle:
    def __init__(self, client: Redis) -> None:
        self._client = client

    async def failures(self, keys: list[str]) -> list[int]:
        values = await self._client.mget([PREFIX + k for k in keys])
        return [int(v) if v is not None else 0 for v in values]

    async def record_failure(self, keys: list[str], window: timedelta) -> None:
        seconds = max(int(window.total_seconds()), 1)
        async with self._client.pipeline(transaction=False) as pipe:
            for key in keys:
                # The window starts at the first failure (INCR keeps the expiry SET gave it).
                pipe.set(PREFIX + key, 0, ex=seconds, nx=True)
                pipe.incr(PREFIX + key)
            await pipe.execute()

    async def clear(self, key: str) -> None:
        await self._client.delete(PREFIX + key)
