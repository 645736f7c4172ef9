"""Local time rules: the business runs on Argentine time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

ARGENTINA = ZoneInfo("America/Argentina/Buenos_Aires")


def local_today(now: datetime) -> date:
    """The calendar date in Argentina at the instant ``now`` (which must be timezone-aware)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(ARGENTINA).date()
