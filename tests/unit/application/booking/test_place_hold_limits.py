"""PlaceHold's hold limits with in-memory fakes (the PostgreSQL statement that enforces them under
concurrency is tested in tests/e2e/test_hold_limits.py)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from application.booking.place_hold import PlaceHold, PlaceHoldCommand
from application.errors import RequestRetried
from domain.booking.hold_limits import HoldLimits, HoldQuota
from domain.booking.policy import BookingPolicy
from domain.booking.reservation import Channel, Guest
from domain.errors import HoldTooLong, StayUnavailable, TooManyHolds
from domain.stay import Stay
from tests.unit.application.fakes import FakeUnitOfWork, FixedClock, SequenceCodes
from tests.unit.domain.builders import NOW, cabin, stay

CABINS = [cabin(id=i, name=f"Cabaña {i}") for i in (1, 2, 3, 4, 5)]


def make(uow: FakeUnitOfWork, clock: FixedClock, limits: HoldLimits | None = None) -> PlaceHold:
    return PlaceHold(
        uow=uow,
        clock=clock,
        codes=SequenceCodes(),
        policy=BookingPolicy(hold_minutes=30, deposit_percent=Decimal(30)),
        catalogue=uow.catalogue,
        metrics=uow.metrics,
        limits=limits or HoldLimits(per_phone=2, per_client=3, max_nights=14),
    )


def command(
    cabin_id: int,
    s: Stay,
    phone: str = "+5491155551234",
    client: str | None = "client-a",
    *,
    retry_key: str | None = None,
    quota: bool = True,
) -> PlaceHoldCommand:
    return PlaceHoldCommand(
        cabin_id,
        s.check_in,
        s.check_out,
        2,
        Guest("Juana Pérez", phone),
        Channel.API,
        retry_key=retry_key,
        quota=HoldQuota(phone.strip("+"), client) if quota else None,
    )


async def test_a_phone_gets_two_live_holds_then_a_refusal_saying_when_the_first_lapses() -> None:
    uow, clock = FakeUnitOfWork(CABINS), FixedClock(NOW)
    await make(uow, clock)(command(1, stay(5, 2), client="a"))
    clock.current = NOW + timedelta(minutes=10)
    await make(uow, clock)(command(2, stay(5, 2), client="b"))
    with pytest.raises(TooManyHolds) as refused:
        await make(uow, clock)(command(3, stay(5, 2), client="c"))
    assert refused.value.limit == "MAX_LIVE_HOLDS_PER_PHONE"
    assert refused.value.retry_after_s == 20 * 60  # the first lapses 30 min after NOW
    assert len(uow.reservations.committed) == 2
    assert uow.metrics.limited == [("MAX_LIVE_HOLDS_PER_PHONE", "api")]
    # Once the first lapses, there is room again.
    clock.current = NOW + timedelta(minutes=30, seconds=1)
    await make(uow, clock)(command(3, stay(5, 2), client="c"))


async def test_a_client_gets_three_live_holds_whatever_the_phone_numbers() -> None:
    uow, clock = FakeUnitOfWork(CABINS), FixedClock(NOW)
    for n in range(3):
        await make(uow, clock)(command(n + 1, stay(5, 2), phone=f"+54911000000{n}"))
    with pytest.raises(TooManyHolds) as refused:
        await make(uow, clock)(command(4, stay(5, 2), phone="+5491100000009"))
    assert (refused.value.limit, refused.value.value) == ("MAX_LIVE_HOLDS_PER_CLIENT", 3)


async def test_the_owners_bookings_and_confirmed_stays_do_not_count() -> None:
    uow, clock = FakeUnitOfWork(CABINS), FixedClock(NOW)
    for n in range(4):  # no quota: the owner's own bookings
        await make(uow, clock)(command(n + 1, stay(5, 2), quota=False))
    await make(uow, clock)(command(5, stay(5, 2)))
    assert len(uow.reservations.committed) == 5


async def test_a_retry_of_a_request_whose_hold_is_live_gets_it_back_even_at_the_limit() -> None:
    uow, clock = FakeUnitOfWork(CABINS), FixedClock(NOW)
    await make(uow, clock)(command(1, stay(5, 2), retry_key="one"))
    held = await make(uow, clock)(command(2, stay(5, 2), retry_key="two"))
    with pytest.raises(RequestRetried) as retried:
        await make(uow, clock)(command(2, stay(5, 2), retry_key="two"))
    assert retried.value.reservation.code == held.code


async def test_taken_nights_at_the_limit_are_still_a_limit_refusal_not_a_conflict() -> None:
    uow, clock = FakeUnitOfWork(CABINS), FixedClock(NOW)
    await make(uow, clock)(command(1, stay(5, 2)))
    await make(uow, clock)(command(2, stay(5, 2)))
    with pytest.raises(TooManyHolds):
        await make(uow, clock)(command(1, stay(5, 2), client="other"))
    # Under the limit, taken nights are the usual 409.
    with pytest.raises(StayUnavailable):
        await make(uow, clock)(command(1, stay(5, 2), phone="+5491199999999", client="x"))


async def test_a_guest_cannot_hold_more_than_the_longest_hold_but_the_owner_can() -> None:
    uow, clock = FakeUnitOfWork(CABINS), FixedClock(NOW)
    with pytest.raises(HoldTooLong):
        await make(uow, clock)(command(1, stay(5, 15)))
    assert uow.metrics.limited == [("MAX_HOLD_NIGHTS", "api")]
    assert uow.reservations.committed == {}
    await make(uow, clock)(command(1, stay(5, 14)))
    await make(uow, clock)(command(2, stay(5, 20), quota=False))
