from datetime import timedelta
from decimal import Decimal

import pytest

from domain.booking.policy import BookingPolicy
from domain.errors import (
    AccommodationInactive,
    BeyondBookingHorizon,
    GuestsOutOfRange,
    InvalidValue,
    NightsOutOfRange,
    StayInPast,
)
from domain.stay import Stay
from tests.unit.domain.builders import TODAY, cabin, stay

POLICY = BookingPolicy(max_nights=30, horizon_days=548)


def test_a_valid_request_passes() -> None:
    POLICY.check(cabin(), stay(0, 2), 4, TODAY)  # today is bookable


def test_check_in_in_the_past_is_refused_with_the_local_date() -> None:
    with pytest.raises(StayInPast, match="today is 2026-12-01 in Argentina"):
        POLICY.check(cabin(), stay(-1, 3), 2, TODAY)


def test_minimum_nights_come_from_the_accommodation() -> None:
    with pytest.raises(NightsOutOfRange, match="2 to 30 nights; asked for 1") as refused:
        POLICY.check(cabin(min_nights=2), stay(5, 1), 2, TODAY)
    # The limits travel with the error, for a refusal that names them.
    err = refused.value
    assert (err.nights, err.min_nights, err.max_nights, err.for_dates) == (1, 2, 30, False)


def test_maximum_nights_come_from_the_policy() -> None:
    POLICY.check(cabin(), stay(5, 30), 2, TODAY)
    with pytest.raises(NightsOutOfRange):
        POLICY.check(cabin(), stay(5, 31), 2, TODAY)


@pytest.mark.parametrize("guests", [0, 5])
def test_guests_between_one_and_capacity(guests: int) -> None:
    with pytest.raises(GuestsOutOfRange, match="1 to 4 guests"):
        POLICY.check(cabin(capacity=4), stay(5, 2), guests, TODAY)


def test_booking_horizon() -> None:
    last = TODAY + timedelta(days=548)
    POLICY.check(cabin(), Stay(last, last + timedelta(days=2)), 2, TODAY)
    with pytest.raises(BeyondBookingHorizon):
        POLICY.check(cabin(), Stay(last + timedelta(days=1), last + timedelta(days=3)), 2, TODAY)


def test_inactive_accommodation() -> None:
    with pytest.raises(AccommodationInactive):
        POLICY.check(cabin(active=False), stay(5, 2), 2, TODAY)


@pytest.mark.parametrize(
    "kwargs",
    [{"max_nights": 0}, {"hold_minutes": 0}, {"deposit_percent": Decimal(101)}],
)
def test_policy_values_are_validated(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidValue):
        BookingPolicy(**kwargs)  # type: ignore[arg-type]
