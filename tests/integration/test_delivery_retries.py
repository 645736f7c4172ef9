"""Webhook deliveries that cannot be processed back off (1, 2, 4 … minutes, at most 2 h) and,
for payments, end in an alert to a person — never silently."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.postgres.unit_of_work import SqlUnitOfWork
from application.booking.place_hold import API_SCOPE
from application.errors import IntegrationError
from application.inbox.deliveries import MAX_DELIVERY_ATTEMPTS, ProcessDelivery
from application.operations.maintenance import ReprocessDeliveries
from application.payments.apply_payment import ApplyPayment
from application.ports.idempotency import MERCADOPAGO
from tests.integration.test_outbox_and_keys import NoMetrics
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


class DownGateway:
    async def fetch_payment(self, payment_id: str) -> None:
        raise IntegrationError("Mercado Pago answered 503", retryable=True)


async def test_a_payment_that_cannot_be_checked_backs_off_then_alerts(engine: AsyncEngine) -> None:
    clock = FixedClock(NOW)
    async with engine.connect() as conn:
        uow = SqlUnitOfWork(conn, SystemClock())
        async with uow:
            await uow.idempotency.claim(
                MERCADOPAGO, "777:req-1", NOW, payload={"payment_id": "777"}
            )
            await uow.commit()
        apply = ApplyPayment(uow, DownGateway(), clock, NoMetrics())  # type: ignore[arg-type]
        process = ProcessDelivery(uow, clock, apply, None, NoMetrics())  # type: ignore[arg-type]

        async def due(at: datetime) -> list[tuple[str, str]]:
            async with uow:
                return await uow.idempotency.unprocessed(at, at, 10)

        assert await process(MERCADOPAGO, "777:req-1") is False
        assert await due(NOW + timedelta(seconds=59)) == []  # held back a minute
        assert await due(NOW + timedelta(seconds=61)) == [(MERCADOPAGO, "777:req-1")]
        clock.current += timedelta(minutes=1)
        assert await process(MERCADOPAGO, "777:req-1") is False
        assert await due(clock.current + timedelta(seconds=119)) == []  # then two minutes
        for _ in range(MAX_DELIVERY_ATTEMPTS - 2):
            clock.current += timedelta(hours=2)
            assert await process(MERCADOPAGO, "777:req-1") is False
        alerts = (
            (
                await conn.execute(
                    text("SELECT payload->>'text' FROM outbox WHERE kind = 'admin.alert'")
                )
            )
            .scalars()
            .all()
        )
        processed = (await conn.execute(text("SELECT processed_at FROM idempotency_keys"))).scalar()
    assert processed is not None  # given up ...
    assert len(alerts) == 1
    assert "777" in alerts[0]


async def test_booking_keys_are_not_mistaken_for_deliveries(engine: AsyncEngine) -> None:
    """A booking's Idempotency-Key has no payload. It must be stored as SQL NULL: a JSON null
    passed the worker's ``payload IS NOT NULL``, so every pass took booking keys up as failed
    deliveries (``sync --once`` exited 1) and, 50 at a time, crowded real payment notifications
    out of the batch."""
    clock = FixedClock(NOW)
    async with engine.connect() as conn:
        uow = SqlUnitOfWork(conn, SystemClock())
        async with uow:
            for i in range(60):
                await uow.idempotency.claim(API_SCOPE, f"booking-{i}", NOW, fingerprint="f" * 64)
            await uow.idempotency.claim(
                MERCADOPAGO, "888:req-1", NOW + timedelta(seconds=1), payload={"payment_id": "888"}
            )
            await uow.commit()
        json_nulls = (
            await conn.execute(
                text("SELECT count(*) FROM idempotency_keys WHERE payload = 'null'::jsonb")
            )
        ).scalar()
        later = NOW + timedelta(minutes=5)
        async with uow:
            due = await uow.idempotency.unprocessed(later, later, 50)
        await conn.rollback()

        clock.current = later
        apply = ApplyPayment(uow, DownGateway(), clock, NoMetrics())  # type: ignore[arg-type]
        process = ProcessDelivery(uow, clock, apply, None, NoMetrics())  # type: ignore[arg-type]
        async with uow:
            await uow.idempotency.mark_processed(MERCADOPAGO, "888:req-1", later)
            await uow.commit()
        all_done = await ReprocessDeliveries(uow, clock, process)()

    assert json_nulls == 0
    assert due == [(MERCADOPAGO, "888:req-1")]  # the only delivery, ahead of 60 booking keys
    assert all_done is True  # booking keys are nothing to retry
