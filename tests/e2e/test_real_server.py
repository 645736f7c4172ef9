"""Behaviour that only a real server shows: the client address the ASGI server hands over, and
the headers it adds."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from entrypoints.embedded import EmbeddedRedis
from tests.e2e.conftest import seed
from tests.e2e.servers import GENEROUS_HEALTH, uvicorn_server

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def limited_server(
    pg_server: object, template_db: str, redis_server: EmbeddedRedis
) -> Iterator[str]:
    from tests.conftest import fresh_database

    url = pg_server.url(fresh_database(pg_server, template_db))  # type: ignore[attr-defined]
    seed(url)
    # Other servers in this session counted 127.0.0.1 in the same Redis: start from zero.
    import redis

    with redis.Redis.from_url(redis_server.url()) as client:
        for key in client.scan_iter(match="rl:*"):
            client.delete(key)
    env = {"DATABASE_URL": url, "REDIS_URL": redis_server.url(), "RATE_LIMIT_PER_MINUTE": "3"}
    env |= GENEROUS_HEALTH
    with uvicorn_server(env) as base:
        yield base


def seconds_left_in_the_window(base: str) -> int:
    """The server's own answer (RateLimit-Reset), asked from another loopback address so the
    budget of 127.0.0.1, which the test spends, is untouched."""
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(transport=transport) as other:
        return int(other.get(f"{base}/api/v1/accommodations").headers["ratelimit-reset"])


def test_x_forwarded_for_does_not_buy_a_fresh_budget(limited_server: str) -> None:
    # The limit counts per fixed minute: start well inside one, or a new window may open
    # between the requests. Wait until the server says the window has time left.
    deadline = time.monotonic() + 70
    while seconds_left_in_the_window(limited_server) < 10:
        assert time.monotonic() < deadline, "the rate-limit window never turned over"
        time.sleep(0.2)
    statuses = [
        httpx.get(
            f"{limited_server}/api/v1/accommodations",
            headers={"X-Forwarded-For": f"203.0.113.{i}", "Fly-Client-IP": f"198.51.100.{i}"},
        ).status_code
        for i in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]
    assert httpx.get(f"{limited_server}/api/v1/healthz").status_code == 200


def test_no_server_banner(limited_server: str) -> None:
    r = httpx.get(f"{limited_server}/api/v1/healthz")
    assert "server" not in r.headers
    assert r.headers["x-content-type-options"] == "nosniff"
