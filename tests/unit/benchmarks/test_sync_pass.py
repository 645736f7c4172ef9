"""The sync-pass benchmark measures what it says: feeds of 500 events with weekly series that
expand to 650 stays each, and a report that puts each pass against the 300 s interval."""

from __future__ import annotations

import datetime as dt

from benchmarks import sync_pass

from adapters.ical.parser import parse_feed
from domain.calendar_sync.external_calendar import ExternalSource, FeedWindow

TODAY = dt.date(2026, 12, 2)


def test_each_bench_feed_has_500_events_that_expand_to_650_stays() -> None:
    body = sync_pass.feed_body(3, TODAY)
    assert body.count(b"BEGIN:VEVENT") == sync_pass.EVENTS == 500
    window = FeedWindow.around(TODAY, horizon_days=548, max_nights=30)
    parsed = parse_feed(body, ExternalSource.GOOGLE, window=window)
    assert len(parsed.events) == 450 + 50 * 4
    assert parsed.skipped == 0


def test_the_report_shows_each_pass_against_the_interval() -> None:
    run = {
        "seconds": 6.0,
        "outcomes": {"updated": 10},
        "placed": 5030,
        "waiting": 1470,
        "released": 0,
    }
    lines = sync_pass.report(
        {
            "feeds": 10,
            "events_per_feed": 500,
            "feed_bytes": 64_000,
            "passes": [run],
            "budget_s": 300,
        }
    )
    assert lines[0].startswith("| Sync pass: 10 feeds × 500 events (62 KiB each")
    assert lines[2] == "| first (places all) | 6.00 | 2.0% | {'updated': 10} | 5030 / 1470 / 0 |"
