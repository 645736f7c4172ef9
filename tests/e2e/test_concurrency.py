"""Double booking is impossible through the real HTTP stack (uvicorn, asyncpg, PostgreSQL)."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import text

from adapters.postgres.database import make_engine
from entrypoints.embedded import EmbeddedRedis
from tests.e2e.conftest import seed
from tests.e2e.servers import uvicorn_server

pytestmark = pytest.mark.db

# Far enough ahead to be bookable whatever today is, and inside the 18-month horizon.
BASE_DAY = date.today() + timedelta(days=60)


def booking(accommodation_id: int, start: date, nights: int, n: int) -> dict[str, object]:
    return {
        "accommodation_id": accommodation_id,
        "check_in": start.isoformat(),
        "check_out": (start + timedelta(days=nights)).isoformat(),
        "guests": 2,
        "guest_name": f"Huésped {n}",
        "guest_phone": f"+54911{n:08d}",
    }


@pytest.fixture(scope="module")
def server(pg_server: object, template_db: str, redis_server: EmbeddedRedis) -> Iterator[str]:
    from tests.conftest import fresh_database

    name = fresh_database(pg_server, template_db)  # type: ignore[arg-type]
    url = pg_server.url(name)  # type: ignore[attr-defined]
    seed(url)

    async def more_cabins() -> None:
        engine = make_engine(url, pool_size=1)
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO accommodations (name, capacity, base_price_cents, min_nights) "
                    "SELECT 'Extra ' || g, 4, 5000000, 1 FROM generate_series(1, 7) g"
                )
            )
        await engine.dispose()

    asyncio.run(more_cabins())
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": redis_server.url(),
        "DB_POOL_SIZE": "10",
        "RATE_LIMIT_PER_MINUTE": "0",  # one client address sends hundreds of bookings here
        "MAX_LIVE_HOLDS_PER_CLIENT": "0",  # (its own test: tests/e2e/test_hold_limits.py)
        # Each round reuses the fifty phones: one that won two rounds must not get a 429 in
        # the third (the per-phone limit has its own test too).
        "MAX_LIVE_HOLDS_PER_PHONE": "0",
    }
    with uvicorn_server(env) as base:
        yield base
        # Nothing the server did may leave two active reservations on one night.
        assert asyncio.run(overlapping_pairs(url)) == 0


async def overlapping_pairs(url: str) -> int:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return int(
                (
                    await conn.execute(
                        text(
                            "SELECT count(*) FROM reservations a JOIN reservations b"
                            " ON a.accommodation_id = b.accommodation_id AND a.id < b.id"
                            " AND a.stay && b.stay"
                            " WHERE a.status IN ('pre_reserved', 'confirmed')"
                            " AND b.status IN ('pre_reserved', 'confirmed')"
                        )
                    )
                ).scalar_one()
            )
    finally:
        await engine.dispose()


async def _storm(base: str, bodies: list[dict[str, object]]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(bodies), max_keepalive_connections=len(bodies))
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        return await asyncio.gather(*(client.post("/api/v1/reservations", json=b) for b in bodies))


@pytest.mark.parametrize("round_", range(3))
def test_fifty_guests_racing_for_the_same_nights_one_wins(server: str, round_: int) -> None:
    start = BASE_DAY + timedelta(days=10 * round_)
    # Same cabin, overlapping (not identical) ranges: every pair shares at least one night.
    bodies = [booking(2, start + timedelta(days=i % 2), 3, i) for i in range(50)]
    responses = asyncio.run(_storm(server, bodies))
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: 49}, statuses
    for r in responses:
        if r.status_code == 409:
            assert r.headers["content-type"] == "application/problem+json"


def test_random_ranges_on_many_cabins_never_overlap(server: str) -> None:
    rng = random.Random(20261128)
    cabins = list(range(4, 11))  # the extra cabins: min 1 night, capacity 4
    bodies = [
        booking(
            rng.choice(cabins),
            BASE_DAY + timedelta(days=100 + rng.randrange(40)),
            rng.randint(1, 6),
            1000 + i,
        )
        for i in range(240)
    ]
    statuses: Counter[int] = Counter()
    for chunk in range(0, len(bodies), 40):
        for r in asyncio.run(_storm(server, bodies[chunk : chunk + 40])):
            statuses[r.status_code] += 1
    assert set(statuses) <= {201, 409}, statuses
    assert statuses[201] > 0
    assert statuses[409] > 0


def test_a_tiny_pool_with_an_always_refreshing_catalogue_never_starves(
    pg_server: object, template_db: str, redis_server: EmbeddedRedis
) -> None:
    """Regression: a request holding a pooled connection must never need a second one from
    the same pool (the catalogue refresh used to, and 40 concurrent bookings deadlocked until
    the pool timeout answered 500)."""
    from tests.conftest import fresh_database

    url = pg_server.url(fresh_database(pg_server, template_db))  # type: ignore[attr-defined]
    seed(url)
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": redis_server.url(),
        "DB_POOL_SIZE": "2",
        "CATALOGUE_CACHE_SECONDS": "0",
        "RATE_LIMIT_PER_MINUTE": "0",
        "MAX_LIVE_HOLDS_PER_CLIENT": "0",  # forty holds from one client, on purpose
    }
    with uvicorn_server(env) as base:
        bodies = [booking(2, BASE_DAY + timedelta(days=200 + 2 * i), 1, i) for i in range(40)]
        statuses = Counter(r.status_code for r in asyncio.run(_storm(base, bodies)))
    assert statuses == {201: 40}, statuses
