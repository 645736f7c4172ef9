"""Fixed-window request counting in Redis: atomic across processes and machines."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("cabanas.ratelimit")


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_s: int


class RedisRateLimiter:
    def __init__(self, client: Redis, limit: int, window_s: int = 60) -> None:
        self._client = client
        self.limit = limit
        self.window_s = window_s

    async def hit(self, identity: str) -> RateDecision:
        now = time.time()
        window = int(now // self.window_s)
        reset = int(self.window_s - now % self.window_s) or 1
        key = f"rl:{self.window_s}:{window}:{identity}"
        try:
            # One round trip: create the counter with its expiry if new, then count.
            pipe = self._client.pipeline(transaction=False)
            pipe.set(key, 0, ex=self.window_s + 1, nx=True)
            pipe.incr(key)
            _, count = await pipe.execute()
        except (RedisError, OSError) as exc:
            # Fail open: a Redis hiccup must not take the booking API down with it.
            log.warning("rate limiter unavailable (%s); request allowed", type(exc).__name__)
            return RateDecision(True, self.limit, self.limit, reset)
        remaining = max(self.limit - int(count), 0)
        return RateDecision(int(count) <= self.limit, self.limit, remaining, reset)
