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


@pytest.fixture
async def pipe(redis_server: EmbeddedRedis) -> AsyncIterator[RespPipe]:
    client = RespPipe(redis_server.url())
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
    keys = [k async for k in redis.scan_iter(match=f"rl:60:*:{me}")]
    assert len(keys) == 1
    assert 0 < await redis.ttl(keys[0]) <= 61


async def test_redis_down_fails_open(redis_server: EmbeddedRedis) -> None:
    dead = RespPipe("redis://127.0.0.1:1/0")
    try:
        decision = await RedisRateLimiter(dead, limit=1).hit("anyone")
        assert decision.allowed
    finally:
        await dead.aclose()
