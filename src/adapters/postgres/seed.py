"""Sample cabins for a new database (only when the table is empty)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.tables import accommodations

SAMPLE_ACCOMMODATIONS: tuple[dict[str, object], ...] = (
    {
        "name": "Cabaña del Lago",
        "description": "Frente al lago, con muelle propio y vista a la cordillera.",
        "capacity": 4,
        "base_price_cents": 85_000_00,
        "weekend_multiplier": Decimal("1.20"),
        "min_nights": 2,
        "amenities": ["wifi", "parrilla", "estacionamiento", "calefacción"],
    },
    {
        "name": "Cabaña del Bosque",
        "description": "Entre coihues, a 300 m de la playa. Ideal para parejas.",
        "capacity": 2,
        "base_price_cents": 60_000_00,
        "weekend_multiplier": Decimal("1.15"),
        "min_nights": 1,
        "amenities": ["wifi", "hogar a leña", "desayuno"],
    },
    {
        "name": "Cabaña Familiar Los Alerces",
        "description": "Tres dormitorios, quincho y jardín cerrado para chicos.",
        "capacity": 6,
        "base_price_cents": 120_000_00,
        "weekend_multiplier": Decimal("1.25"),
        "min_nights": 2,
        "amenities": ["wifi", "parrilla", "quincho", "lavarropas", "cuna"],
    },
)


async def seed_if_empty(engine: AsyncEngine) -> int:
    """Insert the sample cabins into an empty table; returns how many were inserted."""
    async with engine.begin() as conn:
        count = (await conn.execute(select(func.count()).select_from(accommodations))).scalar_one()
        if count:
            return 0
        await conn.execute(insert(accommodations), list(SAMPLE_ACCOMMODATIONS))
        return len(SAMPLE_ACCOMMODATIONS)
