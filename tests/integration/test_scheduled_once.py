"""Each scheduled message is queued once, against real PostgreSQL: two workers at the same
moment (the second waits on the first's claim, then finds it taken), many at once, a restart,
and a pass that dies before committing."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.clock import SystemClock
from adapters.postgres.database import make_engine
from adapters.postgres.schedule import SqlMessageSchedule
from adapters.postgres.tables import booking_money, reservations
from adapters.postgres.unit_of_work import SqlUnitOfWork
from application.messaging.balance_reminders import RemindBalancesDue
from application.messaging.daily_summary import SendDailySummary, SummarySetup
from application.messaging.dispatch_outbox import OutboxSetup
from application.messaging.stay_messages import SendStayMessages
from domain.calendar import ARGENTINA
from domain.messaging.cabin_texts import CabinTexts
from domain.messaging.schedule import ScheduleRules
from tests.integration.helpers import add_cabins
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
RULES = ScheduleRules()
OWNER = OutboxSetup(admin_phone="5492944000111", owner_email="duena@cabanas.test")
TEXTS = CabinTexts(address="Ruta 40 km 2010", review_url="https://g.page/r/lago/review")


def art(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=ARGENTINA)


async def book(
    engine: AsyncEngine,
    cabin: int,
    code: str,
    check_in: date,
    check_out: date,
    *,
    status: str = "confirmed",
    kind: str = "booking",
    deposit_paid: bool = False,
) -> None:
    """A reservation row as an older release left it; ``deposit_paid``: with its deposit in
    the ledger, as confirming records it (without, what it owes is unknown)."""
    now = datetime(2026, 12, 1, 15, tzinfo=UTC)
    values: dict[str, Any] = {
        "code": code,
        "accommodation_id": cabin,
        "check_in": check_in,
        "check_out": check_out,
        "guests": 2,
        "guest_name": "Juana Pérez" if kind == "booking" else None,
        "guest_phone": "+5491155551234" if kind == "booking" else None,
        "guest_email": "juana@example.com" if kind == "booking" else None,
        "total_cents": 300_000_00,
        "deposit_cents": 90_000_00,
        "channel": "api" if kind == "booking" else "airbnb",
        "status": status,
        "expires_at": art(30, 12) if status == "pre_reserved" else None,
        "created_at": now,
        "updated_at": now,
        "kind": kind,
    }
    async with engine.begin() as conn:
        booking_id = (
            await conn.execute(insert(reservations).returning(reservations.c.id), values)
        ).scalar_one()
        if deposit_paid:
            deposit = {
                "reservation_id": booking_id,
                "direction": "payment",
                "reference": f"mp:{code}",
                "method": "mercadopago",
                "amount_cents": 90_000_00,
                "currency": "ARS",
                "on_date": now.date(),
                "recorded_by": "mercadopago",
                "recorded_at": now,
                "covers": "deposit",
            }
            await conn.execute(insert(booking_money), deposit)


async def save_texts(engine: AsyncEngine, cabin: int) -> None:
    async with engine.connect() as conn:
        uow = SqlUnitOfWork(conn, SystemClock())
        async with uow:
            await uow.cabin_texts.save(cabin, TEXTS, art(1, 12))
            await uow.commit()


async def scalar(engine: AsyncEngine, sql: str) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(text(sql))).scalar()


async def lock_waits(watcher: AsyncConnection) -> int:
    # Statistics views are a snapshot per transaction: end it before looking again.
    found = await watcher.execute(
        text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
    )
    waits = int(found.scalar_one())
    await watcher.rollback()
    return waits


async def test_a_second_worker_waits_on_the_first_ones_claim_and_then_queues_nothing(
    engine: AsyncEngine,
) -> None:
    [cabin] = await add_cabins(engine, 1)
    await book(engine, cabin, "7K3M9QXD2F10", date(2026, 12, 18), date(2026, 12, 21))
    await save_texts(engine, cabin)
    clock = FixedClock(art(16, 10))
    claimed, release = asyncio.Event(), asyncio.Event()

    class PausedAfterClaiming(SqlMessageSchedule):
        async def claim(self, key: str, kind: str, reservation: str | None, now: datetime) -> bool:
            won = await super().claim(key, kind, reservation, now)
            claimed.set()
            await release.wait()  # uncommitted: the other worker's claim must wait for it
            return won

    async with engine.connect() as c1, engine.connect() as c2, engine.connect() as watcher:
        first_uow, second_uow = SqlUnitOfWork(c1, SystemClock()), SqlUnitOfWork(c2, SystemClock())
        first_uow.schedule = PausedAfterClaiming(c1)
        first = asyncio.create_task(SendStayMessages(first_uow, clock, RULES)())
        await asyncio.wait_for(claimed.wait(), 10)
        second = asyncio.create_task(SendStayMessages(second_uow, clock, RULES)())
        async with asyncio.timeout(10):
            while await lock_waits(watcher) == 0:
                assert not second.done(), second
                await asyncio.sleep(0.01)
        release.set()
        results = await asyncio.gather(first, second)
    assert results == [1, 0]
    assert await scalar(engine, "SELECT count(*) FROM scheduled_messages") == 1
    assert await scalar(engine, "SELECT count(*) FROM outbox") == 2  # WhatsApp and e-mail
    assert await scalar(engine, "SELECT count(DISTINCT group_key) FROM outbox") == 1


async def test_many_workers_at_once_queue_every_due_message_exactly_once(
    engine: AsyncEngine,
) -> None:
    cabins = await add_cabins(engine, 3)
    for cabin in cabins:
        await save_texts(engine, cabin)
    # On the 10th at 10:00: an arrival on the 12th (pre-arrival and balance), one on the 15th
    # (balance), a departure yesterday (thank-you), and the owner's summary.
    for cabin, code, check_in, check_out in (
        (cabins[0], "AAAAAAAAAAAA", date(2026, 12, 12), date(2026, 12, 14)),
        (cabins[1], "BBBBBBBBBBBB", date(2026, 12, 15), date(2026, 12, 17)),
        (cabins[2], "CCCCCCCCCCCC", date(2026, 12, 6), date(2026, 12, 9)),
    ):
        await book(engine, cabin, code, check_in, check_out, deposit_paid=True)
    # Neither a hold, a cancelled booking nor another channel's stay gets anything.
    await book(
        engine,
        cabins[2],
        "DDDDDDDDDDDD",
        date(2026, 12, 12),
        date(2026, 12, 13),
        status="pre_reserved",
    )
    await book(
        engine,
        cabins[1],
        "EEEEEEEEEEEE",
        date(2026, 12, 12),
        date(2026, 12, 13),
        status="cancelled",
    )
    await book(
        engine, cabins[2], "FFFFFFFFFFFF", date(2026, 12, 20), date(2026, 12, 22), kind="external"
    )
    clock = FixedClock(art(10, 10))

    async def worker() -> int:
        async with engine.connect() as conn:
            uow = SqlUnitOfWork(conn, SystemClock())
            return (
                await SendStayMessages(uow, clock, RULES)()
                + await RemindBalancesDue(uow, clock, RULES)()
                + await SendDailySummary(uow, clock, RULES, OWNER, SummarySetup())()
            )

    results = await asyncio.gather(*(worker() for _ in range(4)))
    assert sum(results) == 5  # pre-arrival A, balance A and B, thank-you C, the summary
    claims = await scalar(
        engine, "SELECT string_agg(key, ' ' ORDER BY key) FROM scheduled_messages"
    )
    assert claims.split() == [
        "scheduled:balance_reminder:AAAAAAAAAAAA",
        "scheduled:balance_reminder:BBBBBBBBBBBB",
        "scheduled:daily_summary:2026-12-10",
        "scheduled:pre_arrival:AAAAAAAAAAAA",
        "scheduled:thank_you:CCCCCCCCCCCC",
    ]
    assert await scalar(engine, "SELECT count(DISTINCT group_key) FROM outbox") == 5
    assert await scalar(engine, "SELECT count(*) FROM outbox") == 10  # each by WhatsApp and mail


async def test_a_restarted_worker_sends_nothing_again_even_with_the_outbox_purged(
    database_url: str,
) -> None:
    clock = FixedClock(art(16, 10))

    async def one_process() -> int:
        engine = make_engine(database_url, pool_size=1)  # a process of its own, then gone
        try:
            async with engine.connect() as conn:
                uow = SqlUnitOfWork(conn, SystemClock())
                return (
                    await SendStayMessages(uow, clock, RULES)()
                    + await SendDailySummary(uow, clock, RULES, OWNER, SummarySetup())()
                )
        finally:
            await engine.dispose()

    setup = make_engine(database_url, pool_size=1)
    try:
        [cabin] = await add_cabins(setup, 1)
        await book(setup, cabin, "7K3M9QXD2F10", date(2026, 12, 18), date(2026, 12, 21))
        await save_texts(setup, cabin)
        assert await one_process() == 2  # the pre-arrival and the day's summary
        for later in (art(16, 10), art(16, 20), art(17, 12), art(18, 10)):
            clock.current = later
            assert await one_process() == (1 if later.day != 16 else 0)  # only new summaries
        async with setup.begin() as conn:  # sent rows are purged after 30 days
            await conn.execute(text("DELETE FROM outbox"))
        clock.current = art(18, 21)
        assert await one_process() == 0
        assert await scalar(setup, "SELECT count(*) FROM outbox") == 0
    finally:
        await setup.dispose()


async def test_a_claim_is_kept_only_with_its_transaction_and_forgotten_after_its_time(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as conn:
        uow = SqlUnitOfWork(conn, SystemClock())
        async with uow:
            assert await uow.schedule.claim("scheduled:x:1", "x", None, art(1, 12))
            await uow.rollback()
        async with uow:
            assert not await uow.schedule.queued("scheduled:x:1")
            assert await uow.schedule.claim("scheduled:x:1", "x", None, art(1, 12))
            assert not await uow.schedule.claim("scheduled:x:1", "x", None, art(1, 12))
            await uow.commit()
        async with uow:
            assert await uow.schedule.queued("scheduled:x:1")
            assert await uow.schedule.forget_before(art(1, 12)) == 0
            assert await uow.schedule.forget_before(art(1, 13)) == 1
            await uow.commit()


async def test_the_stays_read_are_confirmed_bookings_only(engine: AsyncEngine) -> None:
    [cabin, other] = await add_cabins(engine, 2)
    await book(engine, cabin, "AAAAAAAAAAAA", date(2026, 12, 12), date(2026, 12, 14))
    await book(
        engine, other, "BBBBBBBBBBBB", date(2026, 12, 12), date(2026, 12, 13), status="pre_reserved"
    )
    await book(
        engine, other, "CCCCCCCCCCCC", date(2026, 12, 14), date(2026, 12, 16), kind="external"
    )
    async with engine.connect() as conn:
        schedule = SqlMessageSchedule(conn)
        [arriving] = await schedule.arriving(date(2026, 12, 12), date(2026, 12, 14))
        assert arriving.code.value == "AAAAAAAAAAAA"
        assert arriving.guest.email == "juana@example.com"
        assert [
            r.code.value for r in await schedule.leaving(date(2026, 12, 14), date(2026, 12, 14))
        ] == ["AAAAAAAAAAAA"]
        assert await schedule.arriving(date(2026, 12, 13), date(2026, 12, 20)) == []
        assert await schedule.live_holds(art(1, 12)) == 1
        assert await schedule.live_holds(art(30, 12)) == 0  # lapsed
