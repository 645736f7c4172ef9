"""Owner's summary: occupancy, revenue by month, pending holds (read-only aggregate SQL)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from application.ports.stats import MonthRevenue, Stats

# Nights of each active row inside [start, end): the length of the intersection of ranges.
_NIGHTS = text(
    """
    SELECT kind, coalesce(sum(
               upper(stay * daterange(:start, :end)) - lower(stay * daterange(:start, :end))
           ), 0)
    FROM reservations
    WHERE status IN ('pre_reserved', 'confirmed')
      AND (status <> 'pre_reserved' OR expires_at > :now)
      AND stay && daterange(:start, :end)
    GROUP BY kind
    """
)
_CABINS = text("SELECT count(*) FROM accommodations WHERE active")
_PENDING = text(
    "SELECT count(*) FROM reservations WHERE status = 'pre_reserved' AND expires_at > :now"
)
_REVENUE = text(
    """
    SELECT to_char(date_trunc('month', check_in), 'YYYY-MM') AS month, count(*),
           coalesce(sum(total_cents), 0), coalesce(sum(deposit_cents), 0)
    FROM reservations
    WHERE kind = 'booking' AND status = 'confirmed'
      AND check_in >= date_trunc('month', CAST(:start AS date)) - interval '11 months'
      AND check_in < CAST(:end AS date) + interval '6 months'
    GROUP BY 1 ORDER BY 1
    """
)


class SqlStatsReader:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def summary(self, start: date, end: date, now: datetime) -> Stats:
        window = {"start": start, "end": end, "now": now}
        nights: dict[str, int] = {
            kind: int(count) for kind, count in await self._conn.execute(_NIGHTS, window)
        }
        cabins = int((await self._conn.execute(_CABINS)).scalar_one())
        pending = int((await self._conn.execute(_PENDING, {"now": now})).scalar_one())
        revenue = [
            MonthRevenue(month, int(count), int(total), int(deposit))
            for month, count, total, deposit in await self._conn.execute(_REVENUE, window)
        ]
        await self._conn.rollback()
        return Stats(
            window_start=start,
            window_end=end,
            booked_nights=int(nights.get("booking", 0)),
            blocked_nights=int(nights.get("block", 0)),
            external_nights=int(nights.get("external", 0)),
            cabin_nights=cabins * (end - start).days,
            pending_holds=pending,
            revenue_by_month=revenue,
        )
