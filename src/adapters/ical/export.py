"""Our own iCalendar feed, for Airbnb, Booking.com and Google to import, written with
icalendar: components, value types (DATE for whole nights, UTC stamps), TEXT escaping and
content lines. Two things stay ours: text is cleaned of what TEXT forbids before icalendar
sees it, and the folding at 75 octets (``fold_line``). The bytes, and with them the ETag,
depend only on the entries.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event, vText

from domain.stay import Stay

MAX_LINE_OCTETS = 75  # RFC 5545 §3.1, not counting the CRLF
CRLF = b"\r\n"

# RFC 5545 TEXT allows no control characters but HTAB; a stray CR or NUL in a name must not
# start a new content line in the importer (newlines are kept, escaped as "\n").
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One exported VEVENT. The summary must be free of guest PII (it leaves our hands)."""

    uid: str
    stay: Stay
    summary: str
    stamp: datetime
    """When the entry last changed (aware); written as DTSTAMP and LAST-MODIFIED in UTC."""

    def __post_init__(self) -> None:
        if not self.uid.strip():
            raise ValueError("a feed entry needs a UID")
        if self.stamp.tzinfo is None or self.stamp.utcoffset() is None:
            raise ValueError("a feed entry's stamp must be timezone-aware")


def render_calendar(entries: Sequence[FeedEntry], *, prodid: str, name: str) -> bytes:
    """A complete VCALENDAR (METHOD:PUBLISH), one VEVENT per entry, sorted by stay then UID.

    DTEND is the check-out date: RFC 5545 DATE ends are exclusive, exactly like ``Stay``.
    """
    uids = [entry.uid for entry in entries]
    if len(set(uids)) != len(uids):
        raise ValueError("feed entries must have distinct UIDs")
    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", _text(prodid))
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("X-WR-CALNAME", _text(name))
    for entry in sorted(entries, key=lambda e: (e.stay, e.uid)):
        stamp = entry.stamp.astimezone(UTC)
        event = Event()
        event.add("UID", _text(entry.uid))
        event.add("DTSTAMP", stamp)
        event.add("LAST-MODIFIED", stamp)
        event.add("DTSTART", entry.stay.check_in)
        event.add("DTEND", entry.stay.check_out)
        event.add("SUMMARY", _text(entry.summary))
        event.add("TRANSP", "OPAQUE")
        event.add("STATUS", "CONFIRMED")
        calendar.add_component(event)
    # icalendar's own folding (to_ical) breaks lines at 74 octets; ours keeps the 75 RFC 5545
    # allows, so the bytes and ETags of existing feeds do not change.
    return b"".join(fold_line(line) for line in calendar.content_lines(sorted=False) if line)


def escape_text(value: str) -> str:
    """RFC 5545 §3.3.11 TEXT: escape ``\\ ; ,`` and newlines; colons stay as they are.

    CR and CRLF count as newlines; other control characters are dropped (TEXT forbids them).
    """
    return _text(value).to_ical().decode()


def fold_line(line: str) -> bytes:
    """One content line as UTF-8, folded at 75 octets, ending in CRLF.

    Continuation lines start with a single space that counts toward their 75 octets. A fold
    never falls inside a multi-byte character, so each physical line is valid UTF-8.
    """
    physical: list[bytes] = []
    current = bytearray()
    for char in line:
        # Lone surrogates cannot be UTF-8; "?" beats failing the whole feed.
        encoded = char.encode("utf-8", errors="replace")
        if len(current) + len(encoded) > MAX_LINE_OCTETS:
            physical.append(bytes(current))
            current = bytearray(b" ")
        current += encoded
    physical.append(bytes(current))
    return CRLF.join(physical) + CRLF


def _text(value: str) -> vText:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _Text(_CONTROL.sub("", value))


class _Text(vText):
    """TEXT escaped exactly as RFC 5545 §3.3.11 says. icalendar's own escaping first turns the
    two characters ``\\N`` into a newline (taking them for an escape already written), so a
    summary holding them came back out as a line break."""

    def to_ical(self) -> bytes:
        escaped = (
            self.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
        )
        return escaped.encode("utf-8")  # vText's default, the only one we create them with
