"""The calendar sync pass at the size the issue names: 10 feeds × 500 events, a tenth of them
weekly series (so each feed expands to ~650 stays), served by a local calendar host, synced by
the real ``SyncAllFeeds`` (fetch, parse, expand, apply in PostgreSQL) against its own database.

Three passes, timed: the first places every event; the second reads every feed whole again and
finds nothing changed; the third is answered 304 by every feed. The budget is the sync interval
(300 s): the pass must take a small part of it.

    .venv/bin/python -m benchmarks.sync_pass      (also part of `make bench`; SYNC_FEEDS=100
                                                   for more feeds, as `make bench-scale` does)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from application.calendar_sync.sync_feeds import SyncAllFeeds
from entrypoints.container import make_container
from entrypoints.embedded import EmbeddedPostgres, EmbeddedRedis
from entrypoints.migrate import upgrade
from entrypoints.settings import Settings

FEEDS = 10
EVENTS = 500
SERIES_EVERY = 10  # one event in ten is a weekly series of four
BUDGET_S = 300


def feed_body(feed: int, today: dt.date) -> bytes:
    lines = ["BEGIN:VCALENDAR", "PRODID:-//Google Inc//Google Calendar 70.9054//EN", "VERSION:2.0"]
    for i in range(EVENTS):
        start = today + dt.timedelta(days=1 + i)
        lines += [
            "BEGIN:VEVENT",
            f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{start + dt.timedelta(days=1):%Y%m%d}",
            f"UID:bench-{feed}-{i}@google.com",
            "SUMMARY:Ocupado",
        ]
        if i % SERIES_EVERY == 0:
            lines.append("RRULE:FREQ=WEEKLY;COUNT=4")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


class _Host(BaseHTTPRequestHandler):
    feeds: dict[str, bytes] = {}
    conditional = True  # False: every request answered whole (a host without ETags)

    def do_GET(self) -> None:
        body = self.feeds.get(self.path.strip("/"), b"")
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        if self.conditional and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


async def passes(settings: Settings, rounds: int = 3) -> list[dict[str, Any]]:
    container = make_container(settings)
    out = []
    try:
        for round_ in range(rounds):
            _Host.conditional = round_ != 1
            async with container() as scope:
                sync_all = await scope.get(SyncAllFeeds)
                started = time.perf_counter()
                report = await sync_all()
                elapsed = time.perf_counter() - started
            outcomes = [r.outcome for r in report.results]
            out.append(
                {
                    "seconds": round(elapsed, 2),
                    "feeds": len(report.results),
                    "outcomes": {o: outcomes.count(o) for o in sorted(set(outcomes))},
                    "placed": sum(r.placed for r in report.results),
                    "waiting": sum(r.waiting for r in report.results),
                    "released": sum(r.released for r in report.results),
                }
            )
    finally:
        await container.close()
    return out


def measure(pg: EmbeddedPostgres, redis: EmbeddedRedis, feeds: int = FEEDS) -> dict[str, Any]:
    """Three passes over ``feeds`` feeds (one cabin each) in a database of their own."""
    today = dt.datetime.now(ZoneInfo("America/Argentina/Buenos_Aires")).date()
    name = "bench_sync" if feeds == FEEDS else f"bench_sync_{feeds}"
    pg.create_database(name)
    url = pg.url(name)
    upgrade(url)
    _Host.feeds = {f"feed{n}.ics": feed_body(n, today) for n in range(feeds)}
    host = ThreadingHTTPServer(("127.0.0.1", 0), _Host)
    threading.Thread(target=host.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{host.server_address[1]}"
    pg.psql(
        "INSERT INTO accommodations (name, capacity, base_price_cents, min_nights) "
        f"SELECT 'Sync ' || g, 4, 5000000, 1 FROM generate_series(1, {feeds}) g",
        name,
    )
    pg.psql(
        "INSERT INTO ical_feeds (accommodation_id, source, url, created_at, updated_at) "
        f"SELECT a.id, 'google', '{base}/feed' || (row_number() OVER (ORDER BY a.id) - 1) "
        "|| '.ics', now(), now() FROM accommodations a",
        name,
    )
    settings = msgspec.structs.replace(
        Settings(),
        database_url=url,
        redis_url=redis.url(),
        ical_allow_private_urls=True,
        log_level="warning",
    )
    try:
        runs = asyncio.run(passes(settings))
    finally:
        host.shutdown()
    return {
        "feeds": feeds,
        "events_per_feed": EVENTS,
        "feed_bytes": len(_Host.feeds["feed0.ics"]),
        "passes": runs,
        "budget_s": BUDGET_S,
    }


def report(result: dict[str, Any]) -> list[str]:
    names = ("first (places all)", "second (read whole, unchanged)", "third (304 from every feed)")
    lines = [
        f"| Sync pass: {result['feeds']} feeds × {result['events_per_feed']} events "
        f"({result['feed_bytes'] // 1024} KiB each, 1 in {SERIES_EVERY} a weekly series) "
        "| seconds | share of the 300 s interval | outcomes | placed / waiting / released |",
        "|---|---|---|---|---|",
    ]
    for name, run in zip(names, result["passes"], strict=False):
        lines.append(
            f"| {name} | {run['seconds']:.2f} | {run['seconds'] / result['budget_s']:.1%} "
            f"| {run['outcomes']} | {run['placed']} / {run['waiting']} / {run['released']} |"
        )
    return lines


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="cabanas-sync-bench-") as tmp:
        pg = EmbeddedPostgres(Path(tmp) / "pg").start()
        redis = EmbeddedRedis(Path(tmp) / "redis", persistent=False).start()
        try:
            result = measure(pg, redis, int(os.environ.get("SYNC_FEEDS", FEEDS)))
        finally:
            redis.stop()
            pg.stop()
    print("\n".join(report(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
