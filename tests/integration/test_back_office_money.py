"""Hoy's balances come from one statement over a few bookings (``money_held``); the Reserva page
loads each booking's ledger. The two must tell the same figure for every kind of movement."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.postgres.back_office import SqlBackOfficeReads
from adapters.postgres.unit_of_work import SqlUnitOfWork
from application.ports.ledger import LedgerTerms
from domain.money import Money
from domain.payments.ledger import MoneyIn, MoneyOut, PaymentMethod
from domain.stay import Stay
from tests.integration.helpers import add_cabins, new_hold
from tests.integration.test_postgres_credits import NOW, _book, _source_with_credit
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
ON = date(2026, 12, 1)


async def test_money_held_is_what_each_ledger_holds(engine: AsyncEngine) -> None:
    cabins = await add_cabins(engine, 3)
    moved = new_hold(cabins[0], Stay(date(2027, 2, 1), date(2027, 2, 4)), NOW)
    untouched = new_hold(cabins[0], Stay(date(2027, 3, 1), date(2027, 3, 4)), NOW)
    given_back = new_hold(cabins[0], Stay(date(2027, 4, 1), date(2027, 4, 4)), NOW)
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        basis = await uow.accommodations.get(cabins[0])
        assert basis is not None
        for hold in (moved, untouched, given_back):
            await uow.reservations.add_hold(hold, NOW, basis)
        back = given_back.code.value
        await uow.ledger.add_payment(
            back, MoneyIn("t-9", PaymentMethod.TRANSFER, Money(1_000_00), ON, "owner")
        )
        await uow.ledger.add_refund(back, MoneyOut("r-9", Money(1_000_00), ON, "owner"))
        code = moved.code.value
        await uow.ledger.add_payment(
            code, MoneyIn("t-1", PaymentMethod.TRANSFER, Money(50_000_00), ON, "owner")
        )
        await uow.ledger.add_payment(
            code, MoneyIn("t-2", PaymentMethod.CASH, Money(20_000_00), ON, "owner")
        )
        await uow.ledger.add_payment(  # another currency: recorded, never counted
            code, MoneyIn("t-3", PaymentMethod.TRANSFER, Money(100_00, "USD"), ON, "owner")
        )
        await uow.ledger.add_refund(code, MoneyOut("r-1", Money(10_000_00), ON, "owner"))
        await uow.ledger.add_credit(code, MoneyOut("c-1", Money(5_000_00), ON, "owner"))
        await uow.commit()
    # A booking paid in part by a credit from a cancelled one (``guest_credits.applied_to``).
    await _source_with_credit(engine, cabins[1], 30_000)
    credited = await _book(engine, cabins[2], FixedClock(NOW))
    assert credited.credit_applied == Money(30_000)

    bookings = (moved, untouched, given_back, credited)
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        ledgers = {r.code.value: await uow.ledger.load(r, LedgerTerms()) for r in bookings}
        held = await SqlBackOfficeReads(conn).money_held(list(ledgers))
    # Only bookings with anything recorded: nothing written down is unknown, not zero.
    assert held == {code: ledger.held.cents for code, ledger in ledgers.items() if ledger.recorded}
    assert held[moved.code.value] == 55_000_00
    assert untouched.code.value not in held
    assert held[given_back.code.value] == 0  # paid and given back: known, nothing held
    assert held[credited.code.value] == 30_000
