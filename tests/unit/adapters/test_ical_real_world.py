"""Calendar files as their producers write them, read by our parser and, independently, by
``recurring-ical-events`` alone (tests/ical_reference.py): over the same window both must block
the same nights.

The files: ``tests/fixtures/ical/*.ics`` and ``shapes/*.ics`` (written here after the exports of
Airbnb, Booking.com, VRBO, Google, Exchange, iCloud, Thunderbird and Synology; see
``tests/fixtures/ical/SOURCES.md``), and every genuine export placed in the steering
repository's ``shared/fixtures/ical/real/`` (or ``$CABANAS_REAL_ICAL_DIR``), which this
repository cannot carry itself.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from adapters.ical.parser import parse_feed
from domain.calendar import ARGENTINA
from domain.calendar_sync.external_calendar import ExternalSource, FeedUnparseable
from tests.ical_reference import reference_nights, window_of

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ical"
REAL = Path(
    os.environ.get(
        "CABANAS_REAL_ICAL_DIR",
        Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "ical" / "real",
    )
)
FILES = sorted([*FIXTURES.glob("*.ics"), *(FIXTURES / "shapes").glob("*.ics"), *REAL.glob("*.ics")])

# Files that genuinely cannot be read whole, and why; their readable events are still compared.
CANNOT_READ = {
    "truncated.ics": "a download cut short: no END:VCALENDAR (refused, nothing freed)",
}
# Events we refuse to guess at, where the library does guess; counted as unreadable, so events
# that vanish from such a feed keep their nights.
DEVIATIONS = {
    # DTEND before DTSTART: the library swaps the dates; we count the event unreadable.
    "other_lf.ics": {date(2027, 4, 18), date(2027, 4, 19)},
}


def nights(data: bytes, name: str) -> tuple[set[date], set[date]]:
    window = window_of(data)
    parsed = parse_feed(data, ExternalSource.OTHER, window=window)
    ours: set[date] = set()
    for event in parsed.events:
        night = event.stay.check_in
        while night < event.stay.check_out:
            if window.since <= night < window.until:
                ours.add(night)
            night += timedelta(days=1)
    return ours, reference_nights(data, window, ARGENTINA) - DEVIATIONS.get(name, set())


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_we_block_the_nights_the_reference_expander_blocks(path: Path) -> None:
    data = path.read_bytes()
    if path.name in CANNOT_READ:
        with pytest.raises(FeedUnparseable):
            parse_feed(data, ExternalSource.OTHER)
        return
    ours, reference = nights(data, path.name)
    assert ours == reference, (sorted(ours - reference)[:5], sorted(reference - ours)[:5])


def test_the_fixture_set_covers_the_producers_named_in_the_issue() -> None:
    prodids = " ".join(
        p.read_bytes().split(b"PRODID", 1)[-1][:80].decode("utf-8", "replace") for p in FILES
    )
    for producer in (
        "Airbnb",
        "booking.com",
        "HomeAway",
        "Google",
        "Exchange",
        "Apple",
        "Mozilla",
        "Synology",
    ):
        assert producer.lower() in prodids.lower(), producer
    assert len(FILES) >= 12


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # the weekly series (4 × 2 nights), a monthly series with an EXDATE and a moved,
        # longer instance, and one UTC-stamped stay read in the calendar's zone
        ("google_recurring_overrides.ics", 10),
        # two identical UID-less events are two blocks; a zero-length one keeps its night
        ("exchange_windows_tz_no_uid.ics", 6),
        # four monthly instances, one cancelled; a DURATION event
        ("thunderbird_cancelled_instance.ics", 4),
        ("icloud_rdate.ics", 4),
        ("synology_duration.ics", 2),
        ("vrbo_export.ics", 2),
    ],
)
def test_each_shape_reads_whole_into_its_blocks(name: str, expected: int) -> None:
    data = (FIXTURES / "shapes" / name).read_bytes()
    parsed = parse_feed(data, ExternalSource.OTHER, window=window_of(data))
    assert (len(parsed.events), parsed.skipped, parsed.warnings) == (expected, 0, 0)
    assert len({e.uid for e in parsed.events}) == expected
