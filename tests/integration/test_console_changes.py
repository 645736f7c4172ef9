"""The calendar's change count (migration 0024, ``SqlBackOfficeReads.calendar_changes``): it
grows with every committed write that changed a row of what the calendar is drawn from, from
any connection, and not with reads, statements that changed nothing, rolled-back writes or
writes elsewhere."""

from __future__ import annotations

from datetime import UTC, date, datetime

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


async def changes(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return await SqlBackOfficeReads(conn).calendar_changes()


async def run(engine: AsyncEngine, statement: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(statement))


async def test_every_committed_write_to_the_calendars_tables_counts(engine: AsyncEngine) -> None:
    before = await changes(engine)
    [cabin] = await add_cabins(engine, 1)
    after_cabin = await changes(engine)
    assert after_cabin > before

    async with engine.connect() as conn:
        uow = SqlUnitOfWork(conn, SystemClock())
        async with uow:
            basis = await uow.accommodations.get(cabin)
            assert basis is not None
            hold = new_hold(cabin, Stay(date(2026, 12, 18), date(2026, 12, 21)), NOW)
            await uow.reservations.add_hold(hold, NOW, basis)
            await uow.commit()
    after_hold = await changes(engine)
    assert after_hold > after_cabin

    await run(engine, "UPDATE reservations SET guest_name = 'Otra' WHERE TRUE")
    after_update = await changes(engine)
    assert after_update > after_hold

    await run(engine, f"UPDATE accommodations SET name = 'Renombrada' WHERE id = {cabin}")
    after_rename = await changes(engine)
    assert after_rename > after_update

    await run(engine, "DELETE FROM reservations")
    assert await changes(engine) > after_rename


async def test_reads_rollbacks_and_other_tables_do_not_count(engine: AsyncEngine) -> None:
    await add_cabins(engine, 1)
    before = await changes(engine)
    await run(engine, "SELECT count(*) FROM reservations")
    await run(engine, "UPDATE reservations SET status = 'expired' WHERE FALSE")  # no row
    await run(engine, "DELETE FROM ical_conflicts")  # none there
    await run(engine, "INSERT INTO message_opt_outs VALUES ('5491100000000', now())")
    async with engine.connect() as conn:
        await conn.execute(text("UPDATE accommodations SET name = 'No' WHERE TRUE"))
        await conn.rollback()
    assert await changes(engine) == before


async def test_a_write_not_yet_committed_is_not_counted_by_others(engine: AsyncEngine) -> None:
    await add_cabins(engine, 1)
    before = await changes(engine)
    async with engine.connect() as writer:
        await writer.execute(text("UPDATE accommodations SET name = 'Pronto' WHERE TRUE"))
        assert await changes(engine) == before  # another connection: not visible yet
        await writer.commit()
    assert await changes(engine) > before


async def test_emptying_a_table_counts(engine: AsyncEngine) -> None:
    before = await changes(engine)
    await run(engine, "TRUNCATE ical_conflicts")
    assert await changes(engine) > before
