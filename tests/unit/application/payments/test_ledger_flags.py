"""A payment the owner records by hand whose amount matched nothing owed waits in the owner's
queue (``ListLedgerFlags``) until settled: by hand with a reason (``ResolveLedgerFlag``,
audited), or on its own once the booking's ledger lines up again. The console asks
``RecordManualPayment`` to refuse an amount over what the booking still owes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.payments.attention import (
    LEDGER_LINED_UP,
    ListLedgerFlags,
    QueueItemNotOpen,
    ResolveLedgerFlag,
)
from application.payments.ledger import PaymentOverOwed, RecordManualPayment
from application.ports.ledger import LedgerTerms
from domain.booking.reservation import ReservationStatus
from domain.errors import InvalidValue
from domain.money import Money
from domain.payments.ledger import BookingLedger, Flag, MoneyIn, MoneyOut, PaymentMethod
from tests.unit.application.fakes import FakeUnitOfWork, FixedClock
from tests.unit.domain.builders import NOW, TODAY, cabin, hold

CODE = "7K3M9QXD2F10"
OWNER = "duena@cabanas.ar"
TERMS = LedgerTerms()


def held_booking() -> tuple[FakeUnitOfWork, FixedClock]:
    uow = FakeUnitOfWork([cabin()])
    uow.reservations.committed[CODE] = hold(CODE)  # total 300.000, deposit 90.000
    return uow, FixedClock(NOW + timedelta(minutes=5))


async def pay(
    uow: FakeUnitOfWork, clock: FixedClock, cents: int, key: str, *, refuse: bool = False
) -> None:
    await RecordManualPayment(uow, clock, TERMS)(
        CODE, PaymentMethod.CASH, cents, None, OWNER, f"key-{key}-000000", refuse_over_owed=refuse
    )


async def test_the_console_refuses_more_than_is_owed_naming_the_most_and_records_nothing() -> None:
    uow, clock = held_booking()
    with pytest.raises(PaymentOverOwed) as refused:
        await pay(uow, clock, 9_999_999_999_900, "typo", refuse=True)
    assert refused.value.most == Money.of("300000")
    assert isinstance(refused.value, InvalidValue)
    ledger = await uow.ledger.load(uow.reservations.committed[CODE], TERMS)
    assert ledger.payments == ()
    assert uow.reservations.committed[CODE].status is ReservationStatus.PRE_RESERVED
    assert uow.audit.entries == []
    # The deposit paid, the most is the rest of the total; the rest itself is taken.
    await pay(uow, clock, 9_000_000, "deposit", refuse=True)
    with pytest.raises(PaymentOverOwed) as refused:
        await pay(uow, clock, 21_000_001, "rest-plus", refuse=True)
    assert refused.value.most == Money.of("210000")
    await pay(uow, clock, 21_000_000, "rest", refuse=True)
    assert await ListLedgerFlags(uow)() == []


async def test_without_the_guard_more_than_owed_is_recorded_and_waits_in_the_queue() -> None:
    uow, clock = held_booking()
    await pay(uow, clock, 30_100_000, "over")
    [item] = await ListLedgerFlags(uow)()
    assert (item.code, item.flag, item.amount) == (CODE, Flag.OVERPAID, Money.of("301000"))
    assert item.method is PaymentMethod.CASH


async def test_settling_by_hand_needs_a_reason_is_audited_and_happens_once() -> None:
    uow, clock = held_booking()
    await pay(uow, clock, 2_000_000, "part")
    [item] = await ListLedgerFlags(uow)()
    assert item.flag is Flag.UNMATCHED
    settle = ResolveLedgerFlag(uow, clock)
    with pytest.raises(InvalidValue):
        await settle(item.id, "  ", OWNER)
    assert await ListLedgerFlags(uow)() == [item]
    await settle(item.id, "La seña viene en dos partes", OWNER)
    assert await ListLedgerFlags(uow)() == []
    entry = uow.audit.entries[-1]
    assert (entry.action, entry.target, entry.actor) == ("payment.attention_resolve", CODE, OWNER)
    assert entry.before["flag"] == "unmatched"
    assert entry.after == {"resolution": "dismissed", "reason": "La seña viene en dos partes"}
    with pytest.raises(QueueItemNotOpen):
        await settle(item.id, "otra vez", OWNER)


async def test_the_rest_of_the_deposit_lines_the_ledger_up_and_settles_the_flag() -> None:
    uow, clock = held_booking()
    await pay(uow, clock, 2_000_000, "part")
    assert len(await ListLedgerFlags(uow)()) == 1
    await pay(uow, clock, 7_000_000, "rest-of-deposit")
    assert await ListLedgerFlags(uow)() == []
    assert uow.reservations.committed[CODE].status is ReservationStatus.CONFIRMED
    settled = [e for e in uow.audit.entries if e.action == "payment.attention_resolve"]
    assert [e.after["resolution"] for e in settled] == [LEDGER_LINED_UP]


def test_a_ledger_lines_up_when_it_holds_nothing_the_deposit_or_the_total() -> None:
    ledger = BookingLedger.open(Money.of("300000"), Money.of("90000"), TODAY, TODAY)
    assert ledger.lines_up

    def paid(pesos: str, ref: str) -> MoneyIn:
        return MoneyIn(ref, PaymentMethod.CASH, Money.of(pesos), TODAY, OWNER)

    part = ledger.record_payment(paid("20000", "a"))
    assert not part.lines_up
    assert part.record_payment(paid("70000", "b")).lines_up
    over = ledger.record_payment(paid("301000", "c"))
    assert not over.lines_up
    assert over.refund(MoneyOut("r", Money.of("1000"), TODAY, OWNER)).lines_up
    assert over.refund(MoneyOut("r", Money.of("301000"), TODAY, OWNER)).lines_up
