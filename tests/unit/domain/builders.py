"""Small builders shared by the domain and application tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from domain.booking.accommodation import Accommodation
from domain.booking.reservation import Channel, Guest, Reservation, ReservationStatus
from domain.codes import ReservationCode
from domain.money import Money
from domain.stay import Stay

# A Tuesday, noon in Buenos Aires (15:00 UTC).
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)


def cabin(**overrides: object) -> Accommodation:
    values: dict[str, object] = {
        "id": 1,
        "name": "Cabaña del Lago",
        "capacity": 4,
        "base_price": Money.of("100000"),
        "weekend_multiplier": Decimal("1.5"),
        "min_nights": 2,
    }
    values.update(overrides)
    return Accommodation(**values)  # type: ignore[arg-type]


def stay(start_offset: int, nights: int) -> Stay:
    start = TODAY + timedelta(days=start_offset)
    return Stay(start, start + timedelta(days=nights))


def hold(code: str = "7K3M9QXD2F10", *, expires_at: datetime | None = None) -> Reservation:
    return Reservation(
        code=ReservationCode(code),
        accommodation_id=1,
        stay=stay(10, 3),
        guests=2,
        guest=Guest("Juana Pérez", "+5491155551234"),
        total=Money.of("300000"),
        deposit=Money.of("90000"),
        channel=Channel.API,
        status=ReservationStatus.PRE_RESERVED,
        created_at=NOW,
        expires_at=expires_at or NOW + timedelta(minutes=30),
    )
