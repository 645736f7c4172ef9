"""Read another channel's iCalendar export into the nights it takes.

Real exports bend RFC 5545 (see the integration spec, §3.1): LF line endings, a leading blank
line, no DTSTAMP, DTEND written before DTSTART, UTC DATE-TIMEs where a DATE is meant,
Booking.com's over-escaped PRODID. Those are accepted. One broken VEVENT is skipped, not
fatal; but bytes that are not a whole calendar raise ``FeedUnparseable``, because treating a
truncated download or an HTML error page as "no bookings" would free nights that are taken.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component

from domain.calendar import ARGENTINA
from domain.external_calendar import (
    MAX_UID_LENGTH,
    ExternalEvent,
    ExternalEventKind,
    ExternalSource,
    FeedUnparseable,
    classify,
)
from domain.stay import Stay

# More events than any single cabin has in years of calendar: something is wrong upstream.
MAX_EVENTS = 5000

_BEGIN_EVENT = re.compile(r"^BEGIN:VEVENT[ \t\r]*$", re.IGNORECASE | re.MULTILINE)
_END_CALENDAR = re.compile(r"^END:VCALENDAR[ \t\r]*$", re.IGNORECASE | re.MULTILINE)
_OVER_ESCAPED = re.compile(r"\\([\\,;])")
# A TZID naming UTC says no more than a trailing "Z": it is not the author's own zone.
_UTC_NAMES = frozenset({"UTC", "GMT", "Z", "ETC/UTC", "ETC/GMT"})


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    prodid: str | None
    events: tuple[ExternalEvent, ...]
    skipped: int = 0
    """VEVENTs dropped as broken (no DTSTART, end before start, duplicate UID, ...)."""


def parse_feed(
    data: bytes,
    source: ExternalSource,
    *,
    zone: ZoneInfo = ARGENTINA,
    max_events: int = MAX_EVENTS,
) -> ParsedFeed:
    """Events sorted by ``(stay, uid)``, one per UID, cancelled ones left out.

    DATE-TIME values become dates in the zone their author was thinking in: the value's own
    TZID if it has one, otherwise the calendar's X-WR-TIMEZONE when valid, otherwise ``zone``
    (the cabin's). So Google's ``DTSTART:20261215T030000Z`` in a Buenos Aires calendar is the
    15th, not the 15th-in-UTC that happens to be the 14th elsewhere.
    """
    text = _decode(data)
    if len(_BEGIN_EVENT.findall(text)) > max_events:
        raise FeedUnparseable(f"The calendar feed has more than {max_events} events.")
    try:
        components = Calendar.from_ical(text, multiple=True)
    except Exception as exc:  # icalendar raises a variety; none may escape this adapter
        raise FeedUnparseable(
            f"The calendar feed is not valid iCalendar ({type(exc).__name__})."
        ) from exc
    calendars = [c for c in components if c.name == "VCALENDAR"]
    if not calendars:
        raise FeedUnparseable("The calendar feed is incomplete (no END:VCALENDAR).")

    vevents = [
        (vevent, _calendar_zone(calendar, default=zone))
        for calendar in calendars
        for vevent in calendar.walk("VEVENT")
    ]
    if len(vevents) > max_events:  # the text count above misses oddly folded BEGIN lines
        raise FeedUnparseable(f"The calendar feed has more than {max_events} events.")
    kept: dict[str, ExternalEvent] = {}
    skipped = 0
    for vevent, calendar_zone in vevents:
        if _is_ignored(vevent):
            continue
        try:
            event = _to_event(vevent, source, calendar_zone)
        except Exception:  # one bad VEVENT must not hide the others
            event = None
        # The first of a repeated UID wins: RFC 5545 makes UIDs unique per calendar, so a
        # repeat is a writer bug and neither copy is more trustworthy than the other.
        if event is None or event.uid in kept:
            skipped += 1
            continue
        kept[event.uid] = event

    events = tuple(sorted(kept.values(), key=lambda e: (e.stay, e.uid)))
    return ParsedFeed(prodid=_prodid(calendars[0]), events=events, skipped=skipped)


def _decode(data: bytes) -> str:
    """Text that looks like a whole calendar, with CRLF line endings, or FeedUnparseable."""
    if not data.strip():
        raise FeedUnparseable("The calendar feed is empty.")
    # Some exports carry stray Latin-1 in summaries; the parts we read are ASCII anyway.
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    text = re.sub(r"\r\n|\r|\n", "\r\n", text)  # CRLF, LF and bare CR all seen in the wild
    if text.startswith("<"):
        raise FeedUnparseable(
            "The calendar link returned a web page, not a calendar: check the export URL."
        )
    if text[:15].upper() != "BEGIN:VCALENDAR" or "\x00" in text:
        raise FeedUnparseable("The calendar feed is not an iCalendar file.")
    if not _END_CALENDAR.search(text):
        raise FeedUnparseable("The calendar feed is incomplete (no END:VCALENDAR).")
    return text


def _calendar_zone(calendar: Calendar, *, default: ZoneInfo) -> tzinfo:
    name = str(calendar.get("X-WR-TIMEZONE", "")).strip()
    if not name:
        return default
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):  # unknown, malformed or path-like names
        return default


def _prodid(calendar: Calendar) -> str | None:
    raw = calendar.get("PRODID")
    if raw is None:
        return None
    # Booking.com escapes twice ("booking.com\\\, b.v."); one unescape leaves "\," behind.
    return _OVER_ESCAPED.sub(r"\1", str(raw)).strip() or None


def _is_ignored(vevent: Component) -> bool:
    if str(vevent.get("STATUS", "")).strip().upper() == "CANCELLED":
        return True
    # An override of one instance of a recurring series shares the series' UID. Recurrences
    # are not expanded (no channel we import from writes them); only the series' first
    # occurrence, its DTSTART, is taken.
    return "RECURRENCE-ID" in vevent


def _to_event(vevent: Component, source: ExternalSource, zone: tzinfo) -> ExternalEvent | None:
    # TRANSP:TRANSPARENT is deliberately not honoured: Google marks all-day events "free"
    # by default, and all-day events are exactly how owners block dates.
    dtstart, dtend, duration = (_single(vevent, n) for n in ("DTSTART", "DTEND", "DURATION"))
    if dtstart is None:
        return None
    start = _wall_clock(dtstart, zone)
    if dtend is not None:  # preferred over DURATION when a writer sends both
        end = _wall_clock(dtend, zone)
        if end <= start:
            return None
    elif duration is not None:
        if not isinstance(duration.dt, timedelta) or duration.dt <= timedelta(0):
            return None
        end = start + duration.dt
    elif isinstance(dtstart.dt, datetime):
        end = start  # RFC 5545: a DATE-TIME start without an end is an instant
    else:
        end = start + timedelta(days=1)  # RFC 5545: a DATE start without an end is one day
    check_in = start.date()
    # An event that starts and ends within one local day (a timed block) still touches that
    # night; a double booking costs more than an unsold night, so it keeps the night.
    check_out = max(end.date(), check_in + timedelta(days=1))
    summary = _single(vevent, "SUMMARY")
    kind = classify("" if summary is None else str(summary), source)
    uid = _uid(_single(vevent, "UID"), source, kind, check_in, check_out)
    return ExternalEvent(uid=uid, stay=Stay(check_in, check_out), kind=kind)


def _single(vevent: Component, name: str) -> Any:
    """The property, None when absent; a repeated one makes the event broken."""
    value = vevent.get(name)
    if isinstance(value, list):
        raise ValueError(f"{name} appears more than once")
    return value


def _wall_clock(prop: Any, zone: tzinfo) -> datetime:
    """The local date and time a DTSTART/DTEND stands for, as a naive datetime."""
    value = prop.dt
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    tzid = str(prop.params.get("TZID", "")).strip().upper()
    if value.tzinfo is None or (tzid and tzid not in _UTC_NAMES):
        return value.replace(tzinfo=None)  # floating, or in the author's stated zone
    return value.astimezone(zone).replace(tzinfo=None)


def _uid(
    raw: object, source: ExternalSource, kind: ExternalEventKind, check_in: date, check_out: date
) -> str:
    uid = "" if raw is None else str(raw).strip()
    if len(uid) > MAX_UID_LENGTH:
        return "sha256-" + hashlib.sha256(uid.encode()).hexdigest()
    if uid:
        return uid
    # No UID: derive a stable one from what identifies the block. The summary is left out on
    # purpose: it may carry guest digits, and a hash of a short text is easy to reverse.
    key = f"{source}|{kind}|{check_in.isoformat()}|{check_out.isoformat()}"
    return f"synthesised-{hashlib.sha256(key.encode()).hexdigest()[:32]}@{source}"
