"""A charged-back payment (the buyer's bank took the money back) whose report has refunds the
ledger does not count: they are not stored as counted without a ledger entry, and a refund asked
meanwhile is refused saying the payment has a chargeback - never that it records itself once
the payment is approved again."""

from __future__ import annotations

import pytest

from application.payments.refunds import IssueRefund
from domain.money import Money
from domain.payments.errors import FoundOutcome, UnrecordedRefundFound
from domain.payments.payment import PaymentStatus
from tests.unit.application.fakes import FakeGateway, FakeUnitOfWork, FixedClock
from tests.unit.application.payments.test_money_to_return import CODE, OWNER, TERMS, notify
from tests.unit.application.payments.test_refund_in_mediation import disputed_with_a_refund
from tests.unit.application.payments.test_refund_two_payments import refunds

PID = "902"


async def charged_back_with_a_refund() -> tuple[FakeUnitOfWork, FixedClock, FakeGateway]:
    return await disputed_with_a_refund(PaymentStatus.CHARGED_BACK, PID)


async def test_a_refund_asked_on_a_charged_back_payments_booking_is_refused_each_time() -> None:
    uow, clock, gateway = await charged_back_with_a_refund()
    for key in ("refund-key-chargeback", "refund-key-chargeback-again"):
        with pytest.raises(UnrecordedRefundFound) as refused:
            await IssueRefund(uow, clock, gateway, TERMS, uow)(
                CODE, 1_000_000, True, None, OWNER, key
            )
        assert (refused.value.found, refused.value.recorded) == (Money.of("20000"), False)
        [outcome] = refused.value.outcomes
        assert (outcome.payment_id, outcome.outcome) == (PID, FoundOutcome.CHARGED_BACK)
        assert "charged_back" in refused.value.message
        assert "approved or refunded again" not in refused.value.message
        stored = await uow.payments.get(PID)
        assert stored is not None
        assert stored.payment.refunded is None  # not counted without a ledger entry
    assert gateway.refunds == []
    assert await refunds(uow) == []


async def test_its_notification_stores_no_refund_as_counted() -> None:
    uow, clock, gateway = await charged_back_with_a_refund()
    await notify(uow, clock, gateway, PID)
    assert await refunds(uow) == []
    stored = await uow.payments.get(PID)
    assert stored is not None
    assert stored.payment.refunded is None
