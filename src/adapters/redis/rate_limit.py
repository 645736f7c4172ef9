"""Per-identity fixed-window rate limit, counted in Redis so it holds across processes and
machines, with a small local allowance so a busy client does not cost a Redis call per request.

By default (``local_allowance`` 1) every request is counted in Redis with one atomic
INCRBY+EXPIRE script: exact across processes and machines (the 101st request → 429).
With ``local_allowance`` N > 1 each process counts up to N hits locally between pushes (or
pushes earlier when its view says the limit may be reached): a single process stays exact,
P processes may exceed the limit by at most ``(N - 1) × (P - 1)`` per window, and a busy
client costs one Redis call per N requests. Once a window's count is over the limit, the
process refuses locally without asking Redis again (a flood costs nothing).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from redis.exceptions import RedisError

from adapters.redis.resp import RespPipe

log = logging.getLogger("cabanas.ratelimit")

# Count, and give a new window's counter its expiry, in one atomic command.
_PUSH = """
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return count
"""


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_s: int


@dataclass(slots=True)
class _Seen:
    known: int = 0  # the window's global count, as of our last push
    pending: int = 0  # our hits not pushed yet


class RedisRateLimiter:
    def __init__(
        self, client: RespPipe, limit: int, window_s: int = 60, local_allowance: int = 1
    ) -> None:
        # Its own lean connection (adapters.redis.resp): this runs on every request.
        self._client = client
        self.limit = limit
        self.window_s = window_s
        self.local_allowance = max(1, local_allowance)
        self.on_failure: Callable[[], None] | None = None  # e.g. a metric
        self._window = -1
        self._seen: dict[str, _Seen] = {}

    async def hit(self, identity: str) -> RateDecision:
        now = time.time()
        window = int(now // self.window_s)
        reset = int(self.window_s - now % self.window_s) or 1
        if window != self._window:
            self._window, self._seen = window, {}
        seen = self._seen.setdefault(identity, _Seen())
        seen.pending += 1
        if seen.known > self.limit:
            return RateDecision(False, self.limit, 0, reset)
        if seen.pending < self.local_allowance and seen.known + seen.pending < self.limit:
            remaining = self.limit - seen.known - seen.pending
            return RateDecision(True, self.limit, remaining, reset)
        key = f"rl:{self.window_s}:{window}:{identity}"
        try:
            count = int(
                await self._client.eval_script(_PUSH, [key], [seen.pending, self.window_s + 1])
            )
        except (RedisError, OSError) as exc:
            # Fail open: a Redis hiccup must not take the booking API down with it.
            log.warning("rate limiter unavailable (%s); request allowed", type(exc).__name__)
            if self.on_failure is not None:
                self.on_failure()
            return RateDecision(True, self.limit, self.limit, reset)
        seen.known, seen.pending = count, 0
        return RateDecision(count <= self.limit, self.limit, max(self.limit - count, 0), reset)
