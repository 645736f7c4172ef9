"""Read another channel's iCalendar export into the nights it takes.

Real exports bend RFC 5545 (see the integration spec, §3.1): LF line endings, a leading blank
line, no DTSTAMP, DTEND written before DTSTART, UTC DATE-TIMEs where a DATE is meant,
Booking.com's over-escaped PRODID, Exchange's Windows time-zone names and events without a UID,
merged feeds that repeat PRODID. Those are accepted. Recurring events (RRULE, RDATE, EXDATE,
RECURRENCE-ID overrides, cancelled instances) are expanded by ``recurring-ical-events`` over the
window that matters, each occurrence a block of its own.

One broken VEVENT is skipped and counted, not fatal; but bytes that are not a whole calendar, a
time zone nobody knows, or a feed that expands past the cap raise ``FeedUnparseable``, because
reading such a feed as "no bookings" (or half of them) would free nights that are taken.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar, Component
from icalendar.prop import vBroken

from domain.calendar import ARGENTINA
from domain.calendar_sync.external_calendar import (
    MAX_UID_LENGTH,
    ExternalEvent,
    ExternalSource,
    FeedUnparseable,
    FeedWindow,
    classify,
)
from domain.errors import InvalidValue
from domain.stay import Stay

# More events than any single cabin has in years of calendar: something is wrong upstream.
MAX_EVENTS = 5000
# Occurrences inside the window, recurrences expanded: the same bound on what one feed may hold.
MAX_OCCURRENCES = 5000
# Without a window (tools, tests): everything a booking system could still care about.
WHOLE_WINDOW = FeedWindow(date(2000, 1, 1), date(2100, 1, 1))

_BEGIN_EVENT = re.compile(r"^BEGIN:VEVENT[ \t\r]*$", re.IGNORECASE | re.MULTILINE)
_END_CALENDAR = re.compile(r"^END:VCALENDAR[ \t\r]*$", re.IGNORECASE | re.MULTILINE)
_OVER_ESCAPED = re.compile(r"\\([\\,;])")
# A TZID naming UTC says no more than a trailing "Z": it is not the author's own zone.
_UTC_NAMES = frozenset({"UTC", "GMT", "Z", "ETC/UTC", "ETC/GMT"})
_RECURRING = ("RRULE", "RDATE", "RECURRENCE-ID")


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    prodid: str | None
    events: tuple[ExternalEvent, ...]
    skipped: int = 0
    """VEVENTs dropped as broken (no DTSTART, end before start, duplicate UID, bad RRULE...)."""
    warnings: int = 0
    """VEVENTs read with a repair (an invalid DURATION: the DTSTART night is kept)."""


def parse_feed(
    data: bytes,
    source: ExternalSource,
    *,
    zone: ZoneInfo = ARGENTINA,
    window: FeedWindow = WHOLE_WINDOW,
    max_events: int = MAX_EVENTS,
    max_occurrences: int = MAX_OCCURRENCES,
) -> ParsedFeed:
    """Occurrences overlapping ``window``, sorted by ``(stay, uid)``, cancelled ones left out.

    Identity: an event that does not recur keeps its UID; each occurrence of a recurring one is
    ``UID/<original start>`` (its RECURRENCE-ID), so a moved or cancelled instance moves or
    frees just its nights. An event without a UID gets one from its dates and its ordinal among
    identical events (two UID-less events on the same dates are two blocks).

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
    if sum(len(c.walk("VEVENT")) for c in calendars) > max_events:
        # the text count above misses oddly folded BEGIN lines
        raise FeedUnparseable(f"The calendar feed has more than {max_events} events.")

    reader = _Reader(source, zone, window, max_occurrences)
    for calendar in calendars:  # a merged feed: several VCALENDARs, or one repeating PRODID
        reader.read(calendar)
    events = tuple(sorted(reader.events.values(), key=lambda e: (e.stay, e.uid)))
    return ParsedFeed(
        prodid=_prodid(calendars[0]),
        events=events,
        skipped=reader.skipped,
        warnings=reader.warnings,
    )


class _Reader:
    """Validates VEVENTs one by one (the broken are counted and removed), then expands what is
    left with recurring-ical-events and turns each occurrence into an ``ExternalEvent``."""

    def __init__(
        self, source: ExternalSource, zone: ZoneInfo, window: FeedWindow, cap: int
    ) -> None:
        self.source = source
        self.zone = zone
        self.window = window
        self.cap = cap
        self.events: dict[str, ExternalEvent] = {}
        self.skipped = 0
        self.warnings = 0
        self._masters: set[str] = set()
        self._uidless: Counter[str] = Counter()

    def read(self, calendar: Calendar) -> None:
        zone = _calendar_zone(calendar, default=self.zone)
        known_zones = {_text(_get(tz, "TZID")) for tz in calendar.walk("VTIMEZONE")}
        kept: list[Component] = []
        for component in calendar.subcomponents:
            if component.name != "VEVENT" or self._admit(component, known_zones):
                kept.append(component)
        calendar.subcomponents = kept
        recurring = {
            str(c["UID"]) for c in kept if c.name == "VEVENT" and any(k in c for k in _RECURRING)
        }
        for occurrence in self._expand(calendar):
            if _text(_get(occurrence, "STATUS")).upper() == "CANCELLED":
                continue  # a cancelled instance of a series
            try:
                event = self._to_event(occurrence, zone, recurring)
            except InvalidValue:  # e.g. a UID the domain refuses: that event is broken
                self.skipped += 1
                continue
            if event is not None and event.uid not in self.events:
                self.events[event.uid] = event
                if len(self.events) > self.cap:
                    raise FeedUnparseable(
                        f"The calendar expands to more than {self.cap} stays between "
                        f"{self.window.since.isoformat()} and {self.window.until.isoformat()}."
                    )

    def _admit(self, vevent: Component, known_zones: set[str]) -> bool:
        """False for an event to leave out: cancelled (silently) or broken (counted)."""
        overrides = "RECURRENCE-ID" in vevent
        if not overrides and _text(_get(vevent, "STATUS")).upper() == "CANCELLED":
            return False
        try:
            self._check(vevent, known_zones)
        except _Broken:
            self.skipped += 1
            return False
        # An event nested inside an event is no event (RFC 5545 has none): dropped, so neither
        # the expansion nor anything after it meets a VEVENT that was never checked.
        _drop_nested_events(vevent)
        uid = _text(_get(vevent, "UID"))
        if not uid:
            vevent["UID"] = self._synthesised_uid(vevent)
        elif not overrides:
            # The first of a repeated UID wins: RFC 5545 makes UIDs unique per calendar, so a
            # repeat is a writer bug and neither copy is more trustworthy than the other.
            if uid in self._masters:
                self.skipped += 1
                return False
            self._masters.add(uid)
        return True

    def _check(self, vevent: Component, known_zones: set[str]) -> None:
        for name in ("DTSTART", "DTEND", "DURATION", "RRULE", "RECURRENCE-ID", "UID"):
            if isinstance(_get(vevent, name), list):
                raise _Broken(f"{name} appears more than once")
        start = _get(vevent, "DTSTART")
        if start is None or isinstance(start, vBroken):
            raise _Broken("no DTSTART")
        if not isinstance(start.dt, date):
            raise _Broken("DTSTART is not a date")
        _check_zone(start, known_zones)
        end = _get(vevent, "DTEND")
        if end is not None:
            if isinstance(end, vBroken) or not isinstance(end.dt, date):
                raise _Broken("DTEND is not a date")
            _check_zone(end, known_zones)
            if _comparable(end.dt) < _comparable(start.dt):
                raise _Broken("DTEND before DTSTART")
            if "DURATION" in vevent:
                del vevent["DURATION"]  # DTEND is preferred when a writer sends both
        elif "DURATION" in vevent:
            self._check_duration(vevent)
        for name in ("RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"):
            values = _get(vevent, name)
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, vBroken):
                    raise _Broken(f"{name} is unreadable")

    def _check_duration(self, vevent: Component) -> None:
        duration = _get(vevent, "DURATION")
        if (
            isinstance(duration, vBroken)
            or not isinstance(duration.dt, timedelta)
            or duration.dt < timedelta(0)
        ):
            # Keep the DTSTART night rather than drop a booking over a bad length.
            del vevent["DURATION"]
            self.warnings += 1

    def _synthesised_uid(self, vevent: Component) -> str:
        """From what identifies the block (its dates, rules and kind) and the ordinal among
        identical ones. The summary itself is left out on purpose: it may carry guest digits,
        and a hash of a short text is easy to reverse."""
        kind = classify(_text(_get(vevent, "SUMMARY")), self.source)
        parts = [self.source.value, kind.value]
        for name in ("DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE"):
            value = _get(vevent, name)
            for item in value if isinstance(value, list) else [value]:
                parts.append(f"{name}={item.to_ical().decode() if item is not None else ''}")
                params = getattr(item, "params", None)
                if params and "TZID" in params:
                    parts.append(f"TZID={params['TZID']}")
        content = "|".join(parts)
        ordinal = self._uidless[content]
        self._uidless[content] += 1
        digest = hashlib.sha256(f"{content}|{ordinal}".encode()).hexdigest()[:32]
        return f"synthesised-{digest}@{self.source.value}"

    def _expand(self, calendar: Calendar) -> list[Component]:
        try:
            return self._between(calendar)
        except FeedUnparseable:
            raise
        except Exception:  # one series the library cannot expand: find it, keep the others
            return self._expand_series_by_series(calendar)

    def _between(self, calendar: Calendar) -> list[Component]:
        query = recurring_ical_events.of(calendar)
        found: list[Component] = []
        for occurrence in query.between(self.window.since, self.window.until):
            found.append(occurrence)
            if len(found) > 4 * self.cap:  # cancelled instances included, still bounded
                raise FeedUnparseable(
                    f"The calendar expands to more than {self.cap} stays between "
                    f"{self.window.since.isoformat()} and {self.window.until.isoformat()}."
                )
        return found

    def _expand_series_by_series(self, calendar: Calendar) -> list[Component]:
        shared = [c for c in calendar.subcomponents if c.name != "VEVENT"]
        series: dict[str, list[Component]] = {}
        for vevent in calendar.walk("VEVENT"):
            # A VEVENT nested in another component was never admitted (nor given a UID).
            series.setdefault(str(vevent.get("UID", "")), []).append(vevent)
        found: list[Component] = []
        for members in series.values():
            single = Calendar()
            for name, value in calendar.property_items(recursive=False):
                if name not in ("BEGIN", "END"):
                    single.add(name, value)
            single.subcomponents = [*shared, *members]
            try:
                found += self._between(single)
            except FeedUnparseable:
                raise
            except Exception:
                self.skipped += len(members)
        return found

    def _to_event(
        self, occurrence: Component, zone: tzinfo, recurring: set[str]
    ) -> ExternalEvent | None:
        # TRANSP:TRANSPARENT is deliberately not honoured: Google marks all-day events "free"
        # by default, and all-day events are exactly how owners block dates.
        dtstart = _get(occurrence, "DTSTART")
        start = _wall_clock(dtstart.dt, zone)
        dtend = _get(occurrence, "DTEND")
        duration = _get(occurrence, "DURATION")
        if dtend is not None:
            end = _wall_clock(dtend.dt, zone)
        elif duration is not None and isinstance(duration.dt, timedelta):
            end = start + duration.dt
        elif isinstance(dtstart.dt, datetime):
            end = start  # RFC 5545: a DATE-TIME start without an end is an instant
        else:
            end = start + timedelta(days=1)  # RFC 5545: a DATE start without an end is one day
        check_in = start.date()
        # An event that starts and ends within one local day (a timed block, or one whose end
        # equals its start) still touches that night; a double booking costs more than an
        # unsold night, so it keeps the night.
        check_out = max(end.date(), check_in + timedelta(days=1))
        if check_out < self.window.since or check_in >= self.window.until:
            return None  # a timed event that touched the window only in UTC
        kind = classify(_text(_get(occurrence, "SUMMARY")), self.source)
        uid = _text(_get(occurrence, "UID"))
        if uid in recurring:
            rid = _get(occurrence, "RECURRENCE-ID")
            uid = f"{uid}/{_instant(rid.dt if rid is not None else dtstart.dt)}"
            if _bounded(uid) in self.events:
                # After a RANGE=THISANDFUTURE override, every later instance carries that
                # override's RECURRENCE-ID: they are told apart by where they now start.
                uid = f"{uid}+{_instant(dtstart.dt)}"
        return ExternalEvent(uid=_bounded(uid), stay=Stay(check_in, check_out), kind=kind)


class _Broken(Exception):
    pass


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
    # Blank lines between components (Office 365 writes them) are no content lines at all.
    return re.sub(r"(?:\r\n)[ \t]*(?=\r\n)", "", text)


def _calendar_zone(calendar: Calendar, *, default: ZoneInfo) -> tzinfo:
    if "X-WR-TIMEZONE" not in calendar:
        return default
    try:
        return ZoneInfo(_text(_get(calendar, "X-WR-TIMEZONE")))
    except (ValueError, KeyError, OSError):  # empty, unknown, malformed or path-like names
        # recurring-ical-events would apply it to every UTC time; ours is the fallback.
        del calendar["X-WR-TIMEZONE"]
        return default


def _check_zone(prop: Any, known_zones: set[str]) -> None:
    """A TZID that is neither in the feed's VTIMEZONEs nor a zone icalendar knows (IANA or
    Windows names) leaves the time floating in an unknown place: the whole feed is refused."""
    tzid = _text(prop.params.get("TZID"))
    if not tzid or tzid.upper() in _UTC_NAMES or tzid in known_zones:
        return
    if isinstance(prop.dt, datetime) and prop.dt.tzinfo is None:
        raise FeedUnparseable(f"The calendar uses an unknown time zone ({tzid[:64]}).")


def _get(component: Component, name: str) -> Any:
    """A property as icalendar parsed it (a list when repeated), None when absent."""
    return component.get(name)


def _drop_nested_events(component: Component) -> None:
    component.subcomponents = [c for c in component.subcomponents if c.name != "VEVENT"]
    for child in component.subcomponents:
        _drop_nested_events(child)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip()


def _prodid(calendar: Calendar) -> str | None:
    raw = _text(_get(calendar, "PRODID"))  # a merged feed may repeat it: the first one counts
    # Booking.com escapes twice ("booking.com\\\, b.v."); one unescape leaves "\," behind.
    return _OVER_ESCAPED.sub(r"\1", raw).strip() or None


def _comparable(value: date) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _wall_clock(value: date, zone: tzinfo) -> datetime:
    """The local date and time a DTSTART/DTEND stands for, as a naive datetime."""
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        return value  # floating
    if value.utcoffset() == timedelta(0) and _is_utc(value.tzinfo):
        return value.astimezone(zone).replace(tzinfo=None)
    return value.replace(tzinfo=None)  # in the author's stated zone


def _is_utc(zone: tzinfo) -> bool:
    key = getattr(zone, "key", None) or getattr(zone, "zone", None) or str(zone)
    return zone is UTC or str(key).upper() in _UTC_NAMES or str(key).upper() == "UTC+00:00"


def _instant(value: date) -> str:
    """An occurrence's original start as text that does not depend on how it was written."""
    if not isinstance(value, datetime):
        return value.strftime("%Y%m%d")
    if value.tzinfo is None:
        return value.strftime("%Y%m%dT%H%M%S")
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _bounded(uid: str) -> str:
    if len(uid) > MAX_UID_LENGTH:
        return "sha256-" + hashlib.sha256(uid.encode()).hexdigest()
    return uid
