"""Payment notifications applied out of order never let an older state win."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.postgres.unit_of_work import SqlUnitOfWork
from application.payments.apply_payment import ApplyPayment
from domain.money import Money
from domain.payments.payment import Action, Payment, PaymentStatus
from tests.integration.test_outbox_and_keys import NoMetrics
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def state(status: str, minutes: int) -> Payment:
    return Payment(
        "42", PaymentStatus(status), Money(1000), None, updated_at=NOW + timedelta(minutes=minutes)
    )


async def test_an_older_state_never_overwrites_a_newer_one(engine: AsyncEngine) -> None:
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        for payment in (state("refunded", 10), state("approved", 5)):
            await uow.payments.save(
                payment, NOW, reservation_code=None, attention=None, attention_reason=None
            )
        stored = await uow.payments.get("42")
    assert stored is not None
    assert stored.payment.status is PaymentStatus.REFUNDED


class OneAnswer:
    def __init__(self, payment: Payment) -> None:
        self.payment = payment

    async def fetch_payment(self, payment_id: str) -> Payment:
        return self.payment


async def test_a_stale_fetch_decides_nothing(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        uow = SqlUnitOfWork(conn, SystemClock())
        async with uow:
            await uow.payments.save(
                state("refunded", 10),
                NOW,
                reservation_code=None,
                attention=None,
                attention_reason=None,
            )
            apply = ApplyPayment(uow, OneAnswer(state("approved", 5)), FixedClock(NOW), NoMetrics())  # type: ignore[arg-type]
            result = await apply("42")
            await uow.commit()
    assert result.decision.action is Action.RECORD
    assert result.decision.reason == "stale fetch"
