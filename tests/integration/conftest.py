"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.redis.resp import RespPipe
from entrypoints.embedded import EmbeddedRedis


@pytest.fixture
async def pipe(redis_server: EmbeddedRedis) -> AsyncIterator[RespPipe]:
    """The rate limiter's lean Redis client on the session's Redis, closed after the test."""
    client = RespPipe(redis_server.url())
    yield client
    await client.aclose()
