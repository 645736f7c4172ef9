"""What one test leaves in the shared servers does not reach the next one."""

from __future__ import annotations

import pytest
import redis

from entrypoints.embedded import EmbeddedRedis

pytestmark = pytest.mark.db


def test_each_test_gets_an_empty_redis(
    redis_server: EmbeddedRedis, request: pytest.FixtureRequest
) -> None:
    # What an earlier test left: a guest's conversation half-way through, a handover.
    with redis.Redis.from_url(redis_server.url()) as client:
        client.set("conv:{5491155551234}", b"mid-booking")
        client.sadd("conv:handovers", "5491155551234")

    url: str = request.getfixturevalue("redis_url")

    with redis.Redis.from_url(url) as client:
        assert client.dbsize() == 0
