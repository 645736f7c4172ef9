from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.database import checkout
from application.ports.clock import Clock
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


_STALEST_FEED = text(
    "SELECT max(CAST(:now AS timestamptz) - coalesce(last_success_at, created_at)) "
    "FROM ical_feeds WHERE enabled"
)


async def stalest_feed_minutes(engine: AsyncEngine, now: datetime) -> float:
    """Minutes since the enabled feed that synced longest ago last succeeded (0: no feeds).
    The feeds table is tiny: this is cheap on every scrape and health check."""
    async with checkout(engine) as conn:
        age = (await conn.execute(_STALEST_FEED, {"now": now})).scalar()
    return age.total_seconds() / 60 if age is not None else 0.0


_HELD_RELEASES = text(
    "SELECT source, count(*) FROM ical_feeds WHERE held_release_answer IS NOT NULL GROUP BY source"
)


async def held_releases(engine: AsyncEngine) -> dict[str, int]:
    """Feeds holding a release (an answer that would free many nights), per source."""
    async with checkout(engine) as conn:
        return {source: int(n) for source, n in await conn.execute(_HELD_RELEASES)}


class CalendarFreshnessProbe:
    """Non-critical: stale calendars risk double bookings across channels, but the API can
    still take direct bookings (the database guards those)."""

    name = "ical"
    critical = False

    def __init__(self, engine: AsyncEngine, stale_minutes: int, clock: Clock) -> None:
        self._engine = engine
        self._stale_minutes = stale_minutes
        self._clock = clock  # the clock that stamped the feeds' sync times

    async def check(self) -> None:
        minutes = await stalest_feed_minutes(self._engine, self._clock.now())
        if minutes > self._stale_minutes:
            raise CalendarStale(f"stalest feed is {minutes:.0f} minutes old")


class CalendarStale(Exception):
    pass
