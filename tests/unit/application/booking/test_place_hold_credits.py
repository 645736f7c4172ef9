"""A guest's credit from an earlier cancellation, taken by their next hold (in-memory fakes; the
race for one credit is proven against PostgreSQL in tests/integration/test_postgres_credits.py)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from application.back_office.reservations import CancelHold
from application.booking.place_hold import PaymentsSetup, PlaceHold, PlaceHoldCommand
from application.ports.ledger import LedgerTerms
from application.ports.outbox import PaymentLinkJob, WhatsAppMessage
from domain.booking.hold_limits import HoldLimits, HoldQuota, phone_key
from domain.booking.policy import BookingPolicy
from domain.booking.reservation import Channel, Guest, ReservationStatus
from domain.money import Money
from domain.payments.credits import GuestCredit
from domain.stay import Stay
from tests.unit.application.fakes import FakeUnitOfWork, FixedClock, SequenceCodes
from tests.unit.domain.builders import NOW, cabin, stay

CABINS = [cabin(id=i, name=f"Cabaña {i}") for i in (1, 2, 3)]
PHONE = "+54 9 11 5555-1234"


def make(uow: FakeUnitOfWork, clock: FixedClock) -> PlaceHold:
    return PlaceHold(
        uow=uow,
        clock=clock,
        codes=SequenceCodes(),
        policy=BookingPolicy(hold_minutes=30, deposit_percent=Decimal(30)),
        catalogue=uow.catalogue,
        metrics=uow.metrics,
        payments=PaymentsSetup(enabled=True),
        limits=HoldLimits(per_phone=0, per_client=0),
    )


def command(cabin_id: int, s: Stay, phone: str = PHONE) -> PlaceHoldCommand:
    return PlaceHoldCommand(
        cabin_id,
        s.check_in,
        s.check_out,
        2,
        Guest("Juana Pérez", phone),
        Channel.API,
        quota=HoldQuota(phone_key(phone), "client"),
    )


async def give_credit(uow: FakeUnitOfWork, cents: int, expires_on: date | None = None) -> None:
    await uow.credits.issue(
        GuestCredit(
            phone_key("5491155551234"),
            Money(cents),
            "OLDBOOK1",
            "cancel:credit",
            "owner@example.com",
            NOW.date() - timedelta(days=30),
            expires_on,
        ),
        NOW,
    )
    await uow.commit()


async def test_a_credit_lowers_the_deposit_to_pay_and_is_applied_once() -> None:
    uow, clock = FakeUnitOfWork(CABINS), FixedClock(NOW)
    await give_credit(uow, 10_000)
    first = await make(uow, clock)(command(1, stay(5, 2)))
    assert first.credit_applied == Money(10_000)
    assert first.status is ReservationStatus.PRE_RESERVED
    ledger = await uow.ledger.load(first, LedgerTerms())
    assert ledger.credit_applied == Money(10_000)
    assert ledger.deposit_owed.cents == first.deposit.cents - 10_000
    second = await make(uow, clock)(command(2, stay(5, 2)))
    assert second.credit_applied is None  # the first hold has it


async def test_the_hold_itself_tells_whether_its_phone_has_credit_no_read_of_its_own() -> None:
    uow, clock = FakeUnitOfWork(CABINS), FixedClock(NOW)
    plain = await make(uow, clock)(command(1, stay(5, 2)))
    assert plain.credit_applied is None
    await give_credit(uow, 10_000)
    credited = await make(uow, clock)(command(2, stay(5, 2)))
    assert credited.credit_applied == Money(10_000)
    assert uow.credits.open_reads == 0


async def test_a_credit_covering_the_deposit_confirms_the_hold_with_no_link_to_pay() -> None:
    uow, clock = FakeUnitOfWork(CABINS), FixedClock(NOW)
    await give_credit(uow, 50_000_000)
    booked = await make(uow, clock)(command(1, stay(5, 2)))
    assert booked.status is ReservationStatus.CONFIRMED
    assert booked.credit_applied == booked.total
    assert not uow.outbox.sent(PaymentLinkJob)
    assert uow.outbox.sent(WhatsAppMessage)  # told it is confirmed
    # What the booking did not need stays the guest's.
    left = [c for c, holder in uow.credits.rows.values() if holder is None]
    assert [c.amount.cents for c in left] == [50_000_000 - booked.total.cents]


async def test_a_hold_that_lapses_gives_its_credit_to_the_next_booking() -> None:
    uow, clock = FakeUnitOfWork(CABINS), FixedClock(NOW)
    await give_credit(uow, 10_000)
    await make(uow, clock)(command(1, stay(5, 2)))
    clock.current = NOW + timedelta(minutes=31)
    again = await make(uow, clock)(command(2, stay(5, 2)))
    assert again.credit_applied == Money(10_000)


async def test_cancelling_the_hold_releases_its_credit() -> None:
    uow, clock = FakeUnitOfWork(CABINS), FixedClock(NOW)
    await give_credit(uow, 10_000)
    held = await make(uow, clock)(command(1, stay(5, 2)))
    await CancelHold(uow, clock)(held.code.value, "guest", "changed plans")
    assert [h for _, h in uow.credits.rows.values()] == [None]
    again = await make(uow, clock)(command(2, stay(5, 2)))
    assert again.credit_applied == Money(10_000)


async def test_an_expired_credit_or_another_phones_is_not_applied() -> None:
    uow, clock = FakeUnitOfWork(CABINS), FixedClock(NOW)
    await give_credit(uow, 10_000, expires_on=NOW.date() - timedelta(days=1))
    assert (await make(uow, clock)(command(1, stay(5, 2)))).credit_applied is None
    await give_credit(uow, 10_000)
    other = await make(uow, clock)(command(2, stay(5, 2), phone="+54 9 11 4444-0000"))
    assert other.credit_applied is None


async def test_a_credit_another_booking_is_taking_is_skipped() -> None:
    uow, clock = FakeUnitOfWork(CABINS), FixedClock(NOW)
    await give_credit(uow, 10_000)
    uow.credits.claimed = set(uow.credits.rows)  # locked by a concurrent transaction
    assert (await make(uow, clock)(command(1, stay(5, 2)))).credit_applied is None
