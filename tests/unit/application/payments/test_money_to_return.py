"""Money a booking holds once it gives no nights waits in the owner's queue (Pagos, Hoy) until
it is refunded or kept as credit — or dismissed with a reason — following the ledger."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from application.back_office.reservations import CancelHold, CancelReservation
from application.payments.apply_payment import ApplyPayment
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
from domain.payments.ledger import MoneyIn, PaymentMethod
from domain.payments.payment import Attention, Payment, PaymentStatus
from tests.unit.application.fakes import FakeGateway, FakeUnitOfWork, FixedClock
from tests.unit.domain.builders import NOW, TODAY, cabin, hold

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
    await IssueRefund(uow, clock, FakeGateway(), TERMS, uow)(
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
        await IssueRefund(uow, clock, gateway, TERMS, uow)(
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


# One sum of money, one item: a Mercado Pago flag about money a booking without nights holds is
# settled into the booking's own item (``held:CODE``), which follows the ledger.

TAKER = "9QXD2F107K3M"


async def notify(uow: FakeUnitOfWork, clock: FixedClock, gateway: FakeGateway, pid: str) -> None:
    async with uow:
        await ApplyPayment(uow, gateway, clock, uow.metrics, TERMS)(pid)
        await uow.commit()


def mercadopago(gateway: FakeGateway, pid: str, pesos: int, clock: FixedClock) -> None:
    gateway.payments[pid] = Payment(
        pid, PaymentStatus.APPROVED, Money.of(str(pesos)), CODE, approved_at=clock.now()
    )


def lapse_and_sell_its_nights(uow: FakeUnitOfWork) -> None:
    """The hold lapsed (swept) and another guest's booking took its nights."""
    uow.reservations.committed[CODE].status = ReservationStatus.EXPIRED
    taker = replace(hold(TAKER), status=ReservationStatus.CONFIRMED, expires_at=None)
    uow.reservations.committed[TAKER] = taker


async def test_a_late_deposit_for_a_sold_lapsed_hold_is_one_item_settled_by_one_refund() -> None:
    uow, clock = setup()
    lapse_and_sell_its_nights(uow)
    gateway = FakeGateway()
    mercadopago(gateway, "901", 90_000, clock)
    await notify(uow, clock, gateway, "901")  # paid late: flagged, the money must go back
    assert uow.reservations.committed[CODE].status is ReservationStatus.EXPIRED
    # The reconciliation duty finds a booking without nights holding money, as it did before.
    assert await ReconcileMoneyToReturn(uow, clock)() is True
    [item] = await queue(uow)  # Pagos, /admin/payments and Hoy: one item for one sum
    assert (item.payment.id, item.payment.amount) == (money_to_return_id(CODE), Money.of("90000"))
    flag = await uow.payments.get("901")
    assert flag is not None
    assert flag.attention is Attention.REFUND_REQUIRED
    assert flag.attention_resolved_at is not None  # its money is the item's
    # Mercado Pago notifies the same payment again: nothing changes, nothing is audited twice.
    await notify(uow, clock, gateway, "901")
    assert await ReconcileMoneyToReturn(uow, clock)() is True
    assert [r.payment.id for r in await queue(uow)] == [money_to_return_id(CODE)]
    folded = [e for e in uow.audit.entries if e.action == "payment.attention_resolve"]
    assert [(e.before["payment"], e.after["resolution"]) for e in folded] == [
        ("901", "money_to_return")
    ]
    # One refund through Mercado Pago settles it; the same request again refunds nothing.
    for _ in range(2):
        await IssueRefund(uow, clock, gateway, TERMS, uow)(
            CODE, 9_000_000, True, None, OWNER, "refund-key-the-one"
        )
    assert [(r.payment_id, r.amount) for r in gateway.refunds] == [("901", Money.of("90000"))]
    assert await queue(uow) == []
    assert await ReconcileMoneyToReturn(uow, clock)() is True
    assert await queue(uow) == []


async def test_mercado_pago_money_on_a_booking_whose_item_is_open_joins_that_item_at_once() -> None:
    uow, clock = setup()
    await pay(uow, clock, 30_000, "part")
    await CancelHold(uow, clock)(CODE, OWNER, None)
    [item] = await queue(uow)
    assert item.payment.amount == Money.of("30000")
    gateway = FakeGateway()
    mercadopago(gateway, "902", 90_000, clock)
    await notify(uow, clock, gateway, "902")  # paid for a cancelled reservation
    [item] = await queue(uow)  # no reconciliation needed: the payment's own transaction
    assert (item.payment.id, item.payment.amount) == (money_to_return_id(CODE), Money.of("120000"))
    # Part given back by hand: the rest stays in the one item, nothing is lost.
    await refund(uow, clock, 100_000, "most")
    [item] = await queue(uow)
    assert item.payment.amount == Money.of("20000")


async def test_money_arriving_after_the_owner_dismissed_the_item_opens_it_again() -> None:
    uow, clock = setup()
    await pay(uow, clock, 90_000, "deposit")
    await CancelReservation(uow, clock)(CODE, OWNER, None)
    await ResolvePaymentAttention(uow, clock)(
        money_to_return_id(CODE), PaymentResolution.DISMISSED, "la política la retiene", OWNER
    )
    gateway = FakeGateway()
    mercadopago(gateway, "903", 90_000, clock)
    await notify(uow, clock, gateway, "903")
    [item] = await queue(uow)  # as for a payment recorded by hand: the booking's item, again
    assert (item.payment.id, item.payment.amount) == (money_to_return_id(CODE), Money.of("180000"))
    # Dismissed again, the same payment notified again is no new money: it stays dismissed.
    await ResolvePaymentAttention(uow, clock)(
        item.payment.id, PaymentResolution.DISMISSED, "la política la retiene", OWNER
    )
    await notify(uow, clock, gateway, "903")
    assert await queue(uow) == []


async def test_a_short_payment_of_a_hold_that_lapses_is_one_item_and_its_refund_clears_it() -> None:
    uow, clock = setup()
    gateway = FakeGateway()
    mercadopago(gateway, "904", 30_000, clock)
    await notify(uow, clock, gateway, "904")
    [flag] = await queue(uow)  # a live hold's short payment: a question for the owner
    assert (flag.payment.id, flag.attention) == ("904", Attention.AMOUNT_SHORT)
    uow.reservations.committed[CODE].status = ReservationStatus.EXPIRED
    assert await ReconcileMoneyToReturn(uow, clock)() is True
    [item] = await queue(uow)  # now only money to give back
    assert (item.payment.id, item.payment.amount) == (money_to_return_id(CODE), Money.of("30000"))
    await IssueRefund(uow, clock, gateway, TERMS, uow)(
        CODE, 3_000_000, True, None, OWNER, "r-short-1"
    )
    assert await queue(uow) == []


async def test_the_reconciliation_folds_a_flag_left_beside_an_item_of_the_same_money() -> None:
    """Bookings from before this rule: both already in the queue."""
    uow, clock = setup()
    lapse_and_sell_its_nights(uow)
    gateway = FakeGateway()
    mercadopago(gateway, "905", 90_000, clock)
    async with uow:
        ledger = await uow.ledger.load(uow.reservations.committed[CODE], TERMS)
        money = MoneyIn("mp:905", PaymentMethod.MERCADOPAGO, Money.of("90000"), TODAY, "mp")
        await uow.ledger.add_payment(CODE, ledger.record_payment(money).payments[-1])
        await uow.payments.save(
            gateway.payments["905"],
            clock.now(),
            reservation_code=CODE,
            attention=Attention.REFUND_REQUIRED,
            attention_reason="the nights were sold meanwhile",
        )
        await uow.payments.keep_money_to_return(
            money_to_return_id(CODE), CODE, Money.of("90000"), "old", clock.now(), reopen=False
        )
        await uow.commit()
    assert len(await queue(uow)) == 2
    assert await ReconcileMoneyToReturn(uow, clock)() is True
    [item] = await queue(uow)
    assert item.payment.id == money_to_return_id(CODE)
    assert await uow.payments.money_to_return_out_of_step(10) == []  # in step now


async def test_a_flag_whose_money_the_ledger_does_not_count_stays_beside_the_item() -> None:
    """Money in another currency is not in the booking's item: its flag is its only trace."""
    uow, clock = setup()
    await pay(uow, clock, 30_000, "part")
    await CancelHold(uow, clock)(CODE, OWNER, None)
    gateway = FakeGateway()
    gateway.payments["906"] = Payment(
        "906", PaymentStatus.APPROVED, Money(5_000, "USD"), CODE, approved_at=clock.now()
    )
    await notify(uow, clock, gateway, "906")
    assert {(r.payment.id, r.attention) for r in await queue(uow)} == {
        (money_to_return_id(CODE), Attention.REFUND_REQUIRED),
        ("906", Attention.WRONG_CURRENCY),
    }
