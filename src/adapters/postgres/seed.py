"""Sample cabins for a new database (only when the table is empty)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.price_rules import terms_values
from adapters.postgres.tables import accommodations, price_terms
from domain.payments.cancellation import CancellationPolicy, CancellationTier, Outcome
from domain.pricing.cabin_rules import NO_RULES

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


# The terms a guest reads before paying, as an owner would set them on the Precios page: the
# whole deposit back with a month's notice, half as a credit for six months with a week's.
SAMPLE_CANCELLATION = CancellationPolicy(
    (
        CancellationTier(30, Decimal(100)),
        CancellationTier(7, Decimal(50), Outcome.CREDIT, credit_valid_days=180),
    )
)


async def seed_if_empty(engine: AsyncEngine, *, with_terms: bool = False) -> int:
    """Insert the sample cabins into an empty table; returns how many were inserted.
    ``with_terms``: each also gets ``SAMPLE_CANCELLATION`` (`cabanas run`'s sample data, so
    the booking page shows terms as a configured business does)."""
    async with engine.begin() as conn:
        count = (await conn.execute(select(func.count()).select_from(accommodations))).scalar_one()
        if count:
            return 0
        ids = (
            await conn.execute(
                insert(accommodations).returning(accommodations.c.id),
                list(SAMPLE_ACCOMMODATIONS),
            )
        ).scalars()
        if with_terms:
            terms = terms_values(NO_RULES, SAMPLE_CANCELLATION)
            await conn.execute(insert(price_terms), [{"accommodation_id": i, **terms} for i in ids])
        return len(SAMPLE_ACCOMMODATIONS)
