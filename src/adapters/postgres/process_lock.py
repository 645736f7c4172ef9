"""The sync process announces itself in PostgreSQL: a session advisory lock, held on a
connection of its own for as long as the process runs (the server releases it when that
connection ends, however the process dies). `cabanas restore` refuses while anyone holds it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from adapters.postgres.database import make_engine

# One bigint key (below 2**31, so pg_locks shows it as classid 0, objid KEY, objsubid 1).
SYNC_PROCESS_LOCK = 0x63616273  # "cabs"
SYNC_APPLICATION_NAME = "cabanas-sync"

log = logging.getLogger("cabanas.sync")


@asynccontextmanager
async def sync_process_lock(database_url: str) -> AsyncIterator[bool]:
    """Yields whether the lock is ours. Another sync process holding it, or a database that
    cannot be reached now, is logged and not fatal: the duties have their own locks and retries,
    and `cabanas restore` also refuses while any client is connected."""
    engine = make_engine(database_url, pool_size=1, application_name=SYNC_APPLICATION_NAME)
    try:
        try:
            conn = await engine.connect()
        except Exception as exc:
            log.warning("sync_process_lock_unavailable", extra={"error": type(exc).__name__})
            yield False
            return
        try:
            held = bool(
                await conn.scalar(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": SYNC_PROCESS_LOCK}
                )
            )
            await conn.commit()  # the lock is the session's: it outlives this transaction
            if not held:
                log.warning("sync_process_lock_held_elsewhere")
            yield held
        finally:
            await conn.close()  # ends the session, and with it the lock
    finally:
        await engine.dispose()
