"""Money a booking holds once it gives no nights waits in the owner's queue (Pagos, Hoy) until
it is refunded or kept as credit — or dismissed with a reason — following the ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.back_office.reservations import CancelHold, CancelReservation
from application.payments.attention import PaymentResolution, ResolvePaymentAttention
from application.payments.credits import IssueCredit
from application.payments.ledger import RecordManualPayment
from application.payments.money_to_return import ReconcileMoneyToReturn, money_to_return_id
from application.payments.refunds import IssueRefund, MercadoPagoRefundExceeds
from application.ports.ledger import LedgerTerms
from application.ports.payments import PaymentRecord
from domain.booking.reservation import ReservationStatus
from domain.errors import InvalidValue
from domain.money import Money
from domain.payments.ledger import PaymentMethod
from tests.unit.application.fakes import FakeGateway, FakeUnitOfWork, FixedClock
from tests.unit.domain.builders import NOW, cabin, hold

CODE = "7K3M9QXD2F10"
OWNER = "duena@cabanas.ar"
TERMS = LedgerTerms()


def setup() -> tuple[FakeUnitOfWork, FixedClock]:
    uow = FakeUnitOfWork([cabin()])
    uow.reservations.committed[CODE] = hold(CODE)  # total 300.000, deposit 90.000
    return uow, FixedClock(NOW + timedelta(minutes=5))


async def pay(uow: FakeUnitOfWork, clock: FixedClock, pesos: int, key: str) -> None:
    await RecordManualPayment(uow, clock, TERMS)(
        CODE, PaymentMethod.TRANSFER, pesos * 100, None, OWNER, f"payment-key-{key:>8}"
    )


async def refund(uow: FakeUnitOfWork, clock: FixedClock, pesos: int, key: str) -> None:
    await IssueRefund(uow, clock, FakeGateway(), TERMS)(
        CODE, pesos * 100, False, None, OWNER, f"refund-key-{key:>9}"
    )


async def queue(uow: FakeUnitOfWork) -> list[PaymentRecord]:
    return await uow.payments.needing_attention(50)


async def test_cancelling_a_paid_booking_leaves_its_money_in_the_queue_until_all_went_back() -> (
    None
):
    uow, clock = setup()
    await pay(uow, clock, 90_000, "deposit")
    assert uow.reservations.committed[CODE].status is ReservationStatus.CONFIRMED
    assert await queue(uow) == []  # a booking collecting its balance owes nothing back
    cancelled = await CancelReservation(uow, clock)(CODE, OWNER, "se enfermó")
    assert cancelled.reservation.status is ReservationStatus.CANCELLED
    [item] = await queue(uow)
    assert (item.payment.id, item.reservation_code, item.money_to_return) == (
        money_to_return_id(CODE),
        CODE,
        True,
    )
    assert item.payment.amount == Money.of("90000")
    assert uow.audit.entries[-1].after["to_return_cents"] == 9_000_000
    # A partial refund does not settle it: what is still held stays in the queue.
    await refund(uow, clock, 20_000, "one")
    await refund(uow, clock, 20_000, "two")
    [item] = await queue(uow)
    assert item.payment.amount == Money.of("50000")
    # Nor is it one of the booking's Mercado Pago payments.
    assert await uow.payments.for_reservation(CODE) == []
    await IssueCredit(uow, clock, TERMS)(CODE, 5_000_000, 180, None, OWNER, "credit-key-0000001")
    assert await queue(uow) == []
    settled = uow.audit.entries[-2]
    assert (settled.action, settled.after["resolution"]) == (
        "payment.attention_resolve",
        "credited",
    )


async def test_a_payment_on_a_cancelled_hold_is_recorded_and_waits_to_go_back() -> None:
    uow, clock = setup()
    await CancelHold(uow, clock)(CODE, OWNER, None)
    assert await queue(uow) == []  # nothing was paid: nothing to give back
    await pay(uow, clock, 117_000, "late")
    reservation = uow.reservations.committed[CODE]
    assert reservation.status is ReservationStatus.CANCELLED  # money never revives it
    [item] = await queue(uow)
    assert item.payment.amount == Money.of("117000")
    assert uow.audit.entries[-1].after["to_return_cents"] == 11_700_000
    await refund(uow, clock, 117_000, "all")
    assert await queue(uow) == []


async def test_a_hold_cancelled_with_part_of_its_deposit_paid_owes_that_part_back() -> None:
    uow, clock = setup()
    await pay(uow, clock, 30_000, "part")  # less than the deposit: the hold stays a hold
    assert await queue(uow) == []
    await CancelHold(uow, clock)(CODE, "guest:whatsapp", "cambió de planes")
    [item] = await queue(uow)
    assert item.payment.amount == Money.of("30000")


async def test_dismissed_it_stays_settled_as_money_goes_out_and_opens_when_more_comes_in() -> None:
    uow, clock = setup()
    await pay(uow, clock, 90_000, "deposit")
    await CancelReservation(uow, clock)(CODE, OWNER, None)
    resolve = ResolvePaymentAttention(uow, clock)
    item_id = money_to_return_id(CODE)
    # Settled by its refund or credit, not by saying so: only dismissing is by hand.
    with pytest.raises(InvalidValue):
        await resolve(item_id, PaymentResolution.REFUNDED, None, OWNER)
    with pytest.raises(InvalidValue):
        await resolve(item_id, PaymentResolution.CREDITED, None, OWNER)
    await resolve(item_id, PaymentResolution.DISMISSED, "la política retiene la mitad", OWNER)
    assert await queue(uow) == []
    await refund(uow, clock, 45_000, "half")
    assert await queue(uow) == []
    await pay(uow, clock, 10_000, "again")
    [item] = await queue(uow)
    assert item.payment.amount == Money.of("55000")


async def test_money_paid_by_transfer_cannot_go_back_through_mercado_pago() -> None:
    uow, clock = setup()
    await pay(uow, clock, 90_000, "deposit")
    gateway = FakeGateway()
    with pytest.raises(MercadoPagoRefundExceeds) as refused:
        await IssueRefund(uow, clock, gateway, TERMS)(
            CODE, 2_000_000, True, None, OWNER, "refund-key-0000001"
        )
    assert refused.value.available == Money.zero()
    assert refused.value.code == "refund_exceeds_paid"  # the API's answer is unchanged
    ledger = await uow.ledger.load(uow.reservations.committed[CODE], TERMS)
    assert ledger.refunds == ()


async def test_a_lapsed_holds_money_is_queued_by_the_reconciliation_once_and_never_reopened() -> (
    None
):
    uow, clock = setup()
    await pay(uow, clock, 30_000, "part")  # less than the deposit: the hold stays a hold
    held = uow.reservations.committed[CODE]
    held.status = ReservationStatus.EXPIRED  # as the sweeper (or a booking on its way) leaves it
    assert await queue(uow) == []
    reconcile = ReconcileMoneyToReturn(uow, clock)
    assert await reconcile() is True
    [item] = await queue(uow)
    assert (item.payment.id, item.payment.amount) == (money_to_return_id(CODE), Money.of("30000"))
    entry = uow.audit.entries[-1]
    assert (entry.actor, entry.action, entry.after["to_return_cents"]) == (
        "system",
        "payment.money_to_return",
        3_000_000,
    )
    audited = len(uow.audit.entries)
    assert await reconcile() is True  # in step: nothing to do
    assert len(uow.audit.entries) == audited
    await ResolvePaymentAttention(uow, clock)(
        item.payment.id, PaymentResolution.DISMISSED, "se queda la seña", OWNER
    )
    assert await reconcile() is True
    assert await queue(uow) == []
