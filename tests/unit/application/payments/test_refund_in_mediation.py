"""A payment in mediation (the buyer opened a dispute) whose report has refunds: the ledger does
not count them while it is, so nothing stores them as counted either — they are recorded once
Mercado Pago reports the payment approved (or refunded) again, and a refund asked meanwhile is
refused saying so, not that something was flagged."""

from __future__ import annotations

from dataclasses import replace

import pytest

from application.payments.refunds import IssueRefund
from domain.money import Money
from domain.payments.errors import UnrecordedRefundFound
from domain.payments.payment import PaymentStatus
from tests.unit.application.fakes import FakeGateway, FakeUnitOfWork, FixedClock
from tests.unit.application.payments.test_money_to_return import (
    CODE,
    OWNER,
    TERMS,
    mercadopago,
    notify,
    setup,
)
from tests.unit.application.payments.test_refund_two_payments import refunds

PID = "901"


async def disputed_with_a_refund(
    status: PaymentStatus, pid: str = PID
) -> tuple[FakeUnitOfWork, FixedClock, FakeGateway]:
    """A paid booking whose Mercado Pago payment ``pid`` is now reported in ``status`` with
    20.000 refunded that the ledger has not recorded."""
    uow, clock = setup()
    gateway = FakeGateway()
    mercadopago(gateway, pid, 90_000, clock)
    await notify(uow, clock, gateway, pid)
    gateway.payments[pid] = replace(
        gateway.payments[pid], status=status, refunded=Money.of("20000")
    )
    return uow, clock, gateway


async def in_mediation_with_a_refund() -> tuple[FakeUnitOfWork, FixedClock, FakeGateway]:
    return await disputed_with_a_refund(PaymentStatus.IN_MEDIATION)


def mediation_closed(gateway: FakeGateway) -> None:
    """Closed in the seller's favour: approved again, the refund still reported."""
    gateway.payments[PID] = replace(gateway.payments[PID], status=PaymentStatus.APPROVED)


async def test_its_notification_stores_no_refund_as_counted_and_the_approval_records_it() -> None:
    uow, clock, gateway = await in_mediation_with_a_refund()
    await notify(uow, clock, gateway, PID)
    assert await refunds(uow) == []  # not while it is in mediation
    stored = await uow.payments.get(PID)
    assert stored is not None
    assert stored.payment.status is PaymentStatus.IN_MEDIATION
    assert stored.payment.refunded is None  # not stored as counted
    mediation_closed(gateway)
    await notify(uow, clock, gateway, PID)
    assert await refunds(uow) == [("mp-refund", 20_000)]


async def test_a_refund_asked_meanwhile_is_refused_and_says_nothing_was_flagged() -> None:
    uow, clock, gateway = await in_mediation_with_a_refund()
    with pytest.raises(UnrecordedRefundFound) as refused:
        await IssueRefund(uow, clock, gateway, TERMS, uow)(
            CODE, 1_000_000, True, None, OWNER, "refund-key-mediation"
        )
    assert (refused.value.found, refused.value.recorded, refused.value.flagged) == (
        Money.of("20000"),
        False,
        False,
    )
    assert "in_mediation" in refused.value.message
    assert "flagged" not in refused.value.message
    assert gateway.refunds == []
    stored = await uow.payments.get(PID)
    assert stored is not None
    assert stored.attention is None
    assert stored.payment.refunded is None  # not stored as counted
    mediation_closed(gateway)
    await notify(uow, clock, gateway, PID)
    assert await refunds(uow) == [("mp-refund", 20_000)]
