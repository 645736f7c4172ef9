from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.tables import accommodations
from domain.booking.reservation import Channel, Guest, Reservation, ReservationStatus
from domain.codes import ReservationCode
from domain.money import Money
from domain.stay import Stay


async def add_cabins(engine: AsyncEngine, count: int = 2, *, capacity: int = 4) -> list[int]:
    async with engine.begin() as conn:
        result = await conn.execute(
            insert(accommodations).returning(accommodations.c.id),
            [
                {
                    "name": f"Cabaña {i}",
                    "capacity": capacity,
                    "base_price_cents": 100_000_00,
                    "weekend_multiplier": Decimal("1.5"),
                    "min_nights": 1,
                }
                for i in range(count)
            ],
        )
        return [row[0] for row in result]


def new_hold(
    accommodation_id: int,
    stay: Stay,
    now: datetime,
    *,
    minutes: int = 30,
    code: str | None = None,
) -> Reservation:
    return Reservation(
        code=ReservationCode(code) if code else ReservationCode.generate(),
        accommodation_id=accommodation_id,
        stay=stay,
        guests=2,
        guest=Guest("Juana Pérez", "+5491155551234", "juana@example.com"),
        total=Money.of("300000"),
        deposit=Money.of("90000"),
        channel=Channel.API,
        status=ReservationStatus.PRE_RESERVED,
        created_at=now,
        expires_at=now + timedelta(minutes=minutes),
    )
