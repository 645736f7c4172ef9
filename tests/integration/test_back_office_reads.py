"""The console's read model on PostgreSQL (``SqlBackOfficeReads``, straight on asyncpg): live
holds soonest to lapse with how many there are, failed messages newest first with their count,
cabins' names, a window's rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.postgres.back_office import SqlBackOfficeReads
from adapters.postgres.unit_of_work import SqlUnitOfWork
from domain.stay import Stay
from tests.integration.helpers import add_cabins, new_hold

pytestmark = pytest.mark.db

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


async def hold(engine: AsyncEngine, cabin: int, day: int, minutes: int) -> str:
    reservation = new_hold(
        cabin, Stay(date(2026, 12, day), date(2026, 12, day + 2)), NOW, minutes=minutes
    )
    async with engine.connect() as conn:
        uow = SqlUnitOfWork(conn, SystemClock())
        async with uow:
            basis = await uow.accommodations.get(cabin)
            assert basis is not None
            await uow.reservations.add_hold(reservation, NOW, basis)
            await uow.commit()
    return reservation.code.value


async def test_live_holds_window_rows_and_names(engine: AsyncEngine) -> None:
    cabin, other = await add_cabins(engine, 2)
    late = await hold(engine, cabin, 10, minutes=50)
    soon = await hold(engine, other, 10, minutes=20)
    middle = await hold(engine, cabin, 20, minutes=40)
    async with engine.connect() as conn:
        reads = SqlBackOfficeReads(conn)
        live, shown = await reads.live_holds(NOW, 2, 10)
        assert live == 3
        assert [h.code for h in shown] == [soon, middle]
        assert (await reads.live_holds(NOW + timedelta(minutes=45), 5, 10))[0] == 1
        assert await reads.live_holds(NOW + timedelta(hours=1), 5, 10) == (0, [])
        # The count stops where it is told to; the soonest are listed all the same.
        live, shown = await reads.live_holds(NOW, 3, 2)
        assert live == 2
        assert [h.code for h in shown] == [soon, middle, late]

        rows = await reads.items_between(date(2026, 12, 1), date(2026, 12, 15), NOW)
        assert [(r.accommodation_id, r.code) for r in rows] == [(cabin, late), (other, soon)]
        assert rows[0].guest_name == "Juana Pérez"
        assert rows[0].status == "pre_reserved"
        assert rows[0].expires_at == NOW + timedelta(minutes=50)

        names = await reads.cabin_names()
        assert set(names) == {cabin, other}
        assert names[cabin].startswith("Cabaña")


async def test_failed_messages_are_counted_and_the_newest_listed(engine: AsyncEngine) -> None:
    """The open undeliverable notifications: counted and the newest listed in one statement;
    a resolved one (retried or dismissed by the owner) is neither."""
    async with engine.connect() as conn:
        assert await SqlBackOfficeReads(conn).failed_messages(2) == (0, [])
    async with engine.begin() as conn:
        for n, resolved in enumerate((False, True, False, False, True)):
            await conn.execute(
                text(
                    "INSERT INTO undeliverable_messages (group_key, topic, recipient, "
                    "reservation_code, errors, failed_at, resolved_at, resolution) "
                    "VALUES (:key, :topic, 'guest', :code, 'error 131047', :at, :resolved_at, "
                    ":resolution)"
                ),
                {
                    "key": f"group-{n}",
                    "topic": f"topic.{n}",
                    "code": f"CODE{n}",
                    "at": NOW + timedelta(minutes=n),
                    "resolved_at": NOW + timedelta(hours=1) if resolved else None,
                    "resolution": "dismissed" if resolved else None,
                },
            )
    async with engine.connect() as conn:
        count, newest = await SqlBackOfficeReads(conn).failed_messages(2)
    assert count == 3
    assert [(m.kind, m.created_at, m.reservation) for m in newest] == [
        ("topic.3", NOW + timedelta(minutes=3), "CODE3"),
        ("topic.2", NOW + timedelta(minutes=2), "CODE2"),
    ]
