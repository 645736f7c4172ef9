"""Each number's last inbound message on the real PostgreSQL: out-of-order deliveries never
move it back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.postgres.unit_of_work import SqlUnitOfWork
from application.operations.maintenance import PurgeIdempotencyKeys
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


async def test_the_latest_inbound_message_is_kept(engine: AsyncEngine) -> None:
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        assert await uow.contacts.last_inbound("541155551234") is None
        await uow.contacts.note_inbound("541155551234", NOW)
        await uow.contacts.note_inbound("541155551234", NOW - timedelta(hours=5))  # late
        await uow.contacts.note_inbound("542944000111", NOW - timedelta(days=7))
        await uow.commit()
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        assert await uow.contacts.last_inbound("541155551234") == NOW
        assert await uow.contacts.last_inbound("542944000111") == NOW - timedelta(days=7)


async def test_numbers_are_forgotten_a_month_after_they_last_wrote(engine: AsyncEngine) -> None:
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        await uow.contacts.note_inbound("541155551234", NOW - timedelta(days=31))
        await uow.contacts.note_inbound("542944000111", NOW - timedelta(days=29))
        await uow.commit()
    async with engine.connect() as conn:
        await PurgeIdempotencyKeys(SqlUnitOfWork(conn, SystemClock()), FixedClock(NOW))()
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        assert await uow.contacts.last_inbound("541155551234") is None
        assert await uow.contacts.last_inbound("542944000111") is not None
