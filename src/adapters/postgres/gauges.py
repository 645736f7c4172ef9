from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.database import checkout
from domain.calendar import local_today

# Uses the partial GiST index on active stays: no full scan per scrape.
_ACTIVE = text(
    """
    SELECT status, count(*) FROM reservations
    WHERE status IN ('pre_reserved', 'confirmed') AND kind = 'booking'
      AND stay && daterange(CAST(:today AS date), NULL)
      AND (status <> 'pre_reserved' OR expires_at > :now)
    GROUP BY status
    """
)


async def active_reservations(engine: AsyncEngine, now: datetime) -> dict[str, int]:
    async with checkout(engine) as conn:
        rows = await conn.execute(_ACTIVE, {"today": local_today(now), "now": now})
        return {status: int(count) for status, count in rows}
