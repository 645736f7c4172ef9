"""A browser page on an allowed origin can use the whole API: the safe-retry header, and reading
the headers that matter on every answer — a 201's Location, a replay's Idempotent-Replayed, a
429's Retry-After. A refused preflight is problem JSON."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import ClientFactory
from tests.e2e.test_api import BOOKING, assert_problem

pytestmark = pytest.mark.db
SITE = "https://cabanas.ar"
EXPOSED = {
    "location",
    "retry-after",
    "idempotent-replayed",
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
}


def _booking_ahead() -> dict[str, object]:
    """make_client's apps run on the real clock: a stay dated from the real today (BOOKING's
    fixed dates fall in the past once the calendar passes them)."""
    check_in = datetime.now(UTC).date() + timedelta(days=45)
    return {
        **BOOKING,
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=3)).isoformat(),
    }


async def window_with_time_left(client: AsyncTestClient[Litestar], seconds: int = 10) -> None:
    """The limit counts per fixed minute: two requests straddling a new window would both pass.
    Wait until the app itself (RateLimit-Reset, asked for another address) leaves ``seconds``."""
    probe = {"Fly-Client-IP": f"2001:db8:1::{uuid.uuid4().int % 65536:x}"}
    deadline = asyncio.get_running_loop().time() + 70
    while (
        int((await client.get("/api/v1/accommodations", headers=probe)).headers["ratelimit-reset"])
        < seconds
    ):
        assert asyncio.get_running_loop().time() < deadline, (
            "the rate-limit window never turned over"
        )
        await asyncio.sleep(0.2)


def _names(value: str) -> set[str]:
    return {v.strip().lower() for v in value.split(",")}


async def test_a_preflight_with_idempotency_key_is_allowed(make_client: ClientFactory) -> None:
    async with make_client(cors_allowed_origins=[SITE]) as c:
        r = await c.options(
            "/api/v1/reservations",
            headers={
                "Origin": SITE,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type, idempotency-key",
            },
        )
    assert r.status_code == 204, r.text
    assert r.headers["access-control-allow-origin"] == SITE
    assert {"content-type", "idempotency-key"} <= _names(r.headers["access-control-allow-headers"])
    assert "POST" in r.headers["access-control-allow-methods"]
    assert "origin" in _names(r.headers["vary"])


async def test_a_browser_can_read_location_and_the_replay_flag(make_client: ClientFactory) -> None:
    async with make_client(cors_allowed_origins=[SITE]) as c:
        headers = {"Origin": SITE, "Idempotency-Key": str(uuid.uuid4())}
        booking = _booking_ahead()
        first = await c.post("/api/v1/reservations", json=booking, headers=headers)
        again = await c.post("/api/v1/reservations", json=booking, headers=headers)
    assert first.status_code == 201, first.text
    assert again.headers["idempotent-replayed"] == "true"
    for r in (first, again):
        assert r.headers["access-control-allow-origin"] == SITE
        assert _names(r.headers["access-control-expose-headers"]) >= EXPOSED
        assert r.headers["location"].startswith("/api/v1/reservations/")


async def test_a_rate_limited_browser_can_read_retry_after(make_client: ClientFactory) -> None:
    me = f"2001:db8::{uuid.uuid4().int % 65536:x}"  # this test's own budget in the shared Redis
    async with make_client(
        cors_allowed_origins=[SITE], rate_limit_per_minute=1, trusted_proxy=True
    ) as c:
        headers = {"Origin": SITE, "Fly-Client-IP": me}
        await window_with_time_left(c)
        assert (await c.get("/api/v1/accommodations", headers=headers)).status_code == 200
        r = await c.get("/api/v1/accommodations", headers=headers)
    assert_problem(r, 429)
    assert r.headers["access-control-allow-origin"] == SITE
    assert "retry-after" in _names(r.headers["access-control-expose-headers"])
    assert int(r.headers["retry-after"]) >= 1


@pytest.mark.parametrize(
    ("origin", "method", "request_headers", "named"),
    [
        ("https://evil.example", "POST", "content-type", "origin https://evil.example"),
        (SITE, "POST", "content-type, x-debug", "x-debug"),
        (SITE, "TRACE", "", "method TRACE"),
    ],
    ids=["origin", "header", "method"],
)
async def test_a_refused_preflight_is_problem_json(
    make_client: ClientFactory, origin: str, method: str, request_headers: str, named: str
) -> None:
    async with make_client(cors_allowed_origins=[SITE]) as c:
        r = await c.options(
            "/api/v1/reservations",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": request_headers,
            },
        )
    problem = assert_problem(r, 400)
    assert problem["code"] == "cors_preflight_refused"
    assert named in str(problem["detail"])
    assert "access-control-allow-origin" not in r.headers


async def test_another_origin_gets_no_cors_headers_on_answers(make_client: ClientFactory) -> None:
    async with make_client(cors_allowed_origins=[SITE]) as c:
        r = await c.get("/api/v1/accommodations", headers={"Origin": "https://evil.example"})
    assert r.status_code == 200
    assert "access-control-allow-origin" not in r.headers
    assert "access-control-expose-headers" not in r.headers


async def test_without_allowed_origins_there_is_no_cors(make_client: ClientFactory) -> None:
    async with make_client() as c:
        r = await c.get("/api/v1/accommodations", headers={"Origin": SITE})
    assert "access-control-allow-origin" not in r.headers
