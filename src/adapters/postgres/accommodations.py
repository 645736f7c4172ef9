"""The accommodation repository over prebuilt SQLAlchemy Core statements (built once at
import, like the reservations'); rows become ``Accommodation`` here and nowhere else."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import accommodations
from domain.booking.accommodation import Accommodation
from domain.money import Money

_A = accommodations.c

_ACC_COLUMNS = (
    _A.id,
    _A.name,
    _A.description,
    _A.capacity,
    _A.base_price_cents,
    _A.currency,
    _A.weekend_multiplier,
    _A.min_nights,
    _A.amenities,
    _A.active,
)
LIST_ACCOMMODATIONS = select(*_ACC_COLUMNS).order_by(_A.id)
LIST_ACTIVE_ACCOMMODATIONS = select(*_ACC_COLUMNS).where(_A.active).order_by(_A.id)
GET_ACCOMMODATION = select(*_ACC_COLUMNS).where(_A.id == bindparam("id"))


def accommodation_from_row(row: Any) -> Accommodation:
    (
        id_,
        name,
        description,
        capacity,
        cents,
        currency,
        multiplier,
        min_nights,
        amenities,
        active,
    ) = row
    return Accommodation(
        id=id_,
        name=name,
        description=description,
        capacity=capacity,
        base_price=Money(cents, currency),
        weekend_multiplier=Decimal(multiplier),
        min_nights=min_nights,
        amenities=tuple(amenities),
        active=active,
    )


class SqlAccommodationRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def list(self, *, only_active: bool = True) -> Sequence[Accommodation]:
        stmt = LIST_ACTIVE_ACCOMMODATIONS if only_active else LIST_ACCOMMODATIONS
        result = await self._conn.execute(stmt)
        return [accommodation_from_row(row) for row in result]

    async def get(self, accommodation_id: int) -> Accommodation | None:
        row = (await self._conn.execute(GET_ACCOMMODATION, {"id": accommodation_id})).first()
        return None if row is None else accommodation_from_row(row)

    async def add(self, accommodation: Accommodation) -> int:
        stmt = insert(accommodations).returning(_A.id)
        return int(
            (await self._conn.execute(stmt, _accommodation_values(accommodation))).scalar_one()
        )

    async def update(self, accommodation: Accommodation) -> bool:
        stmt = (
            update(accommodations)
            .where(_A.id == accommodation.id)
            .values(**_accommodation_values(accommodation), updated_at=func.now())
            .returning(_A.id)
        )
        return (await self._conn.execute(stmt)).first() is not None


def _accommodation_values(a: Accommodation) -> dict[str, Any]:
    return {
        "name": a.name,
        "description": a.description,
        "capacity": a.capacity,
        "base_price_cents": a.base_price.cents,
        "currency": a.base_price.currency,
        "weekend_multiplier": a.weekend_multiplier,
        "min_nights": a.min_nights,
        "amenities": list(a.amenities),
        "active": a.active,
    }
