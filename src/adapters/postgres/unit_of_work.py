from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from functools import cached_property
from types import TracebackType
from typing import Self, cast

import asyncpg
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.postgres.accommodations import SqlAccommodationRepository
from adapters.postgres.accounts import SqlAccountRepository
from adapters.postgres.audit import SqlAuditLog
from adapters.postgres.blocks import SqlBlockRepository
from adapters.postgres.cabin_texts import SqlCabinTexts
from adapters.postgres.contacts import SqlContactWindows
from adapters.postgres.credits import SqlGuestCredits
from adapters.postgres.database import checkout
from adapters.postgres.errors import translate
from adapters.postgres.feeds import SqlFeedRepository
from adapters.postgres.idempotency import SqlIdempotencyKeys
from adapters.postgres.ledger import SqlLedger
from adapters.postgres.opt_outs import SqlOptOuts
from adapters.postgres.outbox import SqlOutbox
from adapters.postgres.payments import SqlPaymentRepository
from adapters.postgres.price_rules import SqlPriceRulesStore
from adapters.postgres.receipts import SqlReceipts
from adapters.postgres.repositories import SqlReservationRepository
from adapters.postgres.schedule import SqlMessageSchedule
from adapters.postgres.undeliverable import SqlUndeliverableMessages
from application.errors import StorageUnavailable
from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWork

# A lost or unusable connection, through SQLAlchemy or straight from asyncpg (a timed-out
# command raises TimeoutError, an OSError subclass's sibling; a statement sent just as the server
# ended the session can find asyncpg's protocol mid-way, InternalClientError).
_UNAVAILABLE = (
    OperationalError,
    InterfaceError,
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.InternalClientError,
)


class SqlUnitOfWork:
    """A transaction on one ``AsyncConnection`` (begun on first use). Leaving the block without
    ``commit()`` rolls back, and driver errors leave it already translated
    (see ``adapters.postgres.errors``), whether they came through SQLAlchemy or from a statement
    run on asyncpg directly (``adapters.postgres.driver``)."""

    def __init__(self, conn: AsyncConnection, clock: Clock) -> None:
        self._conn = conn
        # The app's clock, for the one read that depends on today's date (the price overrides
        # still current).
        self._clock = clock

    # Each repository is made on first use (a booking uses two of the eighteen), then kept.
    @cached_property
    def accommodations(self) -> SqlAccommodationRepository:
        return SqlAccommodationRepository(self._conn)

    @cached_property
    def reservations(self) -> SqlReservationRepository:
        return SqlReservationRepository(self._conn)

    @cached_property
    def audit(self) -> SqlAuditLog:
        return SqlAuditLog(self._conn)

    @cached_property
    def blocks(self) -> SqlBlockRepository:
        return SqlBlockRepository(self._conn)

    @cached_property
    def payments(self) -> SqlPaymentRepository:
        return SqlPaymentRepository(self._conn)

    @cached_property
    def outbox(self) -> SqlOutbox:
        return SqlOutbox(self._conn)

    @cached_property
    def idempotency(self) -> SqlIdempotencyKeys:
        return SqlIdempotencyKeys(self._conn)

    @cached_property
    def feeds(self) -> SqlFeedRepository:
        return SqlFeedRepository(self._conn)

    @cached_property
    def contacts(self) -> SqlContactWindows:
        return SqlContactWindows(self._conn)

    @cached_property
    def undeliverable(self) -> SqlUndeliverableMessages:
        return SqlUndeliverableMessages(self._conn)

    @cached_property
    def accounts(self) -> SqlAccountRepository:
        return SqlAccountRepository(self._conn)

    @cached_property
    def prices(self) -> SqlPriceRulesStore:
        return SqlPriceRulesStore(self._conn, self._clock)

    @cached_property
    def ledger(self) -> SqlLedger:
        return SqlLedger(self._conn)

    @cached_property
    def credits(self) -> SqlGuestCredits:
        return SqlGuestCredits(self._conn)

    @cached_property
    def receipts(self) -> SqlReceipts:
        return SqlReceipts(self._conn)

    @cached_property
    def cabin_texts(self) -> SqlCabinTexts:
        return SqlCabinTexts(self._conn)

    @cached_property
    def schedule(self) -> SqlMessageSchedule:
        return SqlMessageSchedule(self._conn)

    @cached_property
    def opt_outs(self) -> SqlOptOuts:
        return SqlOptOuts(self._conn)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._conn.in_transaction():  # none after commit(), or if nothing began one
                await self._conn.rollback()
        except (DBAPIError, asyncpg.InterfaceError, OSError):
            # The connection is already gone; the original error says more.
            if exc is None:
                raise
        if exc is not None and not isinstance(exc, Exception):
            # Cancelled mid-statement (a timeout, a shutdown): a BEGIN may have reached the
            # server without asyncpg or SQLAlchemy recording it, so the rollback above did
            # nothing. Such a session must not serve anyone again (its next BEGIN would only be
            # a savepoint, its COMMIT a release, its writes never committed).
            # (asyncpg may not even know yet: it learns the session's state from the server's
            # next message.) So the connection is replaced whatever it looks like now.
            await self._discard()
            return
        if isinstance(exc, (*_UNAVAILABLE, StorageUnavailable)):
            # SQLAlchemy discards a connection it saw fail; one that failed under a statement
            # run on asyncpg directly must not go back to the pool for the next request either.
            await self._discard()
            if isinstance(exc, StorageUnavailable):
                return
            raise StorageUnavailable("the database is unavailable") from exc
        if isinstance(exc, (DBAPIError, asyncpg.PostgresError)):
            raise translate(exc) from exc

    async def _discard(self) -> None:
        with contextlib.suppress(Exception):
            await self._conn.invalidate()
        if self._conn.in_transaction():  # lets SQLAlchemy reconnect on this object's next use
            with contextlib.suppress(Exception):
                await self._conn.rollback()

    # Checked first: each call into SQLAlchemy's async layer costs a greenlet switch, and a
    # hold written alone (or a plain read) never began a transaction.
    async def commit(self) -> None:
        if self._conn.in_transaction():
            await self._conn.commit()

    async def rollback(self) -> None:
        if self._conn.in_transaction():
            await self._conn.rollback()


class SqlTransactions:
    """``Transactions``: each unit of work on a pooled connection of its own, returned to the
    pool as soon as its block ends."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def __call__(self) -> contextlib.AbstractAsyncContextManager[UnitOfWork]:
        return self._open()

    @contextlib.asynccontextmanager
    async def _open(self) -> AsyncIterator[UnitOfWork]:
        async with checkout(self._engine) as conn, SqlUnitOfWork(conn, self._clock) as uow:
            # The protocol's repositories are plain attributes (invariant for mypy); the SQL
            # ones are the same shape.
            yield cast(UnitOfWork, uow)
