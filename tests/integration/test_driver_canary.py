"""The driver against a real connection: the names tests/unit/adapters/test_driver_canary.py
checks by shape lead to the pooled asyncpg connection and to SQLAlchemy's own transaction."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.driver import Driver

pytestmark = pytest.mark.db


async def test_the_driver_reaches_the_same_asyncpg_connection_and_transaction(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as conn:
        driver = Driver(conn)
        plain = await driver.plain()
        assert isinstance(plain, asyncpg.Connection)
        assert conn.sync_connection is not None
        adapted = conn.sync_connection._dbapi_connection.dbapi_connection  # type: ignore[union-attr]
        assert isinstance(adapted, AsyncAdapt_asyncpg_connection)
        assert adapted._transaction is None
        assert not plain.is_in_transaction()
        assert await driver.transactional() is plain
        assert conn.in_transaction()
        assert plain.is_in_transaction()
        await plain.execute("CREATE TEMP TABLE canary (x int)")
        await conn.rollback()  # SQLAlchemy's rollback ends the transaction the driver began
        assert not plain.is_in_transaction()
        assert await plain.fetchval("SELECT to_regclass('pg_temp.canary')") is None
