"""A request's connection: SQLAlchemy's, checked out only when a statement needs it; a statement
that stands alone runs on a connection of a small pool of our own instead.

Under load (``benchmarks.wrk_cpu``-style runs, 16 connections on 2 workers), checking a
connection out of SQLAlchemy's pool and returning it — ``Engine.connect()``, the pool's
``_ConnectionFairy``, its events and reset, a greenlet switch each way — cost a booking more
than a tenth of its CPU (measured 28 µs one request at a time, far more with both workers and
PostgreSQL sharing the cores). Bookings, availability and lookups run one statement each, outside
any transaction (``Driver.plain()``, ``for_write(alone=True)``): they need none of that.

``RequestConnection`` is an ``AsyncConnection`` that starts (checks out from SQLAlchemy's pool)
on its first SQLAlchemy use — a Core statement, a transaction, the raw connection — so every
repository works as before. Until then, ``standalone()`` hands statements that stand alone an
asyncpg connection from ``StatementPool``; once SQLAlchemy's connection is out, they run on it
(inside its transaction when one is open), as before.

``StatementPool`` rather than asyncpg's own pool: asyncpg's acquire and release (a task per
release, a reset query per release unless replaced) measured 11 µs with a no-op reset against
0.25 µs for taking and returning a connection here. It keeps what a request needs: a bound on
open connections, a wait with a deadline (``StorageUnavailable`` after it, as SQLAlchemy's
``pool_timeout``), connections that broke or were left inside a transaction closed instead of
reused, no connection lost to a cancelled wait.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from adapters.postgres.errors import CHECKOUT_FAILED
from application.errors import StorageUnavailable

# What failing to open a connection looks like (an unreachable or refusing server).
_CONNECT_FAILED = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


class StatementPool:
    """Up to ``size`` asyncpg connections, opened as needed and kept; ``acquire`` waits up to
    ``timeout_s`` for one to be returned when all are out."""

    def __init__(
        self,
        connect: Callable[[], Awaitable[asyncpg.Connection]],
        *,
        size: int,
        timeout_s: float,
    ) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self._connect = connect
        self._size = size
        self._timeout_s = timeout_s
        self._idle: deque[asyncpg.Connection] = deque()
        # Waiting acquirers; each is handed a connection, or None: "a slot is free, open one".
        self._waiters: deque[asyncio.Future[asyncpg.Connection | None]] = deque()
        self._open = 0  # open or being opened
        self._closed = False

    @property
    def open_connections(self) -> int:
        return self._open

    @property
    def idle_connections(self) -> int:
        return len(self._idle)

    async def acquire(self) -> asyncpg.Connection:
        idle = self._idle
        while idle:
            conn = idle.pop()  # the most recently used: its server process is the warmest
            if not conn.is_closed():
                return conn
            self._open -= 1  # closed while idle (the server went away): forget it
        if self._closed:
            raise StorageUnavailable("the database pool is closed")
        if self._open < self._size:
            return await self._open_one()
        waiter: asyncio.Future[asyncpg.Connection | None]
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(self._timeout_s):
                handed = await waiter
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled():
                # Handed something just as the wait ended: pass it on, never lose it.
                late = waiter.result()
                if late is not None:
                    self.release(late)
                else:
                    self._wake()
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            if isinstance(exc, TimeoutError):
                raise StorageUnavailable("no database connection available") from exc
            raise
        if handed is None:
            # A connection was closed, so one may be opened: unless someone else took the slot
            # meanwhile, then this waits again (the bound holds either way).
            return await self.acquire()
        return handed

    async def _open_one(self) -> asyncpg.Connection:
        self._open += 1
        try:
            return await self._connect()
        except BaseException as exc:
            self._open -= 1
            self._wake()
            if isinstance(exc, _CONNECT_FAILED):
                raise StorageUnavailable("the database is unavailable") from exc
            raise

    def release(self, conn: asyncpg.Connection, *, discard: bool = False) -> None:
        """Back to the pool; closed instead when ``discard``, broken, left inside a
        transaction, or the pool is closed."""
        if (
            discard
            or self._closed
            or conn.is_closed()
            or conn.is_in_transaction()
            or _cancelling(conn)
        ):
            if not conn.is_closed():
                conn.terminate()
            self._open -= 1
            self._wake()
            return
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        self._idle.append(conn)

    def _wake(self) -> None:
        """A slot was freed: the first live waiter opens a connection of its own."""
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def close(self) -> None:
        """Close the idle connections (all at once, 2 s each at most); those still out are
        closed when they are returned, and whoever waits for one is refused."""
        self._closed = True
        idle, self._idle = list(self._idle), deque()
        self._open -= len(idle)
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # they find the pool closed
        await asyncio.gather(*(_close(conn) for conn in idle))


async def _close(conn: asyncpg.Connection) -> None:
    try:
        await asyncio.wait_for(conn.close(), 2)
    except Exception:
        conn.terminate()


def _cancelling(conn: asyncpg.Connection) -> bool:
    """A statement of this connection was cancelled and the server may still be running it
    (asyncpg's own pool checks the same before reusing a connection)."""
    is_cancelling = getattr(conn._protocol, "_is_cancelling", None)
    return bool(is_cancelling is not None and is_cancelling())


class _LazyTransaction(AsyncTransaction):
    """``begin()``/``begin_nested()`` on a connection not yet started: starts it first."""

    __slots__ = ()

    async def start(self, is_ctxmanager: bool = False) -> AsyncTransaction:
        await self.connection.start_if_needed()  # type: ignore[attr-defined]
        return await super().start(is_ctxmanager)


class RequestConnection(AsyncConnection):
    """An ``AsyncConnection`` checked out from ``engine``'s pool on its first SQLAlchemy use;
    ``standalone()`` serves single statements from ``statements`` until then. ``close()``
    returns whichever it holds."""

    __slots__ = ("_lean", "_statements")

    def __init__(self, engine: AsyncEngine, statements: StatementPool) -> None:
        super().__init__(engine)  # not started: no connection checked out yet
        self._statements = statements
        self._lean: asyncpg.Connection | None = None

    @property
    def started(self) -> bool:
        return self.sync_connection is not None

    async def start_if_needed(self) -> None:
        if self.sync_connection is None:
            try:
                await self.start()
            except CHECKOUT_FAILED as exc:
                raise StorageUnavailable("no database connection available") from exc

    async def standalone(self) -> Any:
        """The asyncpg connection for a statement that stands alone, from the statement pool,
        kept for the rest of the request. Only while SQLAlchemy's connection is not out
        (``Driver.plain()`` asks only then): once it is, statements run on it, joining its
        transaction."""
        if self._lean is None:
            self._lean = await self._statements.acquire()
        return self._lean

    # The part of AsyncConnection's API that starts the connection on first use.

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        await self.start_if_needed()
        return await super().execute(*args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        await self.start_if_needed()
        return await super().scalar(*args, **kwargs)

    async def scalars(self, *args: Any, **kwargs: Any) -> Any:
        await self.start_if_needed()
        return await super().scalars(*args, **kwargs)

    async def exec_driver_sql(self, *args: Any, **kwargs: Any) -> Any:
        await self.start_if_needed()
        return await super().exec_driver_sql(*args, **kwargs)

    async def run_sync(self, *args: Any, **kwargs: Any) -> Any:
        await self.start_if_needed()
        return await super().run_sync(*args, **kwargs)

    async def get_raw_connection(self) -> Any:
        await self.start_if_needed()
        return await super().get_raw_connection()

    def begin(self) -> AsyncTransaction:
        return _LazyTransaction(self)

    def begin_nested(self) -> AsyncTransaction:
        return _LazyTransaction(self, nested=True)

    # Nothing to do before it starts.

    def in_transaction(self) -> bool:
        sync = self.sync_connection
        return sync is not None and sync.in_transaction()

    async def commit(self) -> None:
        if self.sync_connection is not None:
            await super().commit()

    async def rollback(self) -> None:
        if self.sync_connection is not None:
            await super().rollback()

    async def invalidate(self, exception: BaseException | None = None) -> None:
        """Neither connection serves anyone again (see ``SqlUnitOfWork._discard``)."""
        lean, self._lean = self._lean, None
        if lean is not None:
            self._statements.release(lean, discard=True)
        if self.sync_connection is not None:
            await super().invalidate(exception)

    async def close(self) -> None:
        lean, self._lean = self._lean, None
        if lean is not None:
            self._statements.release(lean)
        if self.sync_connection is not None:
            await super().close()
