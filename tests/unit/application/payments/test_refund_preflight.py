"""``IssueRefund`` looks at the payment before asking Mercado Pago for a refund: refunds it
reports that the ledger does not count stop a new one, except the request's own, retried —
told apart by the note its key left when it went to Mercado Pago."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from application.errors import IntegrationError
from application.operations.maintenance import REFUND_NOTE_RETENTION, PurgeIdempotencyKeys
from application.payments.ledger import LedgerView, request_reference
from application.payments.refunds import IssueRefund
from application.ports.idempotency import PROVIDER_REFUNDS
from application.ports.payments import RefundMade, RefundRequest
from domain.money import Money
from domain.payments.errors import PaymentNotFoundAtProvider, UnrecordedRefundFound
from tests.unit.application.fakes import FakeGateway, FakeUnitOfWork, FixedClock
from tests.unit.application.payments.test_money_to_return import (
    CODE,
    OWNER,
    TERMS,
    mercadopago,
    notify,
    setup,
)

PID = "901"


class MercadoPago(FakeGateway):
    """The fake, with what can happen around a refund: its answer lost on the way (the refund
    made), or a refund made in the panel just before ours."""

    def __init__(self) -> None:
        super().__init__()
        self.lose_next_answer = False
        self.panel_first: int | None = None  # pesos refunded in the panel as ours arrives

    async def refund(self, request: RefundRequest) -> RefundMade:
        if self.panel_first is not None:
            panel(self, self.panel_first)
            self.panel_first = None
        made = await super().refund(request)
        if self.lose_next_answer:
            self.lose_next_answer = False
            raise IntegrationError("Mercado Pago answered 500", retryable=True)
        return made


def panel(gateway: FakeGateway, pesos: int) -> None:
    payment = gateway.payments[PID]
    before = payment.refunded.cents if payment.refunded else 0
    gateway.payments[PID] = replace(payment, refunded=Money(before + pesos * 100))


async def paid() -> tuple[FakeUnitOfWork, FixedClock, MercadoPago]:
    uow, clock = setup()
    gateway = MercadoPago()
    mercadopago(gateway, PID, 90_000, clock)
    await notify(uow, clock, gateway, PID)
    return uow, clock, gateway


async def issue(
    uow: FakeUnitOfWork, clock: FixedClock, gateway: MercadoPago, pesos: int, key: str
) -> LedgerView:
    return await IssueRefund(uow, clock, gateway, TERMS, uow)(
        CODE, pesos * 100, True, None, OWNER, key
    )


async def refunds(uow: FakeUnitOfWork) -> list[tuple[str, int]]:
    ledger = await uow.ledger.load(uow.reservations.committed[CODE], TERMS)
    return [(r.reference.split(":")[0], r.amount.cents // 100) for r in ledger.refunds]


async def lost(uow: FakeUnitOfWork, clock: FixedClock, gateway: MercadoPago, pesos: int) -> None:
    """The refund is made at Mercado Pago; we never learn it (its answer is lost)."""
    gateway.lose_next_answer = True
    with pytest.raises(IntegrationError):
        await issue(uow, clock, gateway, pesos, "refund-key-first")
    assert await refunds(uow) == []
    # The key's note outlived the request: it was committed before the call.
    sent = f"cabanas-{request_reference('refund', 'refund-key-first')}"
    assert (PROVIDER_REFUNDS, sent) in uow.idempotency.committed


async def test_the_same_request_retried_gets_its_own_refund_recorded_under_its_key() -> None:
    uow, clock, gateway = await paid()
    await lost(uow, clock, gateway, 20_000)
    view = await issue(uow, clock, gateway, 20_000, "refund-key-first")
    assert view.recorded
    assert await refunds(uow) == [("refund", 20_000)]
    assert len(gateway.refunds) == 1


async def test_the_same_key_for_another_amount_is_refused_with_what_was_found() -> None:
    uow, clock, gateway = await paid()
    await lost(uow, clock, gateway, 20_000)
    with pytest.raises(UnrecordedRefundFound) as refused:
        await issue(uow, clock, gateway, 30_000, "refund-key-first")
    assert (refused.value.found, refused.value.recorded) == (Money.of("20000"), True)
    assert await refunds(uow) == [("mp-refund", 20_000)]
    assert len(gateway.refunds) == 1


async def test_less_found_than_the_retried_refund_cannot_be_it_and_is_refused() -> None:
    uow, clock, gateway = await paid()
    await lost(uow, clock, gateway, 20_000)
    await notify(uow, clock, gateway, PID)  # its notification records it
    panel(gateway, 5_000)  # and 5.000 more go back in the panel, not notified yet
    with pytest.raises(UnrecordedRefundFound) as refused:
        await issue(uow, clock, gateway, 20_000, "refund-key-first")
    assert refused.value.found == Money.of("5000")
    assert await refunds(uow) == [("mp-refund", 20_000), ("mp-refund", 5_000)]
    again = await issue(uow, clock, gateway, 20_000, "refund-key-first")  # looked, sent again
    assert not again.recorded  # Mercado Pago answers the key with the refund it made
    assert len(gateway.refunds) == 1


async def test_a_panel_refund_between_the_look_and_ours_is_recorded_beside_it() -> None:
    uow, clock, gateway = await paid()
    gateway.panel_first = 5_000
    view = await issue(uow, clock, gateway, 20_000, "refund-key-race")
    assert view.recorded
    assert sorted(await refunds(uow)) == [("mp-refund", 5_000), ("refund", 20_000)]
    stored = await uow.payments.get(PID)
    assert stored is not None
    assert stored.payment.refunded == Money.of("25000")


async def test_a_retry_days_later_still_gets_its_own_refund_the_keys_note_outlives_other_keys() -> (
    None
):
    uow, clock, gateway = await paid()
    await lost(uow, clock, gateway, 20_000)
    clock.current += timedelta(days=3)
    await PurgeIdempotencyKeys(uow, clock)()  # the hourly duty: 48 h keys gone, not this note
    sent = f"cabanas-{request_reference('refund', 'refund-key-first')}"
    assert (PROVIDER_REFUNDS, sent) in uow.idempotency.committed
    view = await issue(uow, clock, gateway, 20_000, "refund-key-first")
    assert view.recorded  # told apart from a new key: its own refund, under its key
    assert await refunds(uow) == [("refund", 20_000)]
    assert len(gateway.refunds) == 1
    clock.current += REFUND_NOTE_RETENTION
    await PurgeIdempotencyKeys(uow, clock)()
    assert (PROVIDER_REFUNDS, sent) not in uow.idempotency.committed


async def test_a_payment_mercado_pago_does_not_find_is_refused_asking_and_noting_nothing() -> None:
    uow, clock, gateway = await paid()
    del gateway.payments[PID]  # Mercado Pago answers 404 for it
    with pytest.raises(PaymentNotFoundAtProvider) as refused:
        await issue(uow, clock, gateway, 20_000, "refund-key-unknown")
    assert refused.value.payment_id == PID
    assert gateway.refunds == []
    assert await refunds(uow) == []
    sent = f"cabanas-{request_reference('refund', 'refund-key-unknown')}"
    assert (PROVIDER_REFUNDS, sent) not in uow.idempotency.committed
