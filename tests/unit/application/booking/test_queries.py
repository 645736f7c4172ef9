from datetime import date, timedelta
from decimal import Decimal

import pytest

from application.booking.availability import AvailabilityQuery, CheckAvailability
from application.booking.catalogue import GetAccommodation, ListAccommodations
from application.booking.lookup import GetReservation
from application.booking.occupancy import MAX_CALENDAR_DAYS, CalendarQuery, GetCalendar
from application.booking.place_hold import PlaceHold, PlaceHoldCommand
from application.booking.stay_terms import GetCancellationPolicies
from domain.booking.policy import BookingPolicy
from domain.booking.reservation import Guest, ReservationStatus
from domain.errors import AccommodationNotFound, InvalidStay, ReservationNotFound
from domain.payments.cancellation import CancellationPolicy, CancellationTier
from tests.unit.application.fakes import (
    FakePriceRules,
    FakeUnitOfWork,
    FixedClock,
    SequenceCodes,
)
from tests.unit.domain.builders import NOW, cabin, stay

CABINS = [
    cabin(id=1),
    cabin(id=2, name="Bosque", capacity=2),
    cabin(id=3, name="Off", active=False),
]


async def _hold(
    uow: FakeUnitOfWork, clock: FixedClock, acc_id: int, offset: int, nights: int
) -> str:
    s = stay(offset, nights)
    r = await PlaceHold(uow, clock, SequenceCodes(), BookingPolicy(), uow.catalogue, uow.metrics)(
        PlaceHoldCommand(acc_id, s.check_in, s.check_out, 2, Guest("Ana Gómez", "+5491100000000"))
    )
    return r.code.value


async def test_catalogue_lists_active_only_and_hides_inactive() -> None:
    uow = FakeUnitOfWork(CABINS)
    assert [a.id for a in await ListAccommodations(uow.catalogue)()] == [1, 2]
    assert (await GetAccommodation(uow.catalogue)(2)).name == "Bosque"
    with pytest.raises(AccommodationNotFound):
        await GetAccommodation(uow.catalogue)(3)


async def test_availability_marks_taken_and_rule_breaking_cabins() -> None:
    uow, clock = FakeUnitOfWork(CABINS), FixedClock(NOW)
    await _hold(uow, clock, 1, 10, 3)
    s = stay(11, 2)
    results = await CheckAvailability(uow, clock, BookingPolicy(), uow.catalogue)(
        AvailabilityQuery(s.check_in, s.check_out, 2)
    )
    by_id = {r.accommodation.id: r for r in results}
    assert set(by_id) == {1, 2}
    assert not by_id[1].available
    assert by_id[1].reason_code == "occupied"
    assert by_id[2].available


async def test_availability_ignores_lapsed_holds() -> None:
    uow, clock = FakeUnitOfWork(CABINS), FixedClock(NOW)
    await _hold(uow, clock, 1, 10, 3)
    clock.current = NOW + timedelta(hours=1)
    s = stay(10, 3)
    results = await CheckAvailability(uow, clock, BookingPolicy(), uow.catalogue)(
        AvailabilityQuery(s.check_in, s.check_out, 2)
    )
    assert all(r.available for r in results)


async def test_calendar_shows_ranges_and_validates_the_window() -> None:
    uow, clock = FakeUnitOfWork(CABINS), FixedClock(NOW)
    await _hold(uow, clock, 1, 10, 3)
    start, end = date(2026, 12, 1), date(2027, 1, 1)
    ranges = await GetCalendar(uow, clock, uow.catalogue)(CalendarQuery(1, start, end))
    assert ranges == [stay(10, 3)]
    with pytest.raises(InvalidStay):
        await GetCalendar(uow, clock, uow.catalogue)(CalendarQuery(1, end, start))
    with pytest.raises(InvalidStay):
        await GetCalendar(uow, clock, uow.catalogue)(
            CalendarQuery(1, start, start + timedelta(days=MAX_CALENDAR_DAYS + 1))
        )
    with pytest.raises(AccommodationNotFound):
        await GetCalendar(uow, clock, uow.catalogue)(CalendarQuery(3, start, end))


async def test_lookup_by_code_forgives_format_and_reports_lapsed_holds() -> None:
    uow, clock = FakeUnitOfWork(CABINS), FixedClock(NOW)
    code = await _hold(uow, clock, 1, 10, 3)
    view = await GetReservation(uow, clock)(f"{code[:4].lower()}-{code[4:8]}-{code[8:]}")
    assert view.status is ReservationStatus.PRE_RESERVED
    clock.current = NOW + timedelta(hours=1)
    assert (await GetReservation(uow, clock)(code)).status is ReservationStatus.EXPIRED
    for bad in ("nope", "0000-0000-0000"):
        with pytest.raises(ReservationNotFound):
            await GetReservation(uow, clock)(bad)


async def test_each_offered_cabin_answers_its_own_cancellation_policy_or_none() -> None:
    rules = FakePriceRules()
    policy = CancellationPolicy((CancellationTier(7, Decimal(100)),))
    rules.policies[1] = policy
    assert await GetCancellationPolicies(rules)([1, 2]) == {1: policy, 2: None}
