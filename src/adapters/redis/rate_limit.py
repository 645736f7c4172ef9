"""Per-identity sliding-window rate limit, counted in Redis so it holds across processes and
machines: at most ``limit`` requests in **any** ``window_s`` seconds (a fixed one-minute window
let twice the limit through around a minute boundary). Why: docs/adr/0007.

Each identity has a log of the times of its admitted requests (a sorted set, at most ``limit``
entries long); one atomic script drops what has left the window, counts, and admits the request
only if the count is under the limit. A refused request is not logged, so a flood does not push
its own refusal further out, and once refused the process answers locally until the first
logged request leaves the window (no Redis call per request of a flood).

By default (``local_allowance`` 1) every admitted request costs one Redis call: exact across
processes and machines. With ``local_allowance`` N > 1 each process admits up to N hits locally
between pushes (or pushes earlier when its view says the limit may be reached): P processes may
exceed the limit by at most ``(N - 1) × (P - 1)`` per window.

Time comes from the caller's clock (``now``, injectable in tests): the machines' clocks are
NTP-synchronised, and a skew of a few milliseconds moves a window's edge by as much.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from redis.exceptions import RedisError

from adapters.redis.resp import RespPipe

log = logging.getLogger("cabanas.ratelimit")

# KEYS[1]: the identity's log. ARGV: now (ms), window (ms), limit, hits, a unique member name.
# Returns {admitted (0/1), count in the window, ms until the oldest logged request leaves it}.
_HIT = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local limit, hits = tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local admitted = 0
if hits == 1 then
  if count < limit then
    redis.call('ZADD', KEYS[1], now, ARGV[5])
    count = count + 1
    admitted = 1
  end
else
  for i = 1, hits do redis.call('ZADD', KEYS[1], now, ARGV[5] .. ':' .. i) end
  count = count + hits
  if count <= limit then admitted = 1 end
end
redis.call('PEXPIRE', KEYS[1], window)
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local free_in = 0
if oldest[2] then free_in = tonumber(oldest[2]) + window - now end
return {admitted, count, free_in}
"""


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    # Seconds until the oldest counted request leaves the window (a refused client may retry
    # then): Retry-After and RateLimit-Reset.
    reset_s: int


@dataclass(slots=True)
class _Seen:
    known: int = 0  # the window's count, as of our last push
    pending: int = 0  # hits admitted locally, not pushed yet
    blocked_until: float = 0.0  # refused until then (the oldest entry leaves the window)


class RedisRateLimiter:
    def __init__(
        self,
        client: RespPipe,
        limit: int,
        window_s: int = 60,
        local_allowance: int = 1,
        *,
        now: Callable[[], float] = time.time,
    ) -> None:
        # Its own lean connection (adapters.redis.resp): this runs on every request.
        self._client = client
        self.limit = limit
        self.window_s = window_s
        self.local_allowance = max(1, local_allowance)
        self.on_failure: Callable[[], None] | None = None  # e.g. a metric
        self._now = now
        self._window_ms = window_s * 1000
        self._member = f"{os.getpid()}.{os.urandom(4).hex()}"
        self._sequence = 0
        self._epoch = -1  # local state is dropped once a window (it only ever grows stale)
        self._seen: dict[str, _Seen] = {}

    async def hit(self, identity: str) -> RateDecision:
        now = self._now()
        epoch = int(now // self.window_s)
        if epoch != self._epoch:
            self._epoch, self._seen = epoch, {}
        seen = self._seen.get(identity)
        if seen is not None and now < seen.blocked_until:
            return RateDecision(False, self.limit, 0, _seconds(seen.blocked_until - now))
        if self.local_allowance == 1:
            # Exact: every hit is pushed. A client is remembered only once refused (not one
            # entry per address seen this window, kept alive until the window turns).
            hits = 1
        else:
            if seen is None:
                seen = self._seen[identity] = _Seen()
            seen.pending += 1
            if seen.pending < self.local_allowance and seen.known + seen.pending < self.limit:
                remaining = self.limit - seen.known - seen.pending
                return RateDecision(True, self.limit, remaining, self.window_s)
            # Taken before the call: a concurrent request of this process pushes its own hits.
            hits, seen.pending = seen.pending, 0
        self._sequence += 1
        now_ms = int(now * 1000)
        try:
            admitted, count, free_in_ms = await self._client.eval_script(
                _HIT,
                [f"rl:{self.window_s}:{identity}"],
                [now_ms, self._window_ms, self.limit, hits, self._sequence_id()],
            )
        except (RedisError, OSError) as exc:
            # Fail open: a Redis hiccup must not take the booking API down with it.
            log.warning("rate limiter unavailable (%s); request allowed", type(exc).__name__)
            if self.on_failure is not None:
                self.on_failure()
            return RateDecision(True, self.limit, self.limit, self.window_s)
        count, free_in = int(count), int(free_in_ms) / 1000
        if seen is not None:
            seen.known = count
        if not admitted:
            if seen is None:
                seen = self._seen[identity] = _Seen(known=count)
            seen.blocked_until = now + free_in
            return RateDecision(False, self.limit, 0, _seconds(free_in))
        return RateDecision(True, self.limit, max(self.limit - count, 0), _seconds(free_in))

    def _sequence_id(self) -> str:
        return f"{self._member}.{self._sequence}"


def _seconds(delay: float) -> int:
    return max(1, math.ceil(delay))
