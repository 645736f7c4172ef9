"""The bookings a guest already has on the dates searched (``FindOwnBookings``), as the booking
page names them to a guest back from the checkout: by the codes this browser was sent on to,
standing and overlapping the stay, newest first; never by a phone; nothing for a form already
sent."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from application.booking.own_bookings import FindOwnBookings
from application.booking.place_hold import API_SCOPE
from domain.booking.reservation import Guest, Reservation, ReservationStatus
from domain.codes import ReservationCode
from tests.unit.application.fakes import FakeUnitOfWork, FixedClock
from tests.unit.domain.builders import NOW, cabin, hold, stay

SEARCHED = stay(10, 3)  # the hold builder's own nights
HELD, PAID, OLDER = "7K3M9QXD2F10", "7K3M9QXD2F11", "7K3M9QXD2F12"
LAPSED, CANCELLED, ELSEWHEN = "7K3M9QXD2F13", "7K3M9QXD2F14", "7K3M9QXD2F15"
UNKNOWN = "7K3M9QXD2F16"
FORM_KEY = "form-token-0001"


def booking(code: str, minutes_after: int = 0, **change: object) -> Reservation:
    created = NOW + timedelta(minutes=minutes_after)
    made = replace(hold(code), created_at=created, expires_at=created + timedelta(minutes=30))
    return replace(made, **change)  # type: ignore[arg-type]


def bookings() -> tuple[FakeUnitOfWork, FixedClock]:
    uow = FakeUnitOfWork([cabin(), cabin(id=2, name="Cabaña del Bosque")])
    for made in (
        booking(OLDER, 0, accommodation_id=2),
        booking(HELD, 10),
        booking(PAID, 5, status=ReservationStatus.CONFIRMED, expires_at=None),
        booking(LAPSED, -40),  # a hold past its expiry, not yet swept
        booking(CANCELLED, 20, status=ReservationStatus.CANCELLED),
        booking(ELSEWHEN, 30, stay=stay(13, 2)),  # arrives the day the searched stay leaves
    ):
        uow.reservations.committed[made.code.value] = made
    return uow, FixedClock(NOW + timedelta(minutes=15))


def codes(found: list[Reservation]) -> list[str]:
    return [r.code.value for r in found]


async def test_the_browsers_standing_bookings_on_those_nights_newest_first() -> None:
    uow, clock = bookings()
    every = [OLDER, HELD, PAID, LAPSED, CANCELLED, ELSEWHEN, UNKNOWN]
    found = await FindOwnBookings(uow, clock)(SEARCHED, codes=every)
    # Not the lapsed hold, the cancelled one, the stay after these nights nor an unknown code.
    assert codes(found) == [HELD, PAID, OLDER]
    # Part of the nights is enough; only the codes given count.
    partly = await FindOwnBookings(uow, clock)(stay(12, 4), codes=[PAID, ELSEWHEN])
    assert codes(partly) == [ELSEWHEN, PAID]


async def test_a_hold_that_lapses_stops_counting_without_being_swept() -> None:
    uow, clock = bookings()
    assert codes(await FindOwnBookings(uow, clock)(SEARCHED, codes=[HELD])) == [HELD]
    clock.current = NOW + timedelta(minutes=41)  # HELD expires at +40
    assert await FindOwnBookings(uow, clock)(SEARCHED, codes=[HELD]) == []
    assert uow.reservations.committed[HELD].status is ReservationStatus.PRE_RESERVED


async def test_never_by_the_phone_only_by_the_codes_this_browser_holds() -> None:
    uow, clock = bookings()
    # Another guest, same phone typed: nothing of the booking is found without its code.
    assert await FindOwnBookings(uow, clock)(SEARCHED) == []
    assert await FindOwnBookings(uow, clock)(SEARCHED, codes=()) == []
    stranger = booking(UNKNOWN, 1, guest=Guest("Ramiro Gómez", "+5491155551234"))
    uow.reservations.committed[UNKNOWN] = stranger
    assert codes(await FindOwnBookings(uow, clock)(SEARCHED, codes=[PAID])) == [PAID]


async def test_a_form_already_sent_finds_nothing_it_is_the_same_booking_again() -> None:
    uow, clock = bookings()
    find = FindOwnBookings(uow, clock)
    assert codes(await find(SEARCHED, codes=[HELD], form_key=FORM_KEY)) == [HELD]
    async with uow:
        await uow.idempotency.claim(API_SCOPE, FORM_KEY, clock.now())
        await uow.idempotency.attach_reservation(API_SCOPE, FORM_KEY, HELD)
        await uow.commit()
    assert await find(SEARCHED, codes=[HELD], form_key=FORM_KEY) == []
    # Another form (a new search) still finds it.
    assert codes(await find(SEARCHED, codes=[HELD], form_key="form-token-0002")) == [HELD]
    assert await uow.reservations.get(ReservationCode(HELD)) is not None
