"""The hottest statements on asyncpg directly, inside the SQLAlchemy connection's transaction.

Profiling the booking path showed SQLAlchemy's execution machinery (parameter processing, the
execution context, the result wrapper, a greenlet switch per call) costing more CPU than the
asyncpg call it wraps. For the few statements every booking and availability request runs, we
compile the Core statement once at import (same SQL, same ``$n`` parameters SQLAlchemy would
send) and run it on the pooled connection's asyncpg connection.

It is the same connection and the same transaction: before a statement that must be part of
the unit of work, ``transactional()`` begins SQLAlchemy's transaction the way SQLAlchemy itself
would on its first statement, so ``commit()``/``rollback()`` of the unit of work cover both
kinds of statement, and the pool's reset-on-return still rolls back whatever was left open.
Errors keep their SQLSTATE (``adapters.postgres.errors`` reads it from either kind).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from adapters.postgres.request_connection import RequestConnection
from application.errors import StorageUnavailable

_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]


class RawStatement:
    """A Core statement compiled once for asyncpg: its SQL text and how to order its params."""

    __slots__ = ("_defaults", "_names", "sql")

    def __init__(self, stmt: ClauseElement) -> None:
        compiled = cast(SQLCompiler, stmt.compile(dialect=_DIALECT))
        self.sql: str = compiled.string
        self._names: tuple[str, ...] = tuple(compiled.positiontup or ())
        # Values baked into the statement itself (e.g. ``.values(status="expired")``).
        self._defaults: dict[str, Any] = dict(compiled.params)

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        defaults = self._defaults
        return [params[n] if n in params else defaults[n] for n in self._names]


class Driver:
    """The asyncpg connection under one SQLAlchemy ``AsyncConnection``. Looked up on every use
    (a cheap call): after an invalidation SQLAlchemy reconnects with another connection, and a
    remembered one would be the closed one."""

    __slots__ = ("_conn",)

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def _adapter(self) -> Any:
        sync = self._conn.sync_connection
        # Checked out and valid: the pooled connection is right there, no I/O (and no greenlet
        # switch) to reach it. Closed or invalidated: SQLAlchemy reconnects, in its greenlet.
        fairy = sync._dbapi_connection if sync is not None else None
        if fairy is None:
            fairy = await self._conn.get_raw_connection()
        return fairy.dbapi_connection

    async def plain(self) -> Any:
        """For a single read: inside the transaction if one is open, else on its own (on a
        request's connection not yet checked out, one from the statement pool)."""
        conn = self._conn
        if conn.sync_connection is None and isinstance(conn, RequestConnection):
            return await conn.standalone()
        return (await self._adapter())._connection

    async def for_write(self, *, alone: bool) -> Any:
        """``alone``: the write is all its unit of work does, so it needs no transaction of its
        own (it still joins one that is open)."""
        return await (self.plain() if alone else self.transactional())

    async def transactional(self) -> Any:
        """Inside the unit of work's transaction, begun now if no statement has begun it."""
        adapted = await self._adapter()
        if not self._conn.in_transaction():
            await self._conn.begin()
        if adapted._transaction is None:
            # What SQLAlchemy's asyncpg cursor does before its first statement (BEGIN, with the
            # connection's isolation level); its commit()/rollback() then end it.
            try:
                await adapted._start_transaction()
            except Exception as exc:  # only a lost connection makes BEGIN fail
                raise StorageUnavailable("the database is unavailable") from exc
            # (A cancellation here can leave the session in a transaction nobody recorded: the
            # unit of work then discards the connection instead of pooling it.)
        return adapted._connection


class Row:
    """An asyncpg record read by column name as an attribute, like SQLAlchemy's rows, for the
    mappers written for those."""

    __slots__ = ("_record",)

    def __init__(self, record: Any) -> None:
        self._record = record

    def __getattr__(self, name: str) -> Any:
        try:
            return self._record[name]
        except KeyError:
            raise AttributeError(name) from None
