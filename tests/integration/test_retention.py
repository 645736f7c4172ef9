"""Data retention on the real database: guest data of old stays erased, the record kept;
sent messages deleted after a month."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.unit_of_work import SqlUnitOfWork
from application.operations.maintenance import (
    AnonymizeOldGuests,
    PurgeIdempotencyKeys,
    RetentionPolicy,
)
from application.ports.outbox import WhatsAppMessage
from domain.messaging.service_window import whatsapp_id
from tests.integration.helpers import add_cabins
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


async def _booking(engine: AsyncEngine, code: str, check_out: date) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO reservations (code, accommodation_id, check_in, check_out, guests, "
                "guest_name, guest_phone, guest_email, notes, total_cents, deposit_cents, "
                "channel, status, created_at, updated_at) VALUES (:code, 1, :ci, :co, 2, "
                "'Juana Pérez', '+5491155551234', 'juana@example.com', 'llega tarde', 100000, "
                "30000, 'api', 'confirmed', :now, :now)"
            ),
            {"code": code, "ci": check_out - timedelta(days=2), "co": check_out, "now": NOW},
        )


async def test_guest_data_of_stays_past_the_retention_is_erased_and_the_record_kept(
    engine: AsyncEngine,
) -> None:
    await add_cabins(engine, 1)
    await _booking(engine, "OLD0OLD0OLD0", date(2025, 11, 20))  # ended > 365 days ago
    await _booking(engine, "NEW0NEW0NEW0", date(2025, 12, 10))  # ended < 365 days ago
    async with engine.connect() as conn:
        use_case = AnonymizeOldGuests(
            SqlUnitOfWork(conn, FixedClock(NOW)), FixedClock(NOW), RetentionPolicy(365)
        )
        assert await use_case() == 1
        assert await use_case() == 0  # idempotent
    async with engine.connect() as conn:
        rows = {
            r.code: r
            for r in await conn.execute(
                text(
                    "SELECT code, guest_name, guest_phone, guest_email, notes, total_cents, "
                    "anonymized_at FROM reservations"
                )
            )
        }
    old, new = rows["OLD0OLD0OLD0"], rows["NEW0NEW0NEW0"]
    assert (old.guest_name, old.guest_phone, old.guest_email, old.notes) == (
        "Anonimizado",
        "-",
        None,
        None,
    )
    assert old.total_cents == 100000
    assert old.anonymized_at == NOW
    assert (new.guest_name, new.guest_email) == ("Juana Pérez", "juana@example.com")


async def test_finished_outbox_rows_are_deleted_after_a_month(engine: AsyncEngine) -> None:
    async with engine.connect() as conn, SqlUnitOfWork(conn, FixedClock(NOW)) as uow:
        for when in (NOW - timedelta(days=31), NOW - timedelta(days=1)):
            await uow.outbox.put(WhatsAppMessage("+54911", "x"), when)
        # still pending: never deleted, however old
        await uow.outbox.put(WhatsAppMessage("+54911", "y"), NOW - timedelta(days=60))
        await conn.execute(text("UPDATE outbox SET status = 'sent' WHERE payload->>'text' = 'x'"))
        await uow.commit()
    async with engine.connect() as conn:
        await PurgeIdempotencyKeys(SqlUnitOfWork(conn, FixedClock(NOW)), FixedClock(NOW))()
        left = (await conn.execute(text("SELECT status, created_at FROM outbox ORDER BY id"))).all()
    assert [(s, c) for s, c in left] == [
        ("sent", NOW - timedelta(days=1)),
        ("pending", NOW - timedelta(days=60)),
    ]


async def _opted_out(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        found = await conn.execute(text("SELECT whatsapp_id FROM message_opt_outs ORDER BY 1"))
        return [row[0] for row in found]


async def test_an_opt_out_goes_with_the_last_booking_that_carried_its_number(
    engine: AsyncEngine,
) -> None:
    """A number that replied BAJA is personal data: it is kept while a booking still carries
    the number (else the guest's choice would be forgotten while we can still write to them),
    and erased with it, ``PII_RETENTION_DAYS`` after the stay — or that long after the opt-out
    when no booking ever had the number."""
    await add_cabins(engine, 1)
    await _booking(engine, "OLD0OLD0OLD0", date(2025, 11, 20))  # +5491155551234, erased now
    await _booking(engine, "NEW0NEW0NEW0", date(2025, 12, 10))  # same number, kept
    long_ago = NOW - timedelta(days=400)
    async with engine.connect() as conn:
        uow = SqlUnitOfWork(conn, FixedClock(NOW))
        async with uow:
            await uow.opt_outs.opt_out(whatsapp_id("5491155551234"), long_ago)  # the guest's
            await uow.opt_outs.opt_out(whatsapp_id("+34 612 345 678"), long_ago)  # chatted only
            await uow.opt_outs.opt_out(whatsapp_id("+5493815550000"), NOW - timedelta(days=3))
            await uow.commit()
        retention = RetentionPolicy(365)
        assert await AnonymizeOldGuests(uow, FixedClock(NOW), retention)() == 1
        assert await _opted_out(engine) == ["541155551234", "543815550000"]
        # A year on, the newer stay's data is erased too, and the opt-out with it.
        later = FixedClock(NOW + timedelta(days=366))
        assert await AnonymizeOldGuests(uow, later, retention)() == 1
        assert await _opted_out(engine) == []
        async with uow:
            assert not await uow.opt_outs.opted_out("541155551234")
