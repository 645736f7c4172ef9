"""A request's connection (``adapters.postgres.request_connection``) against the real PostgreSQL:
statements that stand alone run on the statement pool and never check out SQLAlchemy's
connection; anything else starts SQLAlchemy's, and a transaction still spans both kinds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.postgres.database import make_config
from adapters.postgres.driver import Driver
from adapters.postgres.request_connection import RequestConnection, StatementPool
from adapters.postgres.unit_of_work import SqlUnitOfWork
from application.errors import StorageUnavailable
from application.ports.repositories import HoldOutcome
from domain.booking.accommodation import Accommodation
from domain.stay import Stay
from tests.integration.helpers import add_cabins, new_hold

pytestmark = pytest.mark.db

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
DEC = Stay(date(2026, 12, 18), date(2026, 12, 21))


@pytest.fixture
async def statements(database_url: str) -> AsyncIterator[StatementPool]:
    pool = make_config(database_url, pool_size=2, statement_timeout_s=3).create_statement_pool()
    yield pool
    await pool.close()


def _checked_out(engine: AsyncEngine) -> int:
    return engine.sync_engine.pool.checkedout()  # type: ignore[attr-defined,no-any-return]


async def _pid(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval("SELECT pg_backend_pid()"))


async def _one_cabin(engine: AsyncEngine) -> tuple[int, Accommodation]:
    """A cabin, and what a hold is priced from (read as the booking reads it)."""
    [cabin] = await add_cabins(engine, 1)
    async with engine.connect() as conn:
        basis = await SqlUnitOfWork(conn, SystemClock()).accommodations.get(cabin)
    assert basis is not None
    return cabin, basis


async def test_a_hold_alone_never_checks_out_sqlalchemys_connection(
    engine: AsyncEngine, statements: StatementPool
) -> None:
    cabin, basis = await _one_cabin(engine)
    conn = RequestConnection(engine, statements)
    try:
        async with SqlUnitOfWork(conn, SystemClock()) as uow:
            hold = new_hold(cabin, DEC, NOW)
            assert await uow.reservations.add_hold(hold, NOW, basis, alone=True) is (
                HoldOutcome.PLACED
            )
            assert await uow.reservations.get(hold.code) is not None  # a lookup: alone too
            assert not conn.started
            assert _checked_out(engine) == 0
            assert statements.open_connections == 1
            assert statements.idle_connections == 0
    finally:
        await conn.close()
    assert statements.idle_connections == 1  # returned, for the next request
    async with engine.connect() as other:  # committed on its own
        codes = (await other.execute(text("SELECT code FROM reservations"))).scalars().all()
    assert codes == [hold.code.value]


async def test_a_statement_pool_connection_is_set_up_like_the_engines(
    statements: StatementPool,
) -> None:
    conn = await statements.acquire()
    try:
        assert await conn.fetchval("SHOW statement_timeout") == "3s"
        assert await conn.fetchval("SHOW lock_timeout") == "1500ms"
        assert await conn.fetchval("SHOW application_name") == "cabanas"
    finally:
        statements.release(conn)


async def test_sqlalchemy_use_starts_it_and_a_transaction_spans_both_kinds(
    engine: AsyncEngine, statements: StatementPool
) -> None:
    [cabin] = await add_cabins(engine, 1)
    conn = RequestConnection(engine, statements)
    try:
        uow = SqlUnitOfWork(conn, SystemClock())
        basis = await uow.accommodations.get(cabin)  # Core: checks SQLAlchemy's out
        assert basis is not None
        assert conn.started
        assert _checked_out(engine) == 1
        await conn.commit()
        async with uow:  # the hold begins the transaction; left without commit(): all goes
            hold = new_hold(cabin, DEC, NOW)
            assert await uow.reservations.add_hold(hold, NOW, basis) is HoldOutcome.PLACED
            assert await uow.idempotency.claim("api", "k-1", NOW, fingerprint="f") is None
            # A single read now joins that transaction (it sees the hold), on the same session.
            driver = Driver(conn)
            plain = await driver.plain()
            assert await plain.fetchval("SELECT count(*) FROM reservations") == 1
        async with uow:
            again = new_hold(cabin, DEC, NOW)
            assert await uow.reservations.add_hold(again, NOW, basis) is HoldOutcome.PLACED
            await uow.commit()
        assert statements.open_connections == 0  # never needed
    finally:
        await conn.close()
    assert _checked_out(engine) == 0
    async with engine.connect() as other:
        codes = (await other.execute(text("SELECT code FROM reservations"))).scalars().all()
        keys = (await other.execute(text("SELECT key FROM idempotency_keys"))).scalars().all()
    assert codes == [again.code.value]
    assert keys == []


async def test_a_transaction_begun_first_starts_it_too(
    engine: AsyncEngine, statements: StatementPool
) -> None:
    conn = RequestConnection(engine, statements)
    try:
        async with conn.begin_nested():  # a savepoint (in the transaction it autobegins)
            await conn.execute(text("CREATE TEMP TABLE t (x int)"))
        await conn.commit()
        fresh = RequestConnection(engine, statements)
        try:
            async with fresh.begin():
                assert fresh.started
                await fresh.execute(text("SELECT 1"))
        finally:
            await fresh.close()
        transaction = await conn.begin()
        await conn.execute(text("INSERT INTO t VALUES (1)"))
        assert conn.in_transaction()
        await transaction.rollback()
        assert await conn.scalar(text("SELECT count(*) FROM t")) == 0
    finally:
        await conn.close()
    assert _checked_out(engine) == 0


async def test_nothing_to_commit_roll_back_or_close_before_it_starts(
    engine: AsyncEngine, statements: StatementPool
) -> None:
    conn = RequestConnection(engine, statements)
    assert not conn.in_transaction()
    await conn.commit()
    await conn.rollback()
    await conn.close()
    assert not conn.started
    assert _checked_out(engine) == 0
    assert statements.open_connections == 0


async def test_a_lost_statement_connection_is_unavailable_and_discarded(
    engine: AsyncEngine, statements: StatementPool
) -> None:
    cabin, basis = await _one_cabin(engine)

    async def terminate(pid: int) -> None:
        async with engine.connect() as other:
            await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            await other.commit()

    conn = RequestConnection(engine, statements)

    async def lost_mid_request() -> None:
        async with SqlUnitOfWork(conn, SystemClock()) as uow:
            lean = await Driver(conn).plain()
            await terminate(await _pid(lean))
            for _ in range(10_000):  # until asyncpg has read the server's goodbye
                if lean.is_closed():
                    break
                await asyncio.sleep(0.001)
            await uow.reservations.add_hold(new_hold(cabin, DEC, NOW), NOW, basis, alone=True)

    try:
        with pytest.raises(StorageUnavailable):
            await lost_mid_request()
    finally:
        await conn.close()
    assert statements.open_connections == 0  # closed, not pooled
    # One the server closed while it sat idle is skipped, not handed out.
    idle = await statements.acquire()
    statements.release(idle)
    await terminate(await _pid(idle))
    for _ in range(10_000):  # until asyncpg has read the server's goodbye
        if idle.is_closed():
            break
        await asyncio.sleep(0.001)
    fresh = await statements.acquire()
    try:
        assert fresh is not idle
        assert await fresh.fetchval("SELECT 1") == 1
        assert statements.open_connections == 1
    finally:
        statements.release(fresh)
    # The next request opens a working one, and the nights are still free.
    conn = RequestConnection(engine, statements)
    try:
        async with SqlUnitOfWork(conn, SystemClock()) as uow:
            hold = new_hold(cabin, DEC, NOW)
            assert await uow.reservations.add_hold(hold, NOW, basis, alone=True) is (
                HoldOutcome.PLACED
            )
    finally:
        await conn.close()


async def test_a_statement_cancelled_midway_never_serves_again(
    engine: AsyncEngine, statements: StatementPool
) -> None:
    conn = RequestConnection(engine, statements)
    first_pid = 0

    async def slow_request() -> None:
        nonlocal first_pid
        async with SqlUnitOfWork(conn, SystemClock()):
            lean = await Driver(conn).plain()
            first_pid = await _pid(lean)
            await lean.execute("SELECT pg_sleep(30)")

    task = asyncio.create_task(slow_request())
    async with engine.connect() as observer:  # wait until the server is running it
        for _ in range(10_000):
            await asyncio.sleep(0.001)
            query = await observer.scalar(
                text("SELECT query FROM pg_stat_activity WHERE pid = :pid AND state = 'active'"),
                {"pid": first_pid},
            )
            # Statistics views are a snapshot per transaction: a first look taken before the
            # statement started would be all this loop ever saw (under load, now and then).
            await observer.rollback()
            if query and "pg_sleep" in query:
                break
        else:
            pytest.fail("the statement never started")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await conn.close()
    assert statements.open_connections == 0
    again = await statements.acquire()
    try:
        assert await _pid(again) != first_pid
    finally:
        statements.release(again)


async def test_the_pool_bounds_its_connections_and_a_waiter_gets_the_next_one_returned(
    statements: StatementPool,
) -> None:
    a, b = await statements.acquire(), await statements.acquire()
    waiting = asyncio.create_task(statements.acquire())
    await asyncio.sleep(0)
    assert not waiting.done()
    assert statements.open_connections == 2
    statements.release(a)
    assert await waiting is a
    statements.release(b)
    statements.release(a)
    assert statements.idle_connections == 2


async def test_a_wait_past_the_deadline_is_unavailable(database_url: str) -> None:
    pool = make_config(database_url, pool_size=1).create_statement_pool()
    pool._timeout_s = 0.05  # the wait's deadline (5 s in service)
    held = await pool.acquire()
    try:
        with pytest.raises(StorageUnavailable):
            await pool.acquire()
        assert pool.open_connections == 1
    finally:
        pool.release(held)
        await pool.close()


async def test_a_discarded_connection_lets_a_waiter_open_another(
    statements: StatementPool,
) -> None:
    a, b = await statements.acquire(), await statements.acquire()
    waiting = asyncio.create_task(statements.acquire())
    await asyncio.sleep(0)
    statements.release(a, discard=True)
    c = await waiting
    assert c is not a
    assert c is not b
    assert a.is_closed()
    assert await c.fetchval("SELECT 1") == 1
    assert statements.open_connections == 2
    statements.release(b)
    statements.release(c)


async def test_a_freed_slot_taken_by_someone_else_first_keeps_the_bound(database_url: str) -> None:
    pool = make_config(database_url, pool_size=1).create_statement_pool()
    try:
        a = await pool.acquire()
        waiting = asyncio.create_task(pool.acquire())
        await asyncio.sleep(0)  # it waits
        pool.release(a, discard=True)  # the waiter is told a slot is free ...
        b = await pool.acquire()  # ... but this caller, running first, opens into it
        assert pool.open_connections == 1
        assert not waiting.done()  # so the waiter waits again, not a second connection
        pool.release(b)
        assert await waiting is b
        assert pool.open_connections == 1
        pool.release(b)
    finally:
        await pool.close()


async def test_a_connection_left_in_a_transaction_is_closed_not_pooled(
    statements: StatementPool,
) -> None:
    conn = await statements.acquire()
    await conn.execute("BEGIN")
    statements.release(conn)
    assert conn.is_closed()
    assert statements.open_connections == 0


async def test_a_cancelled_waiter_loses_no_connection(statements: StatementPool) -> None:
    a, b = await statements.acquire(), await statements.acquire()
    waiting = asyncio.create_task(statements.acquire())
    await asyncio.sleep(0)
    statements.release(a)  # handed to the waiter ...
    waiting.cancel()  # ... which is cancelled before it runs again
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert statements.idle_connections == 1  # passed back, not lost
    assert statements.open_connections == 2
    statements.release(b)


async def test_an_unreachable_server_is_unavailable_and_frees_the_slot() -> None:
    pool = make_config(
        "postgresql://nobody@127.0.0.1:9/none", pool_size=1, connect_timeout=1
    ).create_statement_pool()
    for _ in range(2):  # the failed attempt does not hold the only slot
        with pytest.raises(StorageUnavailable):
            await pool.acquire()
    assert pool.open_connections == 0
    await pool.close()


async def test_a_closed_pool_closes_idle_and_returned_connections_and_refuses_more(
    statements: StatementPool,
) -> None:
    a, b = await statements.acquire(), await statements.acquire()
    statements.release(a)
    await statements.close()
    assert a.is_closed()
    statements.release(b)
    assert b.is_closed()
    assert statements.open_connections == 0
    with pytest.raises(StorageUnavailable):
        await statements.acquire()


async def test_a_driver_left_mid_way_is_unavailable_and_its_connection_discarded(
    engine: AsyncEngine, statements: StatementPool
) -> None:
    # What asyncpg raises for a statement sent as the server ends the session (seen when a
    # backend is terminated under a request): its protocol's state is unknown after that.
    conn = RequestConnection(engine, statements)

    async def confused() -> None:
        async with SqlUnitOfWork(conn, SystemClock()):
            await Driver(conn).plain()
            raise asyncpg.InternalClientError("cannot switch to state 11")

    try:
        with pytest.raises(StorageUnavailable):
            await confused()
    finally:
        await conn.close()
    assert statements.open_connections == 0


async def test_whoever_waits_when_the_pool_closes_is_refused(statements: StatementPool) -> None:
    a, b = await statements.acquire(), await statements.acquire()
    waiting = asyncio.create_task(statements.acquire())
    await asyncio.sleep(0)  # both are out: it waits
    await statements.close()
    with pytest.raises(StorageUnavailable):
        await waiting
    statements.release(a)
    statements.release(b)
    assert a.is_closed()
    assert b.is_closed()
    assert statements.open_connections == 0
