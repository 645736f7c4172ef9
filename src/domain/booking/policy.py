"""Booking rules that do not depend on other reservations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.booking.accommodation import Accommodation
from domain.errors import (
    AccommodationInactive,
    BeyondBookingHorizon,
    GuestsOutOfRange,
    InvalidValue,
    NightsOutOfRange,
    RuleViolation,
    StayInPast,
)
from domain.stay import Stay

DEFAULT_MAX_NIGHTS = 30
DEFAULT_HORIZON_DAYS = 548  # about 18 months
DEFAULT_HOLD_MINUTES = 30
DEFAULT_DEPOSIT_PERCENT = Decimal("30")
DEFAULT_TRANSFER_HOLD_HOURS = 24  # a bank transfer takes hours, a receipt has to be sent


@dataclass(frozen=True, slots=True)
class BookingPolicy:
    max_nights: int = DEFAULT_MAX_NIGHTS
    horizon_days: int = DEFAULT_HORIZON_DAYS
    hold_minutes: int = DEFAULT_HOLD_MINUTES
    deposit_percent: Decimal = DEFAULT_DEPOSIT_PERCENT
    transfer_hold_hours: int = DEFAULT_TRANSFER_HOLD_HOURS

    def __post_init__(self) -> None:
        if self.max_nights < 1 or self.horizon_days < 1 or self.hold_minutes < 1:
            raise InvalidValue("max_nights, horizon_days and hold_minutes must be positive")
        if self.transfer_hold_hours < 1:
            raise InvalidValue("transfer_hold_hours must be positive")
        if not Decimal(0) <= self.deposit_percent <= Decimal(100):
            raise InvalidValue("deposit_percent must be between 0 and 100")

    def hold_length(self, by_transfer: bool) -> timedelta:
        """A Mercado Pago deposit is paid in minutes; a transfer takes hours."""
        if by_transfer:
            return timedelta(hours=self.transfer_hold_hours)
        return timedelta(minutes=self.hold_minutes)

    def check(self, accommodation: Accommodation, stay: Stay, guests: int, today: date) -> None:
        """Raise the first rule the request breaks. ``today`` is the local date in Argentina."""
        violation = self.violation(accommodation, stay, guests, today)
        if violation is not None:
            raise violation

    def violation(
        self, accommodation: Accommodation, stay: Stay, guests: int, today: date
    ) -> RuleViolation | None:
        """The first rule the request breaks, in this order: the accommodation is closed, the
        dates (past, beyond the horizon), the length of the stay, the party size."""
        return (
            self.closed(accommodation)
            or self.dates_violation(stay, today)
            or self.fit_violation(accommodation, stay.nights, guests)
        )

    @staticmethod
    def closed(accommodation: Accommodation) -> RuleViolation | None:
        if not accommodation.active:
            return AccommodationInactive(f"{accommodation.name} is not taking bookings")
        return None

    def dates_violation(self, stay: Stay, today: date) -> RuleViolation | None:
        """The rules about the dates alone: the same answer for every accommodation."""
        if stay.check_in < today:
            return StayInPast(
                f"check_in {stay.check_in.isoformat()} is in the past "
                f"(today is {today.isoformat()} in Argentina)"
            )
        last_bookable = today + timedelta(days=self.horizon_days)
        if stay.check_in > last_bookable:
            return BeyondBookingHorizon(
                f"bookings open up to {self.horizon_days} days ahead "
                f"(check_in no later than {last_bookable.isoformat()})"
            )
        return None

    def fit_violation(
        self, accommodation: Accommodation, nights: int, guests: int, min_nights: int | None = None
    ) -> RuleViolation | None:
        """The rules between one accommodation and the stay's length and party size
        (``min_nights``: a minimum other than the accommodation's, e.g. 1 when the price rules
        judge the minimum themselves)."""
        if min_nights is None:
            min_nights = accommodation.min_nights
        if not min_nights <= nights <= self.max_nights:
            return NightsOutOfRange(
                f"{accommodation.name} takes stays of {min_nights} to {self.max_nights} nights; "
                f"asked for {nights}",
                nights=nights,
                min_nights=min_nights,
                max_nights=self.max_nights,
            )
        if not 1 <= guests <= accommodation.capacity:
            return GuestsOutOfRange(
                f"{accommodation.name} hosts 1 to {accommodation.capacity} guests; "
                f"asked for {guests}"
            )
        return None
