"""The rate limiter against the real redis-server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from adapters.redis.client import make_redis
from adapters.redis.rate_limit import RedisRateLimiter
from adapters.redis.resp import RespPipe
from entrypoints.embedded import EmbeddedRedis


@pytest.fixture
async def redis(redis_server: EmbeddedRedis) -> AsyncIterator[Redis]:
    client = make_redis(redis_server.url())
    yield client
    await client.aclose()


async def _allowed(limiter: RedisRateLimiter, who: str, n: int) -> int:
    return sum([(await limiter.hit(who)).allowed for _ in range(n)])


async def test_two_processes_share_one_exact_budget(pipe: RespPipe) -> None:
    who = str(uuid.uuid4())
    a, b = RedisRateLimiter(pipe, limit=100), RedisRateLimiter(pipe, limit=100)
    allowed = 0
    for _ in range(60):
        allowed += (await a.hit(who)).allowed + (await b.hit(who)).allowed
    assert allowed == 100


async def test_one_process_with_a_local_allowance_is_exact(pipe: RespPipe) -> None:
    who = str(uuid.uuid4())
    limiter = RedisRateLimiter(pipe, limit=100, local_allowance=10)
    assert await _allowed(limiter, who, 130) == 100
    decision = await limiter.hit(who)
    assert not decision.allowed
    assert decision.remaining == 0


async def test_several_processes_overshoot_by_a_bounded_amount(pipe: RespPipe) -> None:
    who = str(uuid.uuid4())
    processes = [RedisRateLimiter(pipe, limit=100, local_allowance=10) for _ in range(4)]
    allowed = 0
    for _ in range(60):  # interleaved, as a client spread over four workers would be
        for p in processes:
            allowed += (await p.hit(who)).allowed
    assert 100 <= allowed <= 100 + 9 * 3


async def test_a_local_allowance_overshoots_at_most_allowance_minus_one_per_process(
    pipe: RespPipe,
) -> None:
    who = str(uuid.uuid4())
    a = RedisRateLimiter(pipe, limit=5, local_allowance=3)
    b = RedisRateLimiter(pipe, limit=5, local_allowance=3)
    allowed = await _allowed(a, who, 10) + await _allowed(b, who, 10)
    assert 5 <= allowed <= 5 + 2


async def test_identities_are_independent_and_the_key_expires(redis: Redis, pipe: RespPipe) -> None:
    limiter = RedisRateLimiter(pipe, limit=2, window_s=60)
    me, you = str(uuid.uuid4()), str(uuid.uuid4())
    assert await _allowed(limiter, me, 3) == 2
    assert await _allowed(limiter, you, 2) == 2
    keys = [k async for k in redis.scan_iter(match=f"rl:60:{me}")]
    assert len(keys) == 1
    assert 0 < await redis.ttl(keys[0]) <= 60
    assert await redis.zcard(keys[0]) == 2  # refused requests are not logged


async def test_redis_down_fails_open(redis_server: EmbeddedRedis) -> None:
    dead = RespPipe("redis://127.0.0.1:1/0")
    try:
        decision = await RedisRateLimiter(dead, limit=1).hit("anyone")
        assert decision.allowed
    finally:
        await dead.aclose()


class Clock:
    """A hand-set clock: the window's edges are asserted to the millisecond, with no sleeps."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.at = start

    def __call__(self) -> float:
        return self.at


async def test_no_burst_around_a_minute_boundary(pipe: RespPipe) -> None:
    """A fixed window let 100 requests at 11:59:59.9 and 100 more at 12:00:00.1 through; a
    sliding window counts any 60 s, so the second hundred waits for the first to age out."""
    who, clock = str(uuid.uuid4()), Clock(1_800_000_059.9)  # 0.1 s before a minute boundary
    limiter = RedisRateLimiter(pipe, limit=100, now=clock)
    assert await _allowed(limiter, who, 100) == 100
    clock.at += 0.2  # across the boundary
    refused = await limiter.hit(who)
    assert not refused.allowed
    assert refused.reset_s == 60  # 59.8 s until the first of the hundred leaves the window
    clock.at += 59.7  # 59.9 s after the burst: still inside the window
    assert await _allowed(limiter, who, 5) == 0
    clock.at += 0.1  # exactly 60 s after the burst: the whole hundred has aged out
    assert await _allowed(limiter, who, 101) == 100


async def test_requests_spread_over_the_window_free_their_slots_one_by_one(
    pipe: RespPipe,
) -> None:
    who, clock = str(uuid.uuid4()), Clock()
    limiter = RedisRateLimiter(pipe, limit=3, window_s=60, now=clock)
    for _ in range(3):
        assert (await limiter.hit(who)).allowed
        clock.at += 10  # at t = 0, 10, 20
    refused = await limiter.hit(who)  # t = 30
    assert (refused.allowed, refused.reset_s) == (False, 30)  # the t = 0 one leaves at 60
    clock.at += 30  # t = 60
    admitted = await limiter.hit(who)
    assert (admitted.allowed, admitted.remaining, admitted.reset_s) == (True, 0, 10)
    assert not (await limiter.hit(who)).allowed


async def test_a_flood_is_refused_locally_until_a_slot_frees(pipe: RespPipe) -> None:
    """Once refused, a process answers without asking Redis until the oldest request ages out."""
    who, clock = str(uuid.uuid4()), Clock()
    limiter = RedisRateLimiter(pipe, limit=2, now=clock)
    calls = 0
    original = pipe.eval_script

    async def counting(script: str, keys: list[str], args: list[object]) -> object:
        nonlocal calls
        calls += 1
        return await original(script, keys, args)

    pipe.eval_script = counting  # type: ignore[method-assign]
    assert await _allowed(limiter, who, 1000) == 2
    assert calls == 3  # two admitted, one refused; the other 997 answered locally
    clock.at += 60
    assert (await limiter.hit(who)).allowed
    assert calls == 4


async def test_two_processes_racing_share_one_exact_sliding_budget(pipe: RespPipe) -> None:
    import asyncio

    who, clock = str(uuid.uuid4()), Clock()
    processes = [RedisRateLimiter(pipe, limit=50, now=clock) for _ in range(2)]
    decisions = await asyncio.gather(*(processes[n % 2].hit(who) for n in range(200)))
    assert sum(d.allowed for d in decisions) == 50


async def test_the_exact_limit_remembers_only_refused_clients(pipe: RespPipe) -> None:
    # Behind a proxy every guest is an address of its own: a process must not keep an entry
    # per address seen in the window (thousands a minute) when only the refused need one.
    limiter = RedisRateLimiter(pipe, limit=2)
    guests = [str(uuid.uuid4()) for _ in range(200)]
    for who in guests:
        assert (await limiter.hit(who)).allowed
    assert limiter._seen == {}
    flood = str(uuid.uuid4())
    assert await _allowed(limiter, flood, 5) == 2
    assert list(limiter._seen) == [flood]
    assert limiter._seen[flood].blocked_until > 0
