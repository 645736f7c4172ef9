"""``latest_for_phone`` (the assistant's "mi reserva" without a code) and ``recent_for_phone``
(its "cancelar" with several bookings) on real PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.postgres.repositories import LATEST_FOR_PHONE
from adapters.postgres.unit_of_work import SqlUnitOfWork
from domain.booking.reservation import Guest, Reservation
from domain.stay import Stay
from tests.integration.helpers import add_cabins, new_hold

pytestmark = pytest.mark.db

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
PHONE = "+5491155551234"


async def _add(engine: AsyncEngine, reservation: Reservation, created: datetime) -> None:
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        basis = await uow.accommodations.get(reservation.accommodation_id)
        assert basis is not None
        await uow.reservations.add_hold(replace(reservation, created_at=created), created, basis)
        await uow.commit()


async def _latest(engine: AsyncEngine, phone: str, since: datetime) -> Reservation | None:
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        return await uow.reservations.latest_for_phone(phone, since)


async def test_the_newest_booking_of_the_phone_within_the_window(engine: AsyncEngine) -> None:
    [cabin] = await add_cabins(engine, 1)
    old = new_hold(cabin, Stay(date(2026, 12, 10), date(2026, 12, 12)), NOW, minutes=60 * 24 * 90)
    new = new_hold(cabin, Stay(date(2026, 12, 20), date(2026, 12, 22)), NOW)
    other = replace(
        new_hold(cabin, Stay(date(2026, 12, 24), date(2026, 12, 26)), NOW),
        guest=Guest("Otra Persona", "+5491100000000"),
    )
    await _add(engine, old, NOW - timedelta(days=60))
    await _add(engine, new, NOW - timedelta(minutes=5))
    await _add(engine, other, NOW)  # newer, another phone
    found = await _latest(engine, PHONE, NOW - timedelta(days=400))
    assert found is not None
    assert found.code == new.code
    assert found.guest.phone == PHONE
    assert await _latest(engine, PHONE, NOW - timedelta(minutes=1)) is None  # outside the window
    assert await _latest(engine, "+5491199999999", NOW - timedelta(days=400)) is None


async def test_the_recent_bookings_of_the_phone_newest_first(engine: AsyncEngine) -> None:
    [cabin] = await add_cabins(engine, 1)
    stays = [Stay(date(2026, 12, d), date(2026, 12, d + 2)) for d in (10, 14, 20)]
    holds = [
        new_hold(cabin, s, NOW, code=code)
        for s, code in zip(stays, ("AAAAAAAAAAAA", "BBBBBBBBBBBB", "CCCCCCCCCCCC"), strict=True)
    ]
    for minutes, hold in zip((30, 20, 10), holds, strict=True):
        await _add(engine, hold, NOW - timedelta(minutes=minutes))
    other = replace(
        new_hold(cabin, Stay(date(2026, 12, 24), date(2026, 12, 26)), NOW, code="DDDDDDDDDDDD"),
        guest=Guest("Otra Persona", "+5491100000000"),
    )
    await _add(engine, other, NOW)
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        found = await uow.reservations.recent_for_phone(PHONE, NOW - timedelta(days=1), 2)
        window = await uow.reservations.recent_for_phone(PHONE, NOW - timedelta(minutes=25), 10)
    assert [r.code.value for r in found] == ["CCCCCCCCCCCC", "BBBBBBBBBBBB"]
    assert [r.code.value for r in window] == ["CCCCCCCCCCCC", "BBBBBBBBBBBB"]


async def test_the_lookup_walks_the_created_at_index(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SET enable_seqscan = off"))  # as if the table were large
        query = LATEST_FOR_PHONE.params(p_phone=PHONE, p_since=NOW).compile(
            engine.sync_engine, compile_kwargs={"literal_binds": True}
        )
        plan = await conn.execute(text(f"EXPLAIN {query}"))
        lines = "\n".join(row[0] for row in plan)
    assert "reservations_created_at_idx" in lines
