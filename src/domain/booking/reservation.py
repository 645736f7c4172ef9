"""The reservation aggregate: a hold that becomes a booking, or lapses, or is cancelled."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.codes import ReservationCode
from domain.errors import IllegalTransition
from domain.money import Money
from domain.payments.ledger import PaymentMethod
from domain.pricing.breakdown import PriceBreakdown
from domain.stay import Stay


class ReservationStatus(StrEnum):
    PRE_RESERVED = "pre_reserved"
    CONFIRMED = "confirmed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


# Statuses that occupy nights; the database's exclusion constraint uses the same set.
ACTIVE_STATUSES = frozenset({ReservationStatus.PRE_RESERVED, ReservationStatus.CONFIRMED})

_ALLOWED: dict[ReservationStatus, frozenset[ReservationStatus]] = {
    ReservationStatus.PRE_RESERVED: frozenset(
        {ReservationStatus.CONFIRMED, ReservationStatus.EXPIRED, ReservationStatus.CANCELLED}
    ),
    ReservationStatus.CONFIRMED: frozenset({ReservationStatus.CANCELLED}),
    ReservationStatus.EXPIRED: frozenset(),
    ReservationStatus.CANCELLED: frozenset(),
}


class Channel(StrEnum):
    API = "api"
    WHATSAPP = "whatsapp"
    ADMIN = "admin"
    # Taken by the owner or staff from the console: a phone call, Instagram, a walk-in.
    MANUAL = "manual"
    AIRBNB = "airbnb"
    BOOKING = "booking"


@dataclass(frozen=True, slots=True)
class Guest:
    name: str
    phone: str
    email: str | None = None


@dataclass(frozen=True, slots=True)
class StatusChanged:
    code: ReservationCode
    old: ReservationStatus
    new: ReservationStatus
    at: datetime


@dataclass(slots=True, eq=False)
class Reservation:
    code: ReservationCode
    accommodation_id: int
    stay: Stay
    guests: int
    guest: Guest
    total: Money
    deposit: Money
    channel: Channel
    status: ReservationStatus
    created_at: datetime
    expires_at: datetime | None
    notes: str | None = None
    payment_url: str | None = None  # where the guest pays the deposit, once created
    paid_by: str | None = None  # the provider's id of the payment that confirmed it
    # The quote it was sold with (kept as sold: later price changes never reprice it); None for
    # bookings made before prices were kept as breakdowns.
    breakdown: PriceBreakdown | None = None
    # How the guest said they would pay the deposit (decides how long the hold lasts).
    payment_method: PaymentMethod | None = None
    events: list[StatusChanged] = field(default_factory=list)
    # Credit from the guest's earlier cancellations applied when the hold was placed (the
    # ledger is the record; this is the answer to the request that placed it).
    credit_applied: Money | None = None
    # The provider's id of the deposit's checkout (its expiry follows the hold's).
    payment_preference: str | None = None

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def hold_lapsed(self, now: datetime) -> bool:
        return (
            self.status is ReservationStatus.PRE_RESERVED
            and self.expires_at is not None
            and self.expires_at <= now
        )

    def confirm(self, now: datetime) -> None:
        self._move(ReservationStatus.CONFIRMED, now)
        self.expires_at = None

    def confirm_payment(self, payment_id: str, now: datetime) -> None:
        """The deposit was paid. A hold becomes a booking; so does a hold that lapsed in the
        meantime — the guest paid, so we give the nights back if they are still free (the
        database's exclusion constraint is the judge of that, not this method)."""
        if self.status is ReservationStatus.EXPIRED:
            self.events.append(
                StatusChanged(self.code, self.status, ReservationStatus.CONFIRMED, now)
            )
            self.status = ReservationStatus.CONFIRMED
        else:
            self._move(ReservationStatus.CONFIRMED, now)
        self.expires_at = None
        self.paid_by = payment_id

    def extend_hold(self, until: datetime, now: datetime) -> None:
        """The owner gives a hold more time (a transfer on its way). Only a hold: a lapsed one
        whose row is still a hold kept its nights from everyone (the exclusion constraint), so
        extending it never takes nights from anyone."""
        if self.status is not ReservationStatus.PRE_RESERVED:
            raise IllegalTransition(
                f"reservation {self.code.display} is {self.status}; only a hold can be extended"
            )
        if until <= now:
            raise IllegalTransition("a hold is extended to a time still ahead")
        self.expires_at = until

    def move_to(self, accommodation_id: int, stay: Stay) -> None:
        """Other dates or another cabin for a hold or a booking (whether the nights are free
        is the database's exclusion constraint's to say, not this method's)."""
        if not self.is_active:
            raise IllegalTransition(
                f"reservation {self.code.display} is {self.status}; it cannot be moved"
            )
        self.accommodation_id = accommodation_id
        self.stay = stay

    def expire(self, now: datetime) -> None:
        self._move(ReservationStatus.EXPIRED, now)

    def cancel(self, now: datetime) -> None:
        self._move(ReservationStatus.CANCELLED, now)

    def _move(self, new: ReservationStatus, now: datetime) -> None:
        if new not in _ALLOWED[self.status]:
            raise IllegalTransition(
                f"reservation {self.code.display} is {self.status}; it cannot become {new}"
            )
        self.events.append(StatusChanged(self.code, self.status, new, now))
        self.status = new


def effective_status(reservation: Reservation, now: datetime) -> ReservationStatus:
    """A hold past its ``expires_at`` is expired even before a sweeper has recorded it."""
    if reservation.hold_lapsed(now):
        return ReservationStatus.EXPIRED
    return reservation.status
