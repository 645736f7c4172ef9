"""Money a hold took before it lapsed reaches the owner's queue (Pagos, Hoy) against the real
PostgreSQL, however the hold lapsed: swept by the expiry duty (at once), or expired by a
booking that wanted its nights (by the reconciliation duty); so does a booking cancelled
before the queue existed. A second pass changes nothing, a dismissed item stays dismissed, and
an item whose hold a payment confirmed after all leaves the queue."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.postgres.unit_of_work import SqlTransactions, SqlUnitOfWork
from application.operations.maintenance import ExpireLapsedHolds
from application.payments.admin import ListPaymentsNeedingAttention
from application.payments.apply_payment import ApplyPayment
from application.payments.attention import PaymentResolution, ResolvePaymentAttention
from application.payments.ledger import RecordManualPayment
from application.payments.money_to_return import ReconcileMoneyToReturn, money_to_return_id
from application.payments.refunds import IssueRefund
from application.ports.ledger import LedgerTerms
from application.ports.repositories import HoldOutcome
from domain.booking.reservation import Reservation
from domain.money import Money
from domain.payments.ledger import MoneyIn, MoneyOut, PaymentMethod
from domain.payments.payment import Attention, Payment, PaymentStatus
from domain.stay import Stay
from tests.integration.helpers import add_cabins, new_hold
from tests.integration.test_postgres_credits import NOW, _book, _source_with_credit
from tests.unit.application.fakes import FakeGateway, FixedClock, RecordingMetrics

pytestmark = pytest.mark.db

OWNER = "duena@cabanas.test"
STAY = Stay(date(2027, 2, 5), date(2027, 2, 8))
LAPSED = NOW + timedelta(minutes=31)  # new_hold's holds last 30 minutes


async def place(conn: AsyncConnection, clock: FixedClock, hold: Reservation) -> HoldOutcome:
    async with SqlUnitOfWork(conn, clock) as uow:
        basis = await uow.accommodations.get(hold.accommodation_id)
        assert basis is not None
        outcome = await uow.reservations.add_hold(hold, clock.now(), basis)
        await uow.commit()
    assert isinstance(outcome, HoldOutcome)
    return outcome


async def pay_short_through_mercadopago(
    conn: AsyncConnection, clock: FixedClock, code: str, cents: int
) -> None:
    """A Mercado Pago payment for less than the deposit, as its webhook applies it."""
    gateway = FakeGateway()
    gateway.payments["1319000042"] = Payment(
        "1319000042", PaymentStatus.APPROVED, Money(cents), code, approved_at=clock.now()
    )
    uow = SqlUnitOfWork(conn, clock)
    async with uow:
        applied = await ApplyPayment(uow, gateway, clock, RecordingMetrics())("1319000042")
        await uow.commit()
    assert applied.decision.attention is Attention.AMOUNT_SHORT


async def queue(conn: AsyncConnection, clock: FixedClock) -> dict[str, tuple[str, int]]:
    """Pagos's list: each open item's attention and amount, by id."""
    records = await ListPaymentsNeedingAttention(SqlUnitOfWork(conn, clock))()
    return {
        r.payment.id: (r.attention.value if r.attention else "", r.payment.amount.cents)
        for r in records
    }


async def rows(conn: AsyncConnection, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    result = await conn.execute(text(sql), params)
    found = [tuple(row) for row in result] if result.returns_rows else []
    await conn.commit()
    return found


async def test_a_hold_expired_by_a_booking_holding_a_short_payment_gets_its_item_once(
    engine: AsyncEngine,
) -> None:
    [cabin] = await add_cabins(engine, 1)
    clock = FixedClock(NOW)
    async with engine.connect() as conn:
        lapsing = new_hold(cabin, STAY, NOW)
        assert await place(conn, clock, lapsing) is HoldOutcome.PLACED
        code = lapsing.code.value
        await pay_short_through_mercadopago(conn, clock, code, 30_000_00)
        # It lapses, and another guest's booking takes its nights (expiring it on the way).
        clock.current = LAPSED
        taker = new_hold(cabin, STAY, LAPSED)
        assert await place(conn, clock, taker) is HoldOutcome.PLACED
        assert await rows(conn, "SELECT status FROM reservations WHERE code = :c", c=code) == [
            ("expired",)
        ]
        # The short payment's flag says nothing of money to give back.
        assert await queue(conn, clock) == {"1319000042": ("amount_short", 30_000_00)}

        reconcile = ReconcileMoneyToReturn(SqlUnitOfWork(conn, clock), clock)
        assert await reconcile() is True
        item = money_to_return_id(code)
        assert (await queue(conn, clock))[item] == ("refund_required", 30_000_00)
        audited = "SELECT actor, after->>'to_return_cents' FROM admin_audit_log WHERE action = :a"
        assert await rows(conn, audited, a="payment.money_to_return") == [("system", "3000000")]

        # A second pass finds nothing to do.
        snapshot = "SELECT amount_cents, updated_at, attention_resolved_at FROM payments"
        before = await rows(conn, snapshot + " WHERE id = :i", i=item)
        clock.current += timedelta(minutes=10)
        assert await reconcile() is True
        assert await rows(conn, snapshot + " WHERE id = :i", i=item) == before
        assert len(await rows(conn, audited, a="payment.money_to_return")) == 1

        # The owner dismisses it (the policy keeps the money): it stays dismissed.
        await ResolvePaymentAttention(SqlUnitOfWork(conn, clock), clock)(
            item, PaymentResolution.DISMISSED, "la política se queda con la seña", OWNER
        )
        clock.current += timedelta(minutes=10)
        assert await reconcile() is True
        assert item not in await queue(conn, clock)
        [(resolution,)] = await rows(
            conn, "SELECT attention_resolution FROM payments WHERE id = :i", i=item
        )
        assert resolution == "dismissed"


async def test_the_expiry_duty_queues_a_swept_holds_money_at_once_but_not_its_credit(
    engine: AsyncEngine,
) -> None:
    source, paid_cabin, credit_cabin = await add_cabins(engine, 3)
    clock = FixedClock(NOW)
    # A hold with part of its deposit paid by transfer, recorded by the owner.
    async with engine.connect() as conn:
        paid = new_hold(paid_cabin, STAY, NOW)
        assert await place(conn, clock, paid) is HoldOutcome.PLACED
        await RecordManualPayment(SqlUnitOfWork(conn, clock), clock, LedgerTerms())(
            paid.code.value, PaymentMethod.TRANSFER, 20_000_00, None, OWNER, "transfer-key-0001"
        )
    # A hold paid in part by the guest's credit from an earlier cancellation, and nothing else:
    # once it lapses the credit is the guest's again, not money to give back.
    await _source_with_credit(engine, source, 10_000_00)
    credited = await _book(engine, credit_cabin, FixedClock(NOW))
    assert credited.credit_applied == Money(10_000_00)

    clock.current = LAPSED
    async with engine.connect() as conn:
        uow = SqlUnitOfWork(conn, clock)
        expire = ExpireLapsedHolds(
            uow, clock, RecordingMetrics(), ReconcileMoneyToReturn(uow, clock)
        )
        assert await expire() == 3  # the credit's source was a hold too
        assert await queue(conn, clock) == {
            money_to_return_id(paid.code.value): ("refund_required", 20_000_00)
        }
        # Nothing left for the reconciliation duty.
        assert await ReconcileMoneyToReturn(SqlUnitOfWork(conn, clock), clock)() is True
        assert len(await queue(conn, clock)) == 1


async def test_a_booking_cancelled_before_the_queue_gets_its_item_and_a_confirmed_one_leaves(
    engine: AsyncEngine,
) -> None:
    old_cabin, lapsing_cabin = await add_cabins(engine, 2)
    clock = FixedClock(NOW)
    async with engine.connect() as conn:
        # Cancelled holding $ 54.000 (one refunded by hand) before its money had an item.
        old = new_hold(old_cabin, STAY, NOW)
        assert await place(conn, clock, old) is HoldOutcome.PLACED
        async with SqlUnitOfWork(conn, clock) as uow:
            money = MoneyIn("t-1", PaymentMethod.TRANSFER, Money(55_000_00), NOW.date(), OWNER)
            await uow.ledger.add_payment(old.code.value, money)
            back = MoneyOut("r-1", Money(1_000_00), NOW.date(), OWNER)
            await uow.ledger.add_refund(old.code.value, back)
            await uow.commit()
        await rows(
            conn, "UPDATE reservations SET status = 'cancelled' WHERE code = :c", c=old.code.value
        )
        # A hold whose short payment was queued when it lapsed, then paid in full after all.
        lapsing = new_hold(lapsing_cabin, STAY, NOW)
        assert await place(conn, clock, lapsing) is HoldOutcome.PLACED
        await pay_short_through_mercadopago(conn, clock, lapsing.code.value, 30_000_00)
        clock.current = LAPSED
        uow = SqlUnitOfWork(conn, clock)
        reconcile = ReconcileMoneyToReturn(uow, clock)
        assert await ExpireLapsedHolds(uow, clock, RecordingMetrics(), reconcile)() == 1
        lapsed_item = money_to_return_id(lapsing.code.value)
        assert (await queue(conn, clock))[lapsed_item] == ("refund_required", 30_000_00)
        gateway = FakeGateway()
        gateway.payments["1319000043"] = Payment(
            "1319000043", PaymentStatus.APPROVED, Money(90_000_00), lapsing.code.value
        )
        async with uow:  # the rest arrives through Mercado Pago: the nights were still free
            await ApplyPayment(uow, gateway, clock, RecordingMetrics())("1319000043")
            await uow.commit()

        assert await reconcile() is True
        now_open = await queue(conn, clock)
        assert now_open[money_to_return_id(old.code.value)] == ("refund_required", 54_000_00)
        assert lapsed_item not in now_open
        [(resolution,)] = await rows(
            conn, "SELECT attention_resolution FROM payments WHERE id = :i", i=lapsed_item
        )
        assert resolution == "payment_recorded"


async def test_a_late_deposit_for_a_sold_lapsed_hold_is_one_item_and_one_refund_settles_it(
    engine: AsyncEngine,
) -> None:
    [cabin] = await add_cabins(engine, 1)
    clock = FixedClock(NOW)
    async with engine.connect() as conn:
        lapsing = new_hold(cabin, STAY, NOW)
        assert await place(conn, clock, lapsing) is HoldOutcome.PLACED
        code = lapsing.code.value
        clock.current = LAPSED
        assert await place(conn, clock, new_hold(cabin, STAY, LAPSED)) is HoldOutcome.PLACED
        # The deposit arrives late: the nights are sold, the money must go back.
        gateway = FakeGateway()
        gateway.payments["1319000050"] = Payment(
            "1319000050", PaymentStatus.APPROVED, Money(90_000_00), code, approved_at=LAPSED
        )
        uow = SqlUnitOfWork(conn, clock)
        async with uow:
            applied = await ApplyPayment(uow, gateway, clock, RecordingMetrics())("1319000050")
            await uow.commit()
        assert applied.decision.attention is Attention.REFUND_REQUIRED
        item = money_to_return_id(code)
        assert await queue(conn, clock) == {item: ("refund_required", 90_000_00)}
        assert await ReconcileMoneyToReturn(SqlUnitOfWork(conn, clock), clock)() is True
        assert await queue(conn, clock) == {item: ("refund_required", 90_000_00)}
        [(resolution,)] = await rows(
            conn, "SELECT attention_resolution FROM payments WHERE id = '1319000050'"
        )
        assert resolution == "money_to_return"

        # One refund through Mercado Pago, asked twice: refunded once, and the queue is clear.
        for _ in range(2):
            await IssueRefund(
                SqlUnitOfWork(conn, clock),
                clock,
                gateway,
                LedgerTerms(),
                SqlTransactions(engine, clock),
            )(code, 90_000_00, True, None, OWNER, "refund-key-late-deposit")
        assert [r.payment_id for r in gateway.refunds] == ["1319000050"]
        assert await queue(conn, clock) == {}
        assert await ReconcileMoneyToReturn(SqlUnitOfWork(conn, clock), clock)() is True
        assert await queue(conn, clock) == {}


async def test_the_reconciliation_folds_a_flag_left_beside_its_bookings_item(
    engine: AsyncEngine,
) -> None:
    """Both in the queue from before one sum was one item: the duty leaves the booking's."""
    [cabin] = await add_cabins(engine, 1)
    clock = FixedClock(NOW)
    async with engine.connect() as conn:
        cancelled = new_hold(cabin, STAY, NOW)
        assert await place(conn, clock, cancelled) is HoldOutcome.PLACED
        code = cancelled.code.value
        await rows(conn, "UPDATE reservations SET status = 'cancelled' WHERE code = :c", c=code)
        paid = Payment("1319000051", PaymentStatus.APPROVED, Money(90_000_00), code)
        elsewhere = Payment("1319000052", PaymentStatus.APPROVED, Money(5_000, "USD"), code)
        async with SqlUnitOfWork(conn, clock) as uow:
            day = NOW.date()
            money = MoneyIn("mp:1319000051", PaymentMethod.MERCADOPAGO, paid.amount, day, "mp")
            await uow.ledger.add_payment(code, money)
            for payment, attention in (
                (paid, Attention.REFUND_REQUIRED),
                (elsewhere, Attention.WRONG_CURRENCY),
            ):
                await uow.payments.save(
                    payment, NOW, reservation_code=code, attention=attention, attention_reason="x"
                )
            await uow.payments.keep_money_to_return(
                money_to_return_id(code), code, Money(90_000_00), "old", NOW, reopen=False
            )
            await uow.commit()
        assert len(await queue(conn, clock)) == 3

        reconcile = ReconcileMoneyToReturn(SqlUnitOfWork(conn, clock), clock)
        assert await reconcile() is True
        # The money in another currency is not in the ledger: its flag stays, alone.
        assert await queue(conn, clock) == {
            money_to_return_id(code): ("refund_required", 90_000_00),
            "1319000052": ("wrong_currency", 5_000),
        }
        async with SqlUnitOfWork(conn, clock) as uow:
            assert await uow.payments.money_to_return_out_of_step(10) == []
        folded = "SELECT after->>'resolution' FROM admin_audit_log WHERE target = :c"
        assert await rows(conn, folded, c=code) == [("money_to_return",)]
