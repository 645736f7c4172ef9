"""Small builders shared by the domain and application tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from domain.booking.accommodation import Accommodation
from domain.booking.reservation import Channel, Guest, Reservation, ReservationStatus
from domain.codes import ReservationCode
from domain.money import Money
from domain.pricing.holidays import HolidayCalendar
from domain.stay import Stay

# A Tuesday, noon in Buenos Aires (15:00 UTC).
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)

# Argentina's holidays and "días no laborables" for 2026 and 2027 as the app reads them
# (python-holidays 0.109, country "AR"), frozen here so the tests do not move with the package.
# In December 2026: Monday 7 (a bridge day) and Tuesday 8 make Sat 5 – Tue 8 a long weekend.
# fmt: off
_AR_DAYS_OFF = (
    "2026-01-01", "2026-02-16", "2026-02-17", "2026-03-23", "2026-03-24", "2026-04-02",
    "2026-04-03", "2026-05-01", "2026-05-25", "2026-06-15", "2026-06-20", "2026-07-09",
    "2026-07-10", "2026-08-17", "2026-10-12", "2026-11-09", "2026-11-23", "2026-12-07",
    "2026-12-08", "2026-12-25", "2027-01-01", "2027-02-08", "2027-02-09", "2027-03-24",
    "2027-03-25", "2027-03-26", "2027-04-02", "2027-05-01", "2027-05-25", "2027-06-20",
    "2027-06-21", "2027-07-09", "2027-08-16", "2027-10-11", "2027-11-20", "2027-12-08",
    "2027-12-25",
)
# fmt: on
ARGENTINE_HOLIDAYS = HolidayCalendar(frozenset(date.fromisoformat(day) for day in _AR_DAYS_OFF))


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
