"""A guest's cancel (WhatsApp) only ever cancels a live hold: never a booking paid meanwhile."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.back_office.reservations import CancelHold
from application.booking.place_hold import PlaceHold, PlaceHoldCommand
from domain.booking.policy import BookingPolicy
from domain.booking.reservation import Guest, ReservationStatus
from domain.errors import IllegalTransition
from tests.unit.application.fakes import FakeUnitOfWork, FixedClock, SequenceCodes
from tests.unit.domain.builders import NOW, cabin, stay


async def _hold(uow: FakeUnitOfWork, clock: FixedClock) -> str:
    s = stay(2, 3)
    r = await PlaceHold(uow, clock, SequenceCodes(), BookingPolicy(), uow.catalogue, uow.metrics)(
        PlaceHoldCommand(1, s.check_in, s.check_out, 2, Guest("Ana Gómez", "+5491100000000"))
    )
    return r.code.value


async def test_a_live_hold_is_cancelled() -> None:
    uow, clock = FakeUnitOfWork([cabin(id=1)]), FixedClock(NOW)
    code = await _hold(uow, clock)
    cancelled = await CancelHold(uow, clock)(code, "guest:whatsapp", "asked")
    assert cancelled.status is ReservationStatus.CANCELLED


async def test_a_booking_paid_meanwhile_is_not_cancelled() -> None:
    uow, clock = FakeUnitOfWork([cabin(id=1)]), FixedClock(NOW)
    code = await _hold(uow, clock)
    paid = uow.reservations.committed[code]
    paid.confirm_payment("123", NOW)  # the payment webhook won the race
    with pytest.raises(IllegalTransition):
        await CancelHold(uow, clock)(code, "guest:whatsapp", "asked")
    assert uow.reservations.committed[code].status is ReservationStatus.CONFIRMED


async def test_a_lapsed_hold_is_not_cancelled_either() -> None:
    uow, clock = FakeUnitOfWork([cabin(id=1)]), FixedClock(NOW)
    code = await _hold(uow, clock)
    clock.current += timedelta(hours=2)
    with pytest.raises(IllegalTransition):
        await CancelHold(uow, clock)(code, "guest:whatsapp", "asked")
