"""Receipts against the real PostgreSQL: stored once per media id, decided once, and deleted
with the booking's personal data when it is anonymised (retention)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.postgres.tables import booking_receipts
from adapters.postgres.unit_of_work import SqlUnitOfWork
from domain.payments.receipts import Receipt, ReceiptStatus
from domain.stay import Stay
from tests.integration.helpers import add_cabins, new_hold

pytestmark = pytest.mark.db

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
PDF = b"%PDF-1.7\n" + bytes(range(256))


async def test_a_receipt_is_kept_once_decided_once_and_goes_with_anonymisation(
    engine: AsyncEngine,
) -> None:
    [cabin] = await add_cabins(engine, 1)
    hold = new_hold(cabin, Stay(date(2026, 12, 10), date(2026, 12, 12)), NOW, minutes=24 * 60)
    receipt = Receipt(hold.code.value, "998877", "application/pdf", PDF, NOW)
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        basis = await uow.accommodations.get(cabin)
        assert basis is not None
        await uow.reservations.add_hold(hold, NOW, basis)
        first = await uow.receipts.add(receipt)
        again = await uow.receipts.add(receipt)
        await uow.commit()
    assert first.id == again.id
    assert first.content == PDF
    assert first.sha256 == receipt.sha256
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        [queued] = await uow.receipts.pending(10)
        assert (queued.reservation_code, queued.size) == (hold.code.value, len(PDF))
        assert first.id is not None
        assert await uow.receipts.decide(first.id, ReceiptStatus.REJECTED, "o@x", NOW)
        assert not await uow.receipts.decide(first.id, ReceiptStatus.APPROVED, "o@x", NOW)
        await uow.commit()
        assert await uow.receipts.pending(10) == []
    later = NOW + timedelta(days=400)
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        assert await uow.reservations.anonymize_ended_before(date(2027, 12, 1), later, 10) == 1
        await uow.commit()
    async with engine.connect() as conn:
        left = (await conn.execute(select(func.count()).select_from(booking_receipts))).scalar()
    assert left == 0
