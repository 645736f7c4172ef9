"""An independent reading of a calendar file: the nights that ``recurring-ical-events`` itself
blocks over a window, straight from the library with no preprocessing of ours. The parser's
answer is checked against it (tests/unit/adapters/test_ical_real_world.py)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from domain.calendar_sync.external_calendar import FeedWindow


def _day(value: date, zone: tzinfo) -> date:
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:
        return value.date()
    if value.utcoffset() == timedelta(0) and str(value.tzinfo).upper() in ("UTC", "UTC+00:00"):
        return value.astimezone(zone).date()
    return value.date()


def reference_nights(data: bytes, window: FeedWindow, zone: ZoneInfo) -> set[date]:
    nights: set[date] = set()
    for calendar in icalendar.Calendar.from_ical(_text(data), multiple=True):
        x_wr = str(calendar.get("X-WR-TIMEZONE", "")).strip()
        try:
            local: tzinfo = ZoneInfo(x_wr) if x_wr else zone
        except (ValueError, KeyError, OSError):
            local = zone
        # An event without a readable start blocks nothing here either (the library would stop).
        calendar.subcomponents = [
            c for c in calendar.subcomponents if c.name != "VEVENT" or _start(c) is not None
        ]
        query = recurring_ical_events.of(calendar, skip_bad_series=True)
        for occurrence in query.between(window.since, window.until):
            if str(occurrence.get("STATUS", "")).upper() == "CANCELLED":
                continue
            start = occurrence["DTSTART"].dt
            end = occurrence["DTEND"].dt if "DTEND" in occurrence else start
            first, last = _day(start, local), _day(end, local)
            night = first
            while night < max(last, first + timedelta(days=1)):
                if window.since <= night < window.until:
                    nights.add(night)
                night += timedelta(days=1)
    return nights


def window_of(data: bytes) -> FeedWindow:
    """Two years from the file's first event (a few days before it)."""
    starts = []
    for calendar in icalendar.Calendar.from_ical(_text(data), multiple=True):
        for vevent in calendar.walk("VEVENT"):
            value = _start(vevent)
            if value is not None:
                starts.append(value.date() if isinstance(value, datetime) else value)
    first = min(starts) if starts else datetime.now(UTC).date()
    return FeedWindow(first - timedelta(days=3), first + timedelta(days=730))


def _text(data: bytes) -> str:
    text = re.sub(r"\r\n|\r|\n", "\r\n", data.decode("utf-8", "replace").lstrip("\ufeff \r\n"))
    return re.sub(r"(?:\r\n)[ \t]*(?=\r\n)", "", text)


def _start(vevent: icalendar.cal.Component) -> date | None:
    try:
        value = vevent["DTSTART"].dt
    except (KeyError, AttributeError, ValueError, icalendar.error.BrokenCalendarProperty):
        return None
    return value if isinstance(value, date) else None
