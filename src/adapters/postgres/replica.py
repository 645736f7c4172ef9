"""Where read-only queries go: a read replica when ``DATABASE_READ_URL`` is set, else the
primary. Anything that decides a booking never comes here (it uses the primary's unit of work).

If the replica cannot be reached, reads fall back to the primary at once and the replica is left
alone for ``cooldown_s`` before being tried again — a dead replica costs one failed connect per
cooldown, not a timeout per request. A replica lags by a moment: a read may show a night free
that was just sold; the booking itself is still refused by the primary (409).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.postgres.database import checkout
from adapters.postgres.errors import CHECKOUT_FAILED
from adapters.postgres.request_connection import RequestConnection, StatementPool

log = logging.getLogger("cabanas.db")


class ReadRouter:
    def __init__(
        self,
        primary: AsyncEngine,
        replica: AsyncEngine | None = None,
        cooldown_s: float = 30.0,
        *,
        statements: StatementPool | None = None,
    ) -> None:
        self.primary = primary
        self.replica = replica
        # With it, reads on the primary start from a ``RequestConnection``: a read that is one
        # statement (availability) takes a connection of this pool, not SQLAlchemy's.
        self._statements = statements
        self._cooldown_s = cooldown_s
        self._skip_until = 0.0

    @property
    def using_replica(self) -> bool:
        return self.replica is not None and time.monotonic() >= self._skip_until

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        conn: AsyncConnection | None = None
        if self.replica is not None and self.using_replica:
            try:
                conn = await self.replica.connect()
            except CHECKOUT_FAILED as exc:
                self._skip_until = time.monotonic() + self._cooldown_s
                log.warning(
                    "read_replica_unavailable",
                    extra={"error": type(exc).__name__, "retry_in_s": self._cooldown_s},
                )
        if conn is not None:
            try:
                yield conn
            finally:
                await conn.close()
            return
        if self._statements is None:
            async with checkout(self.primary) as primary:
                yield primary
            return
        lazy = RequestConnection(self.primary, self._statements)
        try:
            yield lazy
        finally:
            await lazy.close()
