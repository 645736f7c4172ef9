"""A 503 never hides a stored hold: PostgreSQL bounds its own work (statement and lock
timeouts), so a slow database rolls back before the client is told to retry; and when the
database stops answering altogether (the outcome unknown), the same request retried gets the
hold it placed, never a 409 against itself. Real uvicorn, real PostgreSQL, stopped with SIGSTOP.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Iterator
from datetime import date, timedelta

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from adapters.postgres.database import make_engine
from entrypoints.embedded import EmbeddedPostgres, EmbeddedRedis
from tests.e2e.conftest import seed
from tests.e2e.servers import uvicorn_server
from tests.e2e.test_api import BOOKING

pytestmark = pytest.mark.db
SOON = date.today() + timedelta(days=45)


def booking(n: int) -> dict[str, object]:
    return {
        "accommodation_id": 1,
        "check_in": (SOON + timedelta(days=3 * n)).isoformat(),
        "check_out": (SOON + timedelta(days=3 * n + 2)).isoformat(),
        "guests": 2,
        "guest_name": f"Huésped {n}",
        "guest_phone": f"+5491155{n:06d}",
    }


def server_processes(postmaster: int) -> list[int]:
    """The postmaster and its children (each of which is a process group of its own)."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == postmaster:
                children.append(int(entry))
    return [postmaster, *children]


def signal_all(pids: list[int], sig: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


async def count_live_holds(url: str, check_in: str) -> int:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return int(
                (
                    await conn.execute(
                        text(
                            "SELECT count(*) FROM reservations WHERE check_in = :d "
                            "AND status = 'pre_reserved' AND kind = 'booking'"
                        ),
                        {"d": date.fromisoformat(check_in)},
                    )
                ).scalar_one()
            )
    finally:
        await engine.dispose()


def live_holds(url: str, check_in: str) -> int:
    return asyncio.run(count_live_holds(url, check_in))


@pytest.fixture
def server(
    pg_server: EmbeddedPostgres, database_url: str, redis_server: EmbeddedRedis
) -> Iterator[str]:
    seed(database_url)
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_server.url(),
        "DB_POOL_SIZE": "2",
        "DB_STATEMENT_TIMEOUT_SECONDS": "1",  # the driver waits 5 s more
        "RATE_LIMIT_PER_MINUTE": "0",
        "MAX_LIVE_HOLDS_PER_CLIENT": "0",  # the module's tests all book from this one client
        "EMBEDDED_WORKER": "false",
    }
    with uvicorn_server(env) as base:
        yield base


async def postgres_cancels_on_timeout(url: str) -> bool:
    """Whether this PostgreSQL's own timeouts fire: under libfaketime with a date moved ahead
    (`faketime -f +365d`, how the suite is run for clock bugs) its statement_timeout never
    does, so a test of what PostgreSQL gives up on has nothing to observe there."""
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SET statement_timeout = 100"))
            try:
                await conn.execute(text("SELECT pg_sleep(2)"))
            except DBAPIError:
                return True
            return False
    finally:
        await engine.dispose()


def test_a_slow_database_rolls_back_before_the_503(server: str, database_url: str) -> None:
    """A lock held elsewhere: PostgreSQL gives up the booking's statement itself (lock_timeout),
    so the 503 is the truth: nothing stored, and a retry books."""
    if not asyncio.run(postgres_cancels_on_timeout(database_url)):
        pytest.skip("this PostgreSQL's statement_timeout does not fire (libfaketime, date ahead)")
    body = booking(1)

    async def scenario() -> None:
        engine = make_engine(database_url, pool_size=1)
        try:
            async with engine.connect() as locker, httpx.AsyncClient(base_url=server) as client:
                await locker.execute(text("LOCK TABLE reservations IN ACCESS EXCLUSIVE MODE"))
                started = time.monotonic()
                r = await client.post("/api/v1/reservations", json=body, timeout=30)
                assert r.status_code == 503, r.text
                assert r.headers["retry-after"]
                assert time.monotonic() - started < 5  # the server's timeout, not the client's
                await locker.rollback()
                assert await count_live_holds(database_url, str(body["check_in"])) == 0
                again = await client.post("/api/v1/reservations", json=body, timeout=30)
                assert again.status_code == 201, again.text
                assert "idempotent-replayed" not in again.headers
        finally:
            await engine.dispose()

    asyncio.run(scenario())


def test_a_stopped_database_then_the_same_request_gets_its_hold_not_a_409(
    server: str, database_url: str, pg_server: EmbeddedPostgres
) -> None:
    assert pg_server._proc is not None  # the suite's own server, started by this session
    body = booking(2)
    with httpx.Client(base_url=server, timeout=30) as client:
        # Warm the pool: both connections have the booking statement prepared, so the stalled
        # booking is sent whole and stuck inside PostgreSQL (not waiting to prepare it).
        for n in (10, 11, 12):
            assert client.post("/api/v1/reservations", json=booking(n)).status_code == 201
        frozen = server_processes(pg_server._proc.pid)
        signal_all(frozen, signal.SIGSTOP)
        try:
            stalled = client.post("/api/v1/reservations", json=body)
        finally:
            signal_all(frozen, signal.SIGCONT)
        assert stalled.status_code == 503, stalled.text
        # The statement PostgreSQL received while stopped may still commit now that it runs.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and live_holds(database_url, str(body["check_in"])) == 0:
            time.sleep(0.05)
        # It did: the guest was told 503, and the hold exists.
        assert live_holds(database_url, str(body["check_in"])) == 1
        retried = client.post("/api/v1/reservations", json=body)
        assert retried.status_code == 201, retried.text  # handed back, not refused
        assert retried.headers["idempotent-replayed"] == "true"
        assert live_holds(database_url, str(body["check_in"])) == 1
        # Someone else sending other details for those nights still gets a 409.
        other = {**body, "guest_name": "Otra persona"}
        assert client.post("/api/v1/reservations", json=other).status_code == 409


async def test_the_same_request_retried_gets_its_hold_back(
    client: AsyncTestClient[Litestar],
) -> None:
    first = await client.post("/reservations", json=BOOKING)
    assert first.status_code == 201, first.text
    again = await client.post("/reservations", json=BOOKING)
    assert again.status_code == 201, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["code"] == first.json()["code"]
    assert again.headers["location"] == first.headers["location"]
    # A different body (another guest, or other details) is a different request: 409.
    other = await client.post("/reservations", json={**BOOKING, "guest_phone": "+5491100000000"})
    assert other.status_code == 409
