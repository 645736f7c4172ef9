from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from application.booking.place_hold import MAX_ATTEMPTS, PaymentsSetup, PlaceHold, PlaceHoldCommand
from application.errors import TransientStorageError
from application.ports.outbox import PaymentLinkJob
from domain.booking.policy import BookingPolicy
from domain.booking.reservation import Channel, Guest, ReservationStatus
from domain.errors import (
    AccommodationInactive,
    AccommodationNotFound,
    GuestsOutOfRange,
    InvalidStay,
    StayUnavailable,
)
from domain.money import Money
from domain.stay import Stay
from tests.unit.application.fakes import FakeUnitOfWork, FixedClock, SequenceCodes
from tests.unit.domain.builders import NOW, cabin, stay

GUEST = Guest("Juana Pérez", "+5491155551234", "juana@example.com")


def make(
    uow: FakeUnitOfWork,
    clock: FixedClock | None = None,
    *codes: str,
    payments: bool = False,
) -> PlaceHold:
    return PlaceHold(
        uow=uow,
        clock=clock or FixedClock(NOW),
        codes=SequenceCodes(*codes),
        policy=BookingPolicy(hold_minutes=30, deposit_percent=Decimal(30)),
        catalogue=uow.catalogue,
        metrics=uow.metrics,
        payments=PaymentsSetup(enabled=payments),
    )


def command(s: Stay, guests: int = 2, accommodation_id: int = 1) -> PlaceHoldCommand:
    return PlaceHoldCommand(accommodation_id, s.check_in, s.check_out, guests, GUEST, Channel.API)


async def test_places_a_priced_hold_that_expires_after_the_hold_window() -> None:
    uow = FakeUnitOfWork([cabin()])
    # 2026-12-03 (Thu) → 2026-12-07: 100k + 150k + 150k + 100k
    r = await make(uow)(command(stay(2, 4)))
    assert r.status is ReservationStatus.PRE_RESERVED
    assert r.total == Money.of("500000")
    assert r.deposit == Money.of("150000")
    assert r.expires_at == NOW + timedelta(minutes=30)
    assert r.channel is Channel.API
    assert uow.commits == 1
    assert r.code.value in uow.reservations.committed


async def test_overlapping_hold_is_refused_and_nothing_is_kept() -> None:
    uow = FakeUnitOfWork([cabin()])
    await make(uow)(command(stay(2, 4)))
    with pytest.raises(StayUnavailable, match="already taken"):
        await make(uow)(command(stay(4, 3)))
    assert len(uow.reservations.committed) == 1
    assert (uow.metrics.placed, uow.metrics.conflicts) == (["api"], ["api"])


async def test_a_lapsed_hold_does_not_block() -> None:
    uow = FakeUnitOfWork([cabin()])
    clock = FixedClock(NOW)
    first = await make(uow, clock)(command(stay(2, 4)))
    clock.current = NOW + timedelta(minutes=31)
    second = await make(uow, clock)(command(stay(2, 4)))
    assert second.status is ReservationStatus.PRE_RESERVED
    assert uow.reservations.committed[first.code.value].status is ReservationStatus.EXPIRED


async def test_rules_are_checked_before_touching_storage() -> None:
    uow = FakeUnitOfWork([cabin(capacity=2)])
    with pytest.raises(GuestsOutOfRange):
        await make(uow)(command(stay(2, 4), guests=3))
    with pytest.raises(InvalidStay):
        await make(uow)(PlaceHoldCommand(1, stay(2, 1).check_out, stay(2, 1).check_in, 2, GUEST))
    assert uow.commits == 0


async def test_unknown_accommodation() -> None:
    with pytest.raises(AccommodationNotFound):
        await make(FakeUnitOfWork([cabin()]))(command(stay(2, 2), accommodation_id=99))


async def test_code_collisions_draw_a_new_code() -> None:
    uow = FakeUnitOfWork([cabin()])
    await make(uow, None, "AAAAAAAAAAAA")(command(stay(2, 2)))
    r = await make(uow, None, "AAAAAAAAAAAA", "BBBBBBBBBBBB")(command(stay(10, 2)))
    assert r.code.value == "BBBBBBBBBBBB"


async def test_transient_failures_are_retried_a_bounded_number_of_times() -> None:
    uow = FakeUnitOfWork([cabin()])
    uow.reservations.transient_failures = MAX_ATTEMPTS - 1
    assert (await make(uow)(command(stay(2, 2)))).status is ReservationStatus.PRE_RESERVED

    uow = FakeUnitOfWork([cabin()])
    uow.reservations.transient_failures = MAX_ATTEMPTS
    with pytest.raises(TransientStorageError):
        await make(uow)(command(stay(2, 2)))
    assert uow.commits == 0


async def test_a_stale_catalogue_never_prices_a_hold() -> None:
    old, new = cabin(), cabin(base_price=Money.of("120000"))
    uow = FakeUnitOfWork([new])
    uow.catalogue.stale[1] = old  # another process changed the price a second ago
    r = await make(uow)(command(stay(8, 2)))  # Wed + Thu nights, no weekend
    assert r.total == Money.of("240000")
    assert uow.catalogue.invalidations == 1


async def test_a_cabin_deactivated_behind_the_cache_is_not_booked() -> None:
    uow = FakeUnitOfWork([cabin(active=False)])
    uow.catalogue.stale[1] = cabin()
    with pytest.raises(AccommodationInactive):
        await make(uow)(command(stay(8, 2)))
    assert uow.commits == 0


async def test_with_payments_on_a_payment_link_job_is_queued_in_the_same_transaction() -> None:
    uow = FakeUnitOfWork([cabin()])
    r = await make(uow, None, "AAAABBBBCCCC", payments=True)(command(stay(2, 4)))
    assert uow.outbox.committed == [(PaymentLinkJob(r.code.value), f"checkout:{r.code.value}")]


async def test_without_payments_nothing_is_queued_and_a_refused_hold_queues_nothing() -> None:
    uow = FakeUnitOfWork([cabin()])
    await make(uow)(command(stay(2, 4)))
    assert uow.outbox.committed == []
    paying = make(uow, None, payments=True)
    with pytest.raises(StayUnavailable):
        await paying(command(stay(2, 4)))
    assert uow.outbox.committed == []


async def test_the_hold_is_written_alone_only_when_nothing_is_written_with_it() -> None:
    # Alone = no BEGIN/COMMIT around it; that is only right when it is the unit's one write.
    plain = FakeUnitOfWork([cabin()])
    await make(plain)(command(stay(2, 4)))
    assert plain.reservations.alone_calls == [True]
    paying = FakeUnitOfWork([cabin()])
    await make(paying, None, payments=True)(command(stay(2, 4)))  # + the payment-link job
    assert paying.reservations.alone_calls == [False]
    keyed = FakeUnitOfWork([cabin()])
    cmd = replace(command(stay(2, 4)), idempotency_key="k-1", fingerprint="f")
    await make(keyed)(cmd)  # + the key's record
    assert keyed.reservations.alone_calls == [False]
