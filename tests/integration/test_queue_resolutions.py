"""The owner's action queue against real PostgreSQL: a payment's flag and an undeliverable
message leave it once settled, through the use cases, and the daily summary counts only what
is still open; what comes again after being settled opens again only when it is new."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.postgres.unit_of_work import SqlUnitOfWork
from application.back_office.queue_items import MessageResolution, ResolveUndeliverable
from application.messaging.daily_summary import SendDailySummary, SummarySetup
from application.payments.attention import (
    PaymentResolution,
    QueueItemNotOpen,
    ResolvePaymentAttention,
)
from application.ports.outbox import EmailMessage, Topic
from application.ports.undeliverable import GUEST, UndeliverableMessage
from domain.errors import InvalidValue
from domain.money import Money
from domain.payments.payment import Attention, Payment, PaymentStatus
from tests.integration.helpers import add_cabins
from tests.integration.test_scheduled_once import OWNER, RULES, art
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
NOW = art(10, 10)
OWNER_EMAIL = "duena@cabanas.test"


async def scalar(engine: AsyncEngine, sql: str) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(text(sql))).scalar()


async def flag(uow: SqlUnitOfWork, payment_id: str, attention: Attention) -> None:
    code = "ABCDEFGHJKMN"
    payment = Payment(payment_id, PaymentStatus.APPROVED, Money(9_000_000), code)
    await uow.payments.save(
        payment, NOW, reservation_code=code, attention=attention, attention_reason="revisar"
    )


async def failed_notification(uow: SqlUnitOfWork, group: str) -> int:
    """A guest's message whose only channel failed for good, recorded for the queue."""
    row = await uow.outbox.put(
        EmailMessage("juana@example.com", "Confirmada", "…", Topic.BOOKING_CONFIRMED),
        NOW,
        group=group,
    )
    assert row is not None
    await uow.outbox.mark_failed(row, "smtp: mailbox unavailable")
    message = UndeliverableMessage(group, Topic.BOOKING_CONFIRMED, GUEST, None, "smtp", NOW)
    assert await uow.undeliverable.record(message)
    [open_item] = [m for m in await uow.undeliverable.list_open(10) if m.group == group]
    assert open_item.id is not None
    return open_item.id


async def test_settled_items_leave_the_queue_and_the_daily_summary(engine: AsyncEngine) -> None:
    await add_cabins(engine, 1)
    clock = FixedClock(NOW)
    async with engine.connect() as conn:
        uow = SqlUnitOfWork(conn, SystemClock())
        async with uow:
            await flag(uow, "1319000001", Attention.REFUND_REQUIRED)
            await flag(uow, "1319000002", Attention.UNKNOWN_REFERENCE)
            retried = await failed_notification(uow, "g:confirmed:1")
            await failed_notification(uow, "g:confirmed:2")
            await uow.commit()
        resolve = ResolvePaymentAttention(uow, clock)
        with pytest.raises(InvalidValue):  # dismissing needs a reason
            await resolve("1319000001", PaymentResolution.DISMISSED, "  ", "duena@x")
        await resolve("1319000001", PaymentResolution.DISMISSED, "la devolvió el banco", "duena@x")
        with pytest.raises(QueueItemNotOpen):  # settled already
            await resolve("1319000001", PaymentResolution.REFUNDED, None, "duena@x")
        requeued = await ResolveUndeliverable(uow, clock)(
            retried, MessageResolution.RETRIED, None, "duena@x"
        )
        assert requeued == 1
        async with uow:
            assert [p.payment.id for p in await uow.payments.needing_attention(10)] == [
                "1319000002"
            ]
            assert [m.group for m in await uow.undeliverable.list_open(10)] == ["g:confirmed:2"]
        assert await SendDailySummary(uow, clock, RULES, OWNER, SummarySetup())() == 1
    summary = await scalar(
        engine, "SELECT payload::text FROM outbox WHERE payload->>'topic' = 'owner_daily_summary'"
    )
    assert "1 mensaje no entregado, 1 pago a revisar" in summary
    assert await scalar(engine, "SELECT status FROM outbox WHERE group_key = 'g:confirmed:1'") == (
        "pending"
    )
    actions = await scalar(
        engine,
        "SELECT string_agg(action || ':' || (after->>'resolution'), ' ' ORDER BY id) "
        "FROM admin_audit_log",
    )
    assert actions == "payment.attention_resolve:dismissed message.undeliverable_resolve:retried"


async def test_a_settled_item_opens_again_only_for_something_new(engine: AsyncEngine) -> None:
    clock = FixedClock(NOW)
    async with engine.connect() as conn:
        uow = SqlUnitOfWork(conn, SystemClock())
        async with uow:
            await flag(uow, "1319000003", Attention.REFUND_REQUIRED)
            item = await failed_notification(uow, "g:confirmed:3")
            await uow.commit()
        await ResolvePaymentAttention(uow, clock)(
            "1319000003", PaymentResolution.REFUNDED, None, "duena@x"
        )
        await ResolveUndeliverable(uow, clock)(item, MessageResolution.RETRIED, None, "duena@x")
        async with uow:
            # Mercado Pago tells the same again: it stays settled.
            await flag(uow, "1319000003", Attention.REFUND_REQUIRED)
            assert await uow.payments.needing_attention(10) == []
            # Another question about the same payment opens it again.
            await flag(uow, "1319000003", Attention.CHARGED_BACK)
            [back] = await uow.payments.needing_attention(10)
            assert back.attention is Attention.CHARGED_BACK
            # The retried message failed again: back in the queue.
            message = UndeliverableMessage(
                "g:confirmed:3", Topic.BOOKING_CONFIRMED, GUEST, None, "smtp", NOW
            )
            assert await uow.undeliverable.record(message)
            assert not await uow.undeliverable.record(message)  # once while open
            assert [m.group for m in await uow.undeliverable.list_open(10)] == ["g:confirmed:3"]


async def test_a_bookings_money_to_give_back_follows_its_amount_and_opens_only_when_told(
    engine: AsyncEngine,
) -> None:
    clock = FixedClock(NOW)
    item = "held:ABCDEFGHJKMN"
    async with engine.connect() as conn:
        uow = SqlUnitOfWork(conn, SystemClock())
        async with uow:
            await uow.payments.keep_money_to_return(
                item, "ABCDEFGHJKMN", Money(5_400_000), "holds it", NOW, reopen=True
            )
            await flag(uow, "1319000004", Attention.REFUND_REQUIRED)  # a Mercado Pago payment
            await uow.commit()
        async with uow:
            [held] = [p for p in await uow.payments.needing_attention(10) if p.money_to_return]
            assert (held.payment.amount, held.provider, held.attention) == (
                Money(5_400_000),
                "ledger",
                Attention.REFUND_REQUIRED,
            )
            # The booking's payments are Mercado Pago's only.
            own = await uow.payments.for_reservation("ABCDEFGHJKMN")
            assert [p.payment.id for p in own] == ["1319000004"]
        await ResolvePaymentAttention(uow, clock)(
            item, PaymentResolution.DISMISSED, "penalidad", "d"
        )
        async with uow:
            # Less held (a refund): it stays settled, with the new amount.
            await uow.payments.keep_money_to_return(
                item, "ABCDEFGHJKMN", Money(3_400_000), "holds it", NOW, reopen=False
            )
            assert [p.payment.id for p in await uow.payments.needing_attention(10)] == [
                "1319000004"
            ]
            stored = await uow.payments.get(item)
            assert stored is not None
            assert stored.payment.amount == Money(3_400_000)
            # Money came in again: open once more.
            await uow.payments.keep_money_to_return(
                item, "ABCDEFGHJKMN", Money(4_400_000), "holds it", NOW, reopen=True
            )
            assert {p.payment.id for p in await uow.payments.needing_attention(10)} == {
                item,
                "1319000004",
            }
