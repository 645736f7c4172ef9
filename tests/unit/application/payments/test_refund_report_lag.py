"""Mercado Pago answered our refund, but its report of the payment does not show it yet: the
refund is recorded from the answer (the owner's, under the request's key), and the payment's
notification, stale or fresh, records nothing more."""

from __future__ import annotations

from datetime import datetime

import pytest

from application.payments import provider_refunds, refund_at_provider
from application.payments import refunds as refunds_module
from application.payments.ledger import GetLedger, LedgerView
from application.payments.refund_flags import settle_refund_flags
from application.payments.refunds import IssueRefund
from application.ports.payments import RefundMade, RefundRequest
from application.ports.unit_of_work import UnitOfWork
from domain.money import Money
from domain.payments.ledger import BookingLedger
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
from tests.unit.application.payments.test_refund_two_payments import panel, refunds

PID = "901"


class LaggingReports(FakeGateway):
    """Mercado Pago whose report of a payment lags its refunds: after a refund, fetching the
    payment answers as before it until ``catch_up``. ``panel_first``: pesos refunded in the
    panel as ours arrives (the report shows that one)."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: dict[str, Payment] = {}
        self.asked: list[RefundRequest] = []
        self.panel_first: int | None = None

    async def refund(self, request: RefundRequest) -> RefundMade:
        self.asked.append(request)
        if self.panel_first is not None:
            panel(self, request.payment_id, self.panel_first)
            self.panel_first = None
        before = self.payments.get(request.payment_id)
        made = await super().refund(request)
        if before is not None:
            self.shown.setdefault(request.payment_id, before)
        return made

    async def fetch_payment(self, payment_id: str) -> Payment | None:
        self.fetches.append(payment_id)
        return self.shown.get(payment_id) or self.payments.get(payment_id)

    def catch_up(self) -> None:
        self.shown.clear()


async def paid() -> tuple[FakeUnitOfWork, FixedClock, LaggingReports]:
    uow, clock = setup()
    gateway = LaggingReports()
    mercadopago(gateway, PID, 90_000, clock)
    await notify(uow, clock, gateway, PID)
    return uow, clock, gateway


async def issue(uow: FakeUnitOfWork, clock: FixedClock, gateway: FakeGateway) -> LedgerView:
    return await IssueRefund(uow, clock, gateway, TERMS, uow)(
        CODE, 2_000_000, True, None, OWNER, "refund-key-lagging"
    )


async def test_a_refund_its_report_does_not_show_yet_is_recorded_from_the_answer_once() -> None:
    uow, clock, gateway = await paid()
    view = await issue(uow, clock, gateway)
    assert view.recorded  # not "ya estaba hecha"
    [ours] = view.ledger.refunds
    assert ours.reference.startswith("refund:")
    assert ours.reference.endswith("@mp-refund:901:2000000")
    assert (ours.amount, ours.recorded_by) == (Money.of("20000"), OWNER)
    entry = uow.audit.entries[-1]
    assert (entry.action, entry.actor) == ("reservation.refund", OWNER)
    assert entry.after["mercadopago_payment"] == PID
    assert entry.after["mercadopago_refund"] == "refund-1"  # Mercado Pago's id, kept
    await notify(uow, clock, gateway, PID)  # notified while the report still lags
    assert await refunds(uow) == [("refund", 20_000)]
    assert (await GetLedger(uow, TERMS)(CODE)).mercadopago_refundable == Money.of("70000")
    gateway.catch_up()
    await notify(uow, clock, gateway, PID)  # the report shows it: nothing more recorded
    assert await refunds(uow) == [("refund", 20_000)]
    again = await issue(uow, clock, gateway)  # the same request again: a replay
    assert not again.recorded
    assert len(gateway.asked) == 1  # not even asked again
    panel(gateway, PID, 5_000)  # a later refund in the panel is still recorded
    await notify(uow, clock, gateway, PID)
    assert await refunds(uow) == [("refund", 20_000), ("mp-refund", 5_000)]
    ledger = await uow.ledger.load(uow.reservations.committed[CODE], TERMS)
    assert ledger.refunded == Money.of("25000")


async def test_a_panel_refund_the_report_shows_beside_a_lagging_one_of_ours_is_recorded_too() -> (
    None
):
    uow, clock, gateway = await paid()
    gateway.panel_first = 5_000  # as ours arrives: the report shows it, not ours
    view = await issue(uow, clock, gateway)
    assert view.recorded
    assert sorted(
        (r.reference.rpartition("@")[2], r.amount.cents) for r in view.ledger.refunds
    ) == [
        ("mp-refund:901:2500000", 2_000_000),
        ("mp-refund:901:500000", 500_000),
    ]
    gateway.catch_up()
    await notify(uow, clock, gateway, PID)
    ledger = await uow.ledger.load(uow.reservations.committed[CODE], TERMS)
    assert ledger.refunded == Money.of("25000")


async def test_the_refund_owed_flags_are_settled_once_per_refund(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ours and a panel refund recorded beside it: the flags are set against the booking's
    refunds once, when both are recorded, not after each."""
    uow, clock, gateway = await paid()
    calls: list[Money] = []

    async def settle(
        uow: UnitOfWork, code: str, ledger: BookingLedger, actor: str, now: datetime
    ) -> list[str]:
        calls.append(ledger.refunded)
        return await settle_refund_flags(uow, code, ledger, actor, now)

    for module in (refunds_module, refund_at_provider, provider_refunds):
        if hasattr(module, "settle_refund_flags"):
            monkeypatch.setattr(module, "settle_refund_flags", settle)
    gateway.panel_first = 5_000
    gateway.shown.clear()
    await issue(uow, clock, gateway)
    assert calls == [Money.of("25000")]
