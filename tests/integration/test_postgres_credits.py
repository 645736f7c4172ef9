"""Guest credits against the real (embedded) PostgreSQL: one credit, many bookings racing for
it, exactly one gets it; a hold that lapses gives it back; cancelling a hold releases it."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.postgres.credits import SqlGuestCredits
from adapters.postgres.tables import guest_credits
from adapters.postgres.unit_of_work import SqlUnitOfWork
from application.booking.place_hold import PlaceHold, PlaceHoldCommand
from application.ports.ledger import LedgerTerms
from application.ports.repositories import HoldOutcome, QuotaCheck, QuotaRefused
from domain.booking.accommodation import Accommodation
from domain.booking.hold_limits import HoldLimits, HoldQuota, phone_key
from domain.booking.policy import BookingPolicy
from domain.booking.reservation import Channel, Guest, Reservation
from domain.money import Money
from domain.payments.credits import CreditUse, GuestCredit
from domain.stay import Stay
from tests.integration.helpers import add_cabins, new_hold
from tests.unit.application.fakes import FixedClock, RecordingMetrics, SequenceCodes

pytestmark = pytest.mark.db

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
PHONE = phone_key("+5491155551234")
STAY = Stay(date(2027, 1, 10), date(2027, 1, 12))


class NoCache:
    async def active(self) -> list[Accommodation]:
        return []

    async def get_active(self, accommodation_id: int) -> Accommodation | None:
        return None

    def invalidate(self) -> None:
        return None


async def _source_with_credit(engine: AsyncEngine, cabin: int, cents: int) -> GuestCredit:
    """A cancelled booking of the guest's that left them ``cents`` of credit."""
    source = new_hold(cabin, Stay(date(2026, 12, 20), date(2026, 12, 22)), NOW)
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        basis = await uow.accommodations.get(cabin)
        assert basis is not None
        await uow.reservations.add_hold(source, NOW, basis)
        credit = GuestCredit.issue(
            "+54 11 5555-1234",
            Money(cents),
            source.code.value,
            "cancel:credit",
            "owner@example.com",
            NOW.date(),
        )
        stored = await uow.credits.issue(credit, NOW)
        await uow.commit()
    return stored


class MeetAfterClaim:
    """The credits repository of one booking, stopping after it looked for credit until every
    racing booking has looked too: all of them overlap exactly where it matters."""

    def __init__(self, inner: SqlGuestCredits, barrier: asyncio.Barrier) -> None:
        self._inner = inner
        self._barrier = barrier

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def claim_open(
        self, phone: str, currency: str, today: date, now: datetime
    ) -> tuple[GuestCredit, ...]:
        found = await self._inner.claim_open(phone, currency, today, now)
        async with asyncio.timeout(20):  # a claim that blocks on another's lock fails here
            await self._barrier.wait()
        return found


async def _book(
    engine: AsyncEngine, cabin: int, clock: FixedClock, barrier: asyncio.Barrier | None = None
) -> Reservation:
    async with engine.connect() as conn:
        uow = SqlUnitOfWork(conn, SystemClock())
        if barrier is not None:
            uow.credits = MeetAfterClaim(uow.credits, barrier)  # type: ignore[assignment]
        place = PlaceHold(
            uow=uow,  # type: ignore[arg-type]
            clock=clock,
            codes=SequenceCodes(),
            policy=BookingPolicy(hold_minutes=30, deposit_percent=Decimal(30)),
            catalogue=NoCache(),
            metrics=RecordingMetrics(),
            limits=HoldLimits(per_phone=0, per_client=0),
            terms=LedgerTerms(),
        )
        return await place(
            PlaceHoldCommand(
                cabin,
                STAY.check_in,
                STAY.check_out,
                2,
                Guest("Juana Pérez", "5491155551234"),
                Channel.WHATSAPP,
                quota=HoldQuota(PHONE),
            )
        )


async def test_bookings_racing_for_one_credit_only_one_gets_it(engine: AsyncEngine) -> None:
    cabins = await add_cabins(engine, 5)
    await _source_with_credit(engine, cabins[0], 50_000)
    clock = FixedClock(NOW)
    barrier = asyncio.Barrier(len(cabins))
    booked = await asyncio.gather(*(_book(engine, c, clock, barrier) for c in cabins))
    with_credit = [r for r in booked if r.credit_applied is not None]
    assert len(with_credit) == 1
    assert with_credit[0].credit_applied == Money(50_000)
    async with engine.connect() as conn:
        holders = (
            await conn.execute(select(func.count()).where(guest_credits.c.applied_to.is_not(None)))
        ).scalar_one()
        total = (await conn.execute(select(func.sum(guest_credits.c.amount_cents)))).scalar_one()
    assert holders == 1
    assert total == 50_000  # no money made or lost
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        ledger = await uow.ledger.load(with_credit[0], LedgerTerms())
    assert ledger.credit_applied == Money(50_000)
    assert ledger.deposit_owed.cents == with_credit[0].deposit.cents - 50_000


async def test_a_credit_locked_by_one_transaction_is_skipped_by_another(
    engine: AsyncEngine,
) -> None:
    a, b = await add_cabins(engine, 2)
    credit = await _source_with_credit(engine, a, 50_000)
    hold = new_hold(b, STAY, NOW)
    async with engine.connect() as c1, engine.connect() as c2:
        first, second = SqlUnitOfWork(c1, SystemClock()), SqlUnitOfWork(c2, SystemClock())
        basis = await first.accommodations.get(b)
        assert basis is not None
        await first.reservations.add_hold(hold, NOW, basis)
        claimed = await first.credits.claim_open(PHONE, "ARS", NOW.date(), NOW)
        assert [c.id for c in claimed] == [credit.id]
        assert await second.credits.claim_open(PHONE, "ARS", NOW.date(), NOW) == ()
        await first.credits.apply(
            CreditUse(claimed[0], Money(30_000), Money(20_000)), hold.code.value, NOW
        )
        await first.commit()
        await second.rollback()
        # After the commit: the applied part is the hold's; the rest is open for the phone.
        left = await second.credits.claim_open(PHONE, "ARS", NOW.date(), NOW)
        assert [c.amount for c in left] == [Money(20_000)]
        await second.rollback()


async def test_a_lapsed_hold_gives_its_credit_back_and_a_cancelled_one_releases_it(
    engine: AsyncEngine,
) -> None:
    a, b, c = await add_cabins(engine, 3)
    await _source_with_credit(engine, a, 10_000)
    clock = FixedClock(NOW)
    first = await _book(engine, b, clock)
    assert first.credit_applied == Money(10_000)
    clock.current = NOW + timedelta(minutes=31)  # the first hold lapsed
    second = await _book(engine, c, clock)
    assert second.credit_applied == Money(10_000)
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        assert await uow.credits.applied_to(first.code.value) == ()
        assert await uow.credits.release(second.code.value) == 1
        await uow.commit()
        assert await uow.credits.any_open(PHONE, clock.current.date(), clock.current)


async def _hold_outcome(
    engine: AsyncEngine, cabin: int, now: datetime, *, quota: bool = True
) -> tuple[HoldOutcome | QuotaRefused, bool]:
    """A hold placed alone on ``cabin`` with (or without) the phone's quota, and what
    ``any_open`` answers for the phone right after."""
    check = QuotaCheck(HoldQuota(PHONE), 0, 0) if quota else None
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        basis = await uow.accommodations.get(cabin)
        assert basis is not None
        outcome = await uow.reservations.add_hold(
            new_hold(cabin, STAY, now), now, basis, alone=True, quota=check
        )
        return outcome, await uow.credits.any_open(PHONE, now.date(), now)


async def test_the_holds_own_statement_tells_an_open_credit_as_any_open_does(
    engine: AsyncEngine,
) -> None:
    source, *cabins = await add_cabins(engine, 6)
    assert await _hold_outcome(engine, cabins[0], NOW) == (HoldOutcome.PLACED, False)
    await _source_with_credit(engine, source, 10_000)
    assert await _hold_outcome(engine, cabins[1], NOW) == (HoldOutcome.PLACED_WITH_CREDIT, True)
    # No quota (the owner's bookings): no phone to ask about.
    assert await _hold_outcome(engine, cabins[2], NOW, quota=False) == (HoldOutcome.PLACED, True)
    # Taken by a live hold: not open; once that hold has lapsed, open again.
    taker = await _book(engine, cabins[3], FixedClock(NOW))
    assert taker.credit_applied == Money(10_000)
    assert await _hold_outcome(engine, cabins[4], NOW) == (HoldOutcome.PLACED, False)
    later = NOW + timedelta(minutes=31)
    assert await _hold_outcome(engine, cabins[0], later) == (
        HoldOutcome.PLACED_WITH_CREDIT,
        True,
    )
