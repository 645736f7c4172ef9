"""The owner's changes to a reservation, against in-memory fakes: moving (the overlap rule
decides, nothing half-done), notes, and manual bookings exempt from the guests' hold limits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.back_office.manual_booking import CreateManualBooking, ManualBooking
from application.back_office.move import MoveReservation
from application.back_office.notes import AddReservationNote
from application.back_office.reservations import ConfirmManually, ManualPayment
from application.booking.place_hold import PlaceHold, PlaceHoldCommand
from domain.booking.hold_limits import HoldLimits, HoldQuota
from domain.booking.policy import BookingPolicy
from domain.booking.reservation import Channel, Guest, ReservationStatus
from domain.errors import (
    BeyondBookingHorizon,
    GuestsOutOfRange,
    HoldTooLong,
    IllegalTransition,
    InvalidValue,
    NightsOutOfRange,
    StayInPast,
    StayUnavailable,
)
from domain.money import Money
from domain.payments.ledger import MoneyIn, PaymentMethod
from tests.unit.application.fakes import FakeUnitOfWork, FixedClock, SequenceCodes
from tests.unit.domain.builders import NOW, TODAY, cabin, stay

GUEST = Guest("Ana Gómez", "+5491100000000")
DAY = timedelta(days=1)


def setup(
    limits: HoldLimits | None = None,
) -> tuple[FakeUnitOfWork, FixedClock, PlaceHold]:
    uow = FakeUnitOfWork([cabin(id=1), cabin(id=2, name="Cabaña del Bosque", capacity=2)])
    clock = FixedClock(NOW)
    place = PlaceHold(
        uow,
        clock,
        SequenceCodes(),
        BookingPolicy(),
        uow.catalogue,
        uow.metrics,
        limits=limits or HoldLimits(),
    )
    return uow, clock, place


async def _hold(place: PlaceHold, cabin_id: int, start: int, nights: int, guests: int = 2) -> str:
    s = stay(start, nights)
    held = await place(PlaceHoldCommand(cabin_id, s.check_in, s.check_out, guests, GUEST))
    return held.code.value


async def test_a_reservation_moves_to_free_nights_and_the_move_is_audited() -> None:
    uow, clock, place = setup()
    code = await _hold(place, 1, 5, 2)
    moved = await MoveReservation(uow, clock, BookingPolicy())(
        code, 2, TODAY + 9 * DAY, TODAY + 12 * DAY, "o@x"
    )
    assert (moved.accommodation_id, moved.stay) == (2, stay(9, 3))
    stored = uow.reservations.committed[code]
    assert (stored.accommodation_id, stored.stay, stored.status) == (
        2,
        stay(9, 3),
        ReservationStatus.PRE_RESERVED,
    )
    assert stored.total == moved.total  # the amounts stay as sold
    [entry] = uow.audit.entries
    assert entry.action == "reservation.move"
    assert entry.before["accommodation_id"] == 1
    assert entry.after == {
        "accommodation_id": 2,
        "check_in": (TODAY + 9 * DAY).isoformat(),
        "check_out": (TODAY + 12 * DAY).isoformat(),
    }


async def test_moving_onto_taken_nights_changes_nothing() -> None:
    uow, clock, place = setup()
    code = await _hold(place, 1, 5, 2)
    await _hold(place, 1, 10, 3)
    with pytest.raises(StayUnavailable):
        await MoveReservation(uow, clock, BookingPolicy())(
            code, 1, TODAY + 8 * DAY, TODAY + 11 * DAY, "o@x"
        )
    assert uow.reservations.committed[code].stay == stay(5, 2)
    assert uow.audit.entries == []
    # Overlapping its own old nights is no conflict.
    await MoveReservation(uow, clock, BookingPolicy())(
        code, 1, TODAY + 6 * DAY, TODAY + 9 * DAY, "o@x"
    )
    assert uow.reservations.committed[code].stay == stay(6, 3)


async def test_what_cannot_move() -> None:
    uow, clock, place = setup()
    code = await _hold(place, 1, 5, 2, guests=3)
    move = MoveReservation(uow, clock, BookingPolicy())
    with pytest.raises(GuestsOutOfRange):
        await move(code, 2, TODAY + 9 * DAY, TODAY + 12 * DAY, "o@x")
    with pytest.raises(StayInPast):
        await move(code, 1, TODAY - 3 * DAY, TODAY, "o@x")
    # An arrival moved into the past, even if the stay ends later.
    with pytest.raises(StayInPast):
        await move(code, 1, TODAY - 8 * DAY, TODAY + 2 * DAY, "o@x")
    # A mistyped month: longer than the longest stay (MAX_NIGHTS, 30).
    with pytest.raises(NightsOutOfRange):
        await move(code, 1, TODAY + 5 * DAY, TODAY + 95 * DAY, "o@x")
    with pytest.raises(BeyondBookingHorizon):
        await move(code, 1, TODAY + 900 * DAY, TODAY + 903 * DAY, "o@x")
    assert uow.reservations.committed[code].stay == stay(5, 2)
    clock.current += timedelta(hours=2)  # the hold lapsed
    with pytest.raises(IllegalTransition):
        await move(code, 1, TODAY + 9 * DAY, TODAY + 12 * DAY, "o@x")


async def test_a_stay_under_way_keeps_its_past_arrival_and_may_be_lengthened() -> None:
    uow, clock, place = setup()
    code = await _hold(place, 1, 0, 3)  # arrives today
    clock.current += timedelta(days=1)  # a day into the stay (a confirmed one: no lapse)
    confirmed = uow.reservations.committed[code]
    confirmed.status, confirmed.expires_at = ReservationStatus.CONFIRMED, None
    moved = await MoveReservation(uow, clock, BookingPolicy())(
        code, 1, TODAY, TODAY + 5 * DAY, "o@x"
    )
    assert moved.stay == stay(0, 5)


async def test_notes_add_lines_with_who_and_when_and_the_audit_keeps_no_text() -> None:
    uow, clock, place = setup()
    code = await _hold(place, 1, 5, 2)
    note = AddReservationNote(uow, clock)
    await note(code, "Llega  tarde", "ana@x")
    clock.current += timedelta(minutes=5)
    done = await note(code, "Trae perro", "beto@x")
    assert done.notes == (
        "[01/12/2026 12:00 · ana@x] Llega tarde\n[01/12/2026 12:05 · beto@x] Trae perro"
    )
    assert uow.reservations.committed[code].notes == done.notes
    assert [e.after for e in uow.audit.entries] == [{"chars": 11}, {"chars": 10}]
    with pytest.raises(InvalidValue):
        await note(code, " ", "ana@x")
    with pytest.raises(InvalidValue):
        await note(code, "x" * 1001, "ana@x")


async def test_manual_bookings_are_exempt_from_the_guests_hold_limits() -> None:
    uow, clock, place = setup(HoldLimits(per_phone=1, per_client=1, max_nights=3))
    manual = CreateManualBooking(place, ConfirmManually(uow, clock), uow, clock)
    first = await manual(ManualBooking(1, TODAY + 2 * DAY, TODAY + 9 * DAY, 2, GUEST), "o@x")
    second = await manual(ManualBooking(2, TODAY + 2 * DAY, TODAY + 4 * DAY, 2, GUEST), "o@x")
    assert first.channel is second.channel is Channel.MANUAL
    assert first.status is second.status is ReservationStatus.PRE_RESERVED
    assert [e.action for e in uow.audit.entries] == ["reservation.create"] * 2
    # A guest's own hold of the same length is refused.
    with pytest.raises(HoldTooLong):
        await place(
            PlaceHoldCommand(
                1,
                TODAY + 20 * DAY,
                TODAY + 27 * DAY,
                2,
                GUEST,
                quota=HoldQuota("5491100000000", "client"),
            )
        )


async def test_a_manual_booking_paid_already_is_confirmed_with_its_amount() -> None:
    uow, clock, place = setup()
    manual = CreateManualBooking(place, ConfirmManually(uow, clock), uow, clock)
    made = await manual(
        ManualBooking(
            1,
            TODAY + 2 * DAY,
            TODAY + 4 * DAY,
            2,
            GUEST,
            paid_with=ManualPayment.TRANSFER,
            amount=Money.of("45000"),
            payment_note="CBU 123",
        ),
        "o@x",
    )
    assert made.status is ReservationStatus.CONFIRMED
    assert uow.reservations.committed[made.code.value].status is ReservationStatus.CONFIRMED
    confirm = uow.audit.entries[-1]
    assert confirm.action == "reservation.confirm_manually"
    assert confirm.after == {
        "status": "confirmed",
        "method": "transfer",
        "note": "CBU 123",
        "amount_cents": 4_500_000,
        # Not the deposit nor the total of this stay: recorded and flagged for the owner.
        "covers": None,
        "flag": "unmatched",
    }
    # The money received is in the booking's ledger, committed with the confirmation.
    [(code, kind, paid)] = uow.ledger.committed
    assert (code, kind) == (made.code.value, "payment")
    assert isinstance(paid, MoneyIn)
    assert (paid.method, paid.amount, paid.recorded_by) == (
        PaymentMethod.TRANSFER,
        Money.of("45000"),
        "o@x",
    )
