"""The bench's reference app with the service's exact rate limit in front of it
(``REFERENCE_RATE_LIMIT``), against the real redis-server: the same budget, headers and refusal
as ours, so `make bench` can tell the limit's cost apart from the rest of the service's."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest
from benchmarks import reference_app
from litestar import Litestar

from adapters.redis.rate_limit import RedisRateLimiter
from adapters.redis.resp import RespPipe
from entrypoints.embedded import EmbeddedRedis


def _address() -> str:
    # A fresh address per test: the budget lives in the shared test Redis.
    return ".".join(["10", *(str(random.randint(1, 254)) for _ in range(3))])


async def test_the_limit_admits_exactly_its_budget_per_address(pipe: RespPipe) -> None:
    reached: list[str] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    app = reference_app.RateLimited(inner, RedisRateLimiter(pipe, limit=2))
    guest, other = _address(), _address()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        first, second, third = [
            await client.get("/api/v1/availability", headers={"Fly-Client-IP": guest})
            for _ in range(3)
        ]
        elsewhere = await client.get("/api/v1/availability", headers={"Fly-Client-IP": other})
        # As ours: the health probe is never limited, even for an address past its budget.
        probe = await client.get("/api/v1/healthz", headers={"Fly-Client-IP": guest})

    assert [first.status_code, second.status_code, third.status_code] == [200, 200, 429]
    assert first.headers["ratelimit-limit"] == "2"
    assert [first.headers["ratelimit-remaining"], second.headers["ratelimit-remaining"]] == [
        "1",
        "0",
    ]
    assert 1 <= int(first.headers["ratelimit-reset"]) <= 60
    assert third.headers["ratelimit-remaining"] == "0"
    assert int(third.headers["retry-after"]) >= 1
    assert third.json()["status"] == 429
    assert elsewhere.status_code == 200
    assert probe.status_code == 200
    assert "ratelimit-limit" not in probe.headers
    # The refused request never reached the app.
    assert reached == ["/api/v1/availability"] * 3 + ["/api/v1/healthz"]


def test_the_reference_is_bare_unless_the_limit_is_asked_for(
    monkeypatch: pytest.MonkeyPatch, redis_server: EmbeddedRedis
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_server.url())
    monkeypatch.delenv("REFERENCE_RATE_LIMIT", raising=False)
    assert isinstance(reference_app.create(), Litestar)

    monkeypatch.setenv("REFERENCE_RATE_LIMIT", "120")
    limited = reference_app.create()
    assert isinstance(limited, reference_app.RateLimited)
    assert isinstance(limited.app, Litestar)
    assert limited.limiter.limit == 120
