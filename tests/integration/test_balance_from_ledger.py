"""What a booking still owes is read from its stored ledger (``booking_money``, PostgreSQL):
payments recorded by the owner count, refunds count against them, and a booking paid in full
is neither reminded nor counted in the owner's summary."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.unit_of_work import SqlUnitOfWork
from application.messaging.balance_reminders import RemindBalancesDue
from application.messaging.daily_summary import SendDailySummary, SummarySetup
from application.payments.ledger import RecordManualPayment
from application.ports.ledger import LedgerTerms
from application.ports.outbox import OutboxKind
from domain.payments.ledger import PaymentMethod
from tests.integration.helpers import add_cabins
from tests.integration.test_scheduled_once import OWNER, RULES, art, book
from tests.money_text import PESO
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
WHATSAPP = OutboxKind.WHATSAPP_MESSAGE
TERMS = LedgerTerms(balance_due_days=5)
OWING, PAID_UP = "AAAAAAAAAAAA", "BBBBBBBBBBBB"


async def pay(engine: AsyncEngine, code: str, cents: int, key: str) -> None:
    async with engine.connect() as conn:
        clock = FixedClock(art(2, 12))
        record = RecordManualPayment(SqlUnitOfWork(conn, clock), clock, TERMS)
        await record(code, PaymentMethod.TRANSFER, cents, None, "duena@cabanas.test", key)


async def outbox_payloads(engine: AsyncEngine, kind: str) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT payload FROM outbox WHERE kind = :kind ORDER BY id"), {"kind": kind}
        )
        return [row[0] for row in rows]


async def test_the_reminder_and_the_summary_read_the_stored_ledger(engine: AsyncEngine) -> None:
    [cabin] = await add_cabins(engine, 1)
    await book(engine, cabin, OWING, date(2026, 12, 18), date(2026, 12, 21))
    await book(engine, cabin, PAID_UP, date(2026, 12, 14), date(2026, 12, 16))
    # 300.000 each, deposit 90.000: one paid its deposit and 50.000 more; the other all of it.
    await pay(engine, OWING, 90_000_00, "a-deposit")
    await pay(engine, OWING, 50_000_00, "a-part")
    await pay(engine, PAID_UP, 90_000_00, "b-deposit")
    await pay(engine, PAID_UP, 210_000_00, "b-balance")

    async with engine.connect() as conn:
        clock = FixedClock(art(11, 10))
        queued = await RemindBalancesDue(SqlUnitOfWork(conn, clock), clock, RULES, TERMS)()
    assert queued == 1
    [reminder] = await outbox_payloads(engine, WHATSAPP)
    assert reminder["template"]["name"] == "recordatorio_saldo"
    # 300.000 - 140.000 held, due BALANCE_DUE_DAYS (5) before the 18th.
    assert reminder["template"]["params"][3:] == [f"{PESO}160.000", "13/12"]

    async with engine.connect() as conn:
        clock = FixedClock(art(11, 8))
        summary = SendDailySummary(
            SqlUnitOfWork(conn, clock),
            clock,
            RULES,
            OWNER,
            SummarySetup(),
            TERMS,
        )
        assert await summary() == 1
    texts = [p["text"] for p in await outbox_payloads(engine, WHATSAPP)]
    assert any(f"{PESO}160.000 (1 reserva)" in t for t in texts), texts
