"""A booking with two Mercado Pago payments: a refund's key, once it went to Mercado Pago for
one of them, never goes to the other (were Mercado Pago's keys per payment, that would be a
second real refund)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from application.errors import IntegrationError
from application.payments.ledger import LedgerView
from application.payments.refunds import IssueRefund
from application.ports.payments import RefundMade, RefundRequest
from domain.money import Money
from domain.payments.errors import MoneyReferenceReused, UnrecordedRefundFound
from domain.payments.payment import Payment
from tests.unit.application.fakes import FakeGateway, FakeUnitOfWork, FixedClock
from tests.unit.application.payments.test_money_to_return import (
    CODE,
    OWNER,
    TERMS,
    mercadopago,
    notify,
    setup,
)


class KeysPerPayment(FakeGateway):
    """Mercado Pago if its idempotency keys are known per payment: the same key sent to
    another payment makes a new refund there. ``lose_next_answer``: the refund is made and
    its answer lost on the way."""

    def __init__(self) -> None:
        super().__init__()
        self.lose_next_answer = False
        self.asked: list[RefundRequest] = []  # every POST, new refund or not

    async def refund(self, request: RefundRequest) -> RefundMade:
        self.asked.append(request)
        scoped = replace(request, idempotency_key=f"{request.payment_id}/{request.idempotency_key}")
        made = await super().refund(scoped)
        if self.lose_next_answer:
            self.lose_next_answer = False
            raise IntegrationError("Mercado Pago answered 500", retryable=True)
        return made


async def paid_twice() -> tuple[FakeUnitOfWork, FixedClock, KeysPerPayment]:
    """Deposit 90.000 paid through Mercado Pago twice (901 confirmed it; 902 is a second
    deposit, flagged to give back): both in the ledger, each with all of it to refund."""
    uow, clock = setup()
    gateway = KeysPerPayment()
    for pid in ("901", "902"):
        mercadopago(gateway, pid, 90_000, clock)
        await notify(uow, clock, gateway, pid)
    ledger = await uow.ledger.load(uow.reservations.committed[CODE], TERMS)
    assert [p.reference for p in ledger.payments] == ["mp:901", "mp:902"]
    return uow, clock, gateway


async def issue(
    uow: FakeUnitOfWork, clock: FixedClock, gateway: FakeGateway, pesos: int, key: str
) -> LedgerView:
    return await IssueRefund(uow, clock, gateway, TERMS, uow)(
        CODE, pesos * 100, True, None, OWNER, key
    )


async def refunds(uow: FakeUnitOfWork) -> list[tuple[str, int]]:
    ledger = await uow.ledger.load(uow.reservations.committed[CODE], TERMS)
    return [(r.reference.split(":")[0], r.amount.cents // 100) for r in ledger.refunds]


async def test_a_retried_key_goes_to_its_first_payment_even_once_that_one_is_all_refunded() -> None:
    uow, clock, gateway = await paid_twice()
    gateway.lose_next_answer = True
    with pytest.raises(IntegrationError):  # 901 refunded in full; the answer lost
        await issue(uow, clock, gateway, 90_000, "refund-key-whole")
    assert [r.payment_id for r in gateway.refunds] == ["901"]
    await notify(uow, clock, gateway, "901")  # its notification records it: 901 has 0 left
    assert await refunds(uow) == [("mp-refund", 90_000)]
    again = await issue(uow, clock, gateway, 90_000, "refund-key-whole")  # the same request
    assert not again.recorded  # Mercado Pago answered the key with the refund it made
    assert [r.payment_id for r in gateway.asked] == ["901", "901"]
    assert [r.payment_id for r in gateway.refunds] == ["901"]  # 902 untouched
    assert await refunds(uow) == [("mp-refund", 90_000)]


async def test_a_key_that_asked_for_another_amount_is_refused_before_asking_anything() -> None:
    uow, clock, gateway = await paid_twice()
    gateway.lose_next_answer = True
    with pytest.raises(IntegrationError):
        await issue(uow, clock, gateway, 20_000, "refund-key-other")
    await notify(uow, clock, gateway, "901")
    with pytest.raises(MoneyReferenceReused):
        await issue(uow, clock, gateway, 30_000, "refund-key-other")
    assert [r.payment_id for r in gateway.asked] == ["901"]  # nothing sent the second time
    assert await refunds(uow) == [("mp-refund", 20_000)]


def panel(gateway: FakeGateway, pid: str, pesos: int) -> None:
    """A refund made in Mercado Pago's panel, its notification not come yet."""
    payment = gateway.payments[pid]
    before = payment.refunded.cents if payment.refunded else 0
    gateway.payments[pid] = replace(payment, refunded=Money(before + pesos * 100))


async def test_a_panel_refund_on_the_other_payment_stops_the_refund_and_is_recorded() -> None:
    uow, clock, gateway = await paid_twice()
    panel(gateway, "902", 30_000)
    with pytest.raises(UnrecordedRefundFound) as refused:
        await issue(uow, clock, gateway, 20_000, "refund-key-after-panel")  # from 901
    assert (refused.value.found, refused.value.recorded) == (Money.of("30000"), True)
    assert "30000.00 ARS refunded of payment 902" in refused.value.message
    assert gateway.asked == []  # nothing asked of Mercado Pago
    assert await refunds(uow) == [("mp-refund", 30_000)]
    stored = await uow.payments.get("902")
    assert stored is not None
    assert stored.payment.refunded == Money.of("30000")
    await notify(uow, clock, gateway, "902")  # the notification, late: nothing new
    assert await refunds(uow) == [("mp-refund", 30_000)]
    again = await issue(uow, clock, gateway, 20_000, "refund-key-after-look")  # looked: still owed
    assert again.recorded
    assert [(r.payment_id, r.amount) for r in gateway.asked] == [("901", Money.of("20000"))]
    assert await refunds(uow) == [("mp-refund", 30_000), ("refund", 20_000)]


async def test_a_retry_is_refused_too_when_the_other_payment_has_a_refund_it_cannot_explain() -> (
    None
):
    uow, clock, gateway = await paid_twice()
    gateway.lose_next_answer = True
    with pytest.raises(IntegrationError):  # 20.000 of 901 made; the answer lost
        await issue(uow, clock, gateway, 20_000, "refund-key-retried")
    panel(gateway, "902", 5_000)
    with pytest.raises(UnrecordedRefundFound) as refused:
        await issue(uow, clock, gateway, 20_000, "refund-key-retried")
    assert refused.value.found == Money.of("25000")  # everything found, on both payments
    assert [r.payment_id for r in gateway.asked] == ["901"]  # the retry asked nothing
    assert sorted(await refunds(uow)) == [("mp-refund", 5_000), ("mp-refund", 20_000)]
    again = await issue(uow, clock, gateway, 20_000, "refund-key-retried")  # sent again
    assert not again.recorded  # the refund Mercado Pago made for it was recorded above
    assert len(gateway.refunds) == 1


class SlowReports(KeysPerPayment):
    """Mercado Pago answering a payment's fetch only once every payment of the booking has been
    asked for (``expected`` at once): fetched one after another, the first would never come."""

    def __init__(self, expected: int) -> None:
        super().__init__()
        self.expected = expected
        self.waiting = 0
        self.all_asked = asyncio.Event()
        self.at_once = 0  # the most fetches in flight together

    async def fetch_payment(self, payment_id: str) -> Payment | None:
        self.waiting += 1
        self.at_once = max(self.at_once, self.waiting)
        if self.waiting >= self.expected:
            self.all_asked.set()
        await self.all_asked.wait()
        self.waiting -= 1
        return await super().fetch_payment(payment_id)


async def test_the_bookings_payments_are_fetched_at_once_while_its_row_is_locked() -> None:
    uow, clock, gateway = await paid_twice()
    slow = SlowReports(expected=2)
    slow.payments = dict(gateway.payments)  # Mercado Pago's view of 901 and 902, as it was
    # A bound for a failure only: fetched one after another, the first fetch never returns.
    view = await asyncio.wait_for(issue(uow, clock, slow, 20_000, "refund-key-at-once"), 30)
    assert view.recorded
    assert slow.at_once == 2
    assert await refunds(uow) == [("refund", 20_000)]
