"""Write our own iCalendar feed, byte for byte, for Airbnb, Booking.com and Google to import.

Hand-written rather than through icalendar so that we own every octet: CRLF everywhere,
folding at 75 octets without splitting a UTF-8 character, DATE values for whole nights, and
an order that depends only on the entries (a stable body gives a stable ETag).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

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
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{escape_text(prodid)}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for entry in sorted(entries, key=lambda e: (e.stay, e.uid)):
        stamp = _utc_stamp(entry.stamp)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{escape_text(entry.uid)}",
            f"DTSTAMP:{stamp}",
            f"LAST-MODIFIED:{stamp}",
            f"DTSTART;VALUE=DATE:{_date(entry.stay.check_in)}",
            f"DTEND;VALUE=DATE:{_date(entry.stay.check_out)}",
            f"SUMMARY:{escape_text(entry.summary)}",
            "TRANSP:OPAQUE",
            "STATUS:CONFIRMED",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return b"".join(fold_line(line) for line in lines)


def escape_text(value: str) -> str:
    """RFC 5545 §3.3.11 TEXT: escape ``\\ ; ,`` and newlines; colons stay as they are.

    CR and CRLF count as newlines; other control characters are dropped (TEXT forbids them).
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


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


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _date(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"
