"""Calendar sync end to end: feeds from a fake Airbnb/Booking host on 127.0.0.1 block nights
for direct bookings; collisions are recorded with both sides kept; our export is RFC 5545
and carries no guest data."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime

import icalendar
import msgspec
import pytest
from dishka import AsyncContainer, Provider, Scope
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from adapters.postgres.database import make_engine
from application.calendar_sync.sync_feeds import SyncAllFeeds
from application.ports.clock import Clock
from entrypoints.container import make_container
from entrypoints.container.calendar_sync import export_tokens
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import ADMIN_EMAIL, JWT_SECRET, NOW
from tests.e2e.test_admin import bearer
from tests.e2e.test_api import BOOKING, assert_problem
from tests.fakes.calendars import FakeCalendarHost, ics
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]
D = date(2026, 12, 18)  # BOOKING's check-in (Friday)


@pytest.fixture
async def strict_client(integrated_settings: Settings, clock: FixedClock) -> AsyncIterator[Client]:
    """ICAL_ALLOW_PRIVATE_URLS off, as in production."""
    settings = msgspec.structs.replace(integrated_settings, ical_allow_private_urls=False)
    fixed = Provider(scope=Scope.APP)
    fixed.provide(lambda: clock, provides=Clock)
    app = create_app(make_container(settings, fixed), settings)
    async with AsyncTestClient(app=app, base_url="http://testserver.local/api/v1") as c:
        yield c


def admin() -> dict[str, str]:
    return bearer(ADMIN_EMAIL, secret=JWT_SECRET)


async def register(
    client: Client, host: FakeCalendarHost, name: str, source: str = "airbnb", cabin: int = 1
) -> object:
    return await client.post(
        "/ical/import",
        json={"accommodation_id": cabin, "source": source, "url": f"{host.url}/{name}"},
        headers=admin(),
    )


async def sql(client: Client, query: str) -> list[tuple[object, ...]]:
    engine = make_engine(client.app.state.settings.database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(query))
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        await engine.dispose()


async def test_an_airbnb_booking_blocks_direct_bookings_at_once(
    pay_client: Client, calendars: FakeCalendarHost
) -> None:
    calendars.feeds["airbnb.ics"] = ics(
        [("a1@airbnb.com", D, D + timedelta(days=3), "Reserved")], leading_blank=True
    )
    r = await register(pay_client, calendars, "airbnb.ics")
    assert r.status_code == 201, r.text  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    assert body["sync"] == {
        "outcome": "updated",
        "placed": 1,
        "released": 0,
        "waiting": 0,
        "conflicts": 0,
        "unreadable": 0,
        "warnings": 0,
        "held_release": 0,
        "error": None,
    }
    assert body["feed"]["events_count"] == 1
    assert body["feed"]["held_release"] == 0
    taken = await pay_client.post("/reservations", json=BOOKING)
    assert_problem(taken, 409)
    avail = await pay_client.get(
        "/availability", params={"check_in": "2026-12-18", "check_out": "2026-12-21"}
    )
    first = next(a for a in avail.json()["accommodations"] if a["accommodation_id"] == 1)
    assert first["available"] is False
    stats = (
        await pay_client.get(
            "/admin/stats", params={"from": "2026-12-01", "to": "2026-12-31"}, headers=admin()
        )
    ).json()
    assert (stats["external_nights"], stats["booked_nights"]) == (3, 0)  # counted as occupied
    assert stats["occupancy"] > 0
    # Other cabins are untouched.
    assert (
        await pay_client.post("/reservations", json={**BOOKING, "accommodation_id": 2})
    ).status_code == 201


async def test_a_feed_that_is_not_a_calendar_is_refused_and_nothing_is_stored(
    pay_client: Client, calendars: FakeCalendarHost
) -> None:
    calendars.feeds["login.ics"] = b"<!DOCTYPE html><html><body>Log in</body></html>"
    body = assert_problem(await register(pay_client, calendars, "login.ics"), 422)
    assert body["code"] == "ical_unparseable"
    calendars.failing["down.ics"] = 503
    body = assert_problem(await register(pay_client, calendars, "down.ics"), 422)
    assert body["code"] == "ical_unreachable"
    assert (await pay_client.get("/admin/ical/feeds", headers=admin())).json() == []


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://calendar.example/feed.ics", "must use"),
        ("https://user:pw@calendar.example/feed.ics", "credentials"),  # pragma: allowlist secret
        ("http://127.0.0.1:9/feed.ics", "non-public"),
        ("http://169.254.169.254/latest/meta-data", "non-public"),
        ("http://[::1]/feed.ics", "non-public"),
        ("http://localhost:9/feed.ics", "non-public"),
    ],
)
async def test_unsafe_urls_are_refused_without_the_local_testing_switch(
    strict_client: Client, url: str, why: str
) -> None:
    r = await strict_client.post(
        "/ical/import",
        json={"accommodation_id": 1, "source": "other", "url": url},
        headers=admin(),
    )
    body = assert_problem(r, 422)
    assert body["code"] == "unsafe_url", r.text
    assert why in str(body["detail"])


async def test_import_needs_an_admin(pay_client: Client, calendars: FakeCalendarHost) -> None:
    r = await pay_client.post(
        "/ical/import",
        json={"accommodation_id": 1, "source": "airbnb", "url": f"{calendars.url}/x.ics"},
    )
    assert_problem(r, 401)


async def test_a_collision_is_recorded_with_both_sides_kept_and_the_owner_alerted(
    pay_client: Client, calendars: FakeCalendarHost
) -> None:
    ours = (await pay_client.post("/reservations", json=BOOKING)).json()
    confirmed = await pay_client.post(
        f"/admin/reservations/{ours['code']}/confirm",
        json={"payment_method": "transfer"},
        headers=admin(),
    )
    assert confirmed.status_code == 200, confirmed.text
    calendars.feeds["clash.ics"] = ics(
        [
            ("clash@airbnb.com", D + timedelta(days=1), D + timedelta(days=4), "Reserved"),
            (
                "window@airbnb.com",
                D - timedelta(days=2),
                D + timedelta(days=1),
                "Airbnb (Not available)",
            ),
        ]
    )
    r = await register(pay_client, calendars, "clash.ics")
    assert r.status_code == 201, r.text  # type: ignore[attr-defined]
    sync = r.json()["sync"]  # type: ignore[attr-defined]
    assert (sync["placed"], sync["waiting"], sync["conflicts"]) == (0, 2, 1)
    conflicts = (await pay_client.get("/admin/ical/conflicts", headers=admin())).json()
    assert [(c["uid"], c["other_reservation"], c["check_in"]) for c in conflicts] == [
        ("clash@airbnb.com", ours["code"], "2026-12-19")
    ]
    assert (await pay_client.get(f"/reservations/{ours['code']}")).json()["status"] == "confirmed"
    events = await sql(pay_client, "SELECT uid, reservation_id FROM ical_events ORDER BY uid")
    assert events == [("clash@airbnb.com", None), ("window@airbnb.com", None)]
    # Both wait, and both still take the nights of theirs nobody holds: the booking's last
    # night after ours, the window's two before it. None of them is sold here.
    parts = await sql(
        pay_client,
        "SELECT p.uid, p.check_in, p.check_out, r.kind, r.status, r.channel "
        "FROM ical_event_parts p JOIN reservations r ON r.id = p.reservation_id ORDER BY p.uid",
    )
    assert parts == [
        ("clash@airbnb.com", D + timedelta(days=3), D + timedelta(days=4))
        + ("external", "confirmed", "airbnb"),
        ("window@airbnb.com", D - timedelta(days=2), D) + ("external", "confirmed", "airbnb"),
    ]
    for check_in in (D - timedelta(days=3), D + timedelta(days=3)):
        taken = await pay_client.post(
            "/reservations",
            json={
                **BOOKING,
                "check_in": check_in.isoformat(),
                "check_out": (check_in + timedelta(days=2)).isoformat(),
                "guest_phone": "+5491166667777",
            },
        )
        assert taken.status_code == 409, taken.text
    # Held as rows of their own, which the other channels' exports carry.
    exported = await sql(
        pay_client,
        "SELECT check_in FROM reservations WHERE kind = 'external' AND status = 'confirmed' "
        "ORDER BY check_in",
    )
    assert exported == [(D - timedelta(days=2),), (D + timedelta(days=3),)]
    alerts = await sql(
        pay_client,
        "SELECT payload->>'text', payload->>'link' FROM outbox WHERE kind = 'admin.alert'",
    )
    assert len(alerts) == 1
    [(text, link)] = alerts
    # The cabin by its name, the other booking by its code, and a link to its console page.
    assert str(text).startswith(
        "⚠️ Choque de calendarios: Airbnb tiene una reserva en Cabaña del Lago"
    )
    assert ours["code_display"] in str(text)
    assert link == f"/panel/reservas/{ours['code']}"
    assert "Juana" not in str(text)
    metrics = (await pay_client.get("http://testserver.local/metrics")).text
    assert 'ical_conflicts_total{source="airbnb"} 1.0' in metrics
    # Syncing again records nothing new (one alert per collision).
    again = (
        await pay_client.post(f"/admin/ical/feeds/{r.json()['feed']['id']}/sync", headers=admin())
    ).json()  # type: ignore[attr-defined]
    assert again["conflicts"] == 0


async def test_a_partly_taken_event_takes_all_its_nights_once_they_are_free(
    pay_client: Client, calendars: FakeCalendarHost
) -> None:
    ours = (await pay_client.post("/reservations", json=BOOKING)).json()  # D to D+3, a hold
    calendars.feeds["part.ics"] = ics(
        [("part@booking.com", D + timedelta(days=2), D + timedelta(days=6), "CLOSED")]
    )
    feed = (await register(pay_client, calendars, "part.ics", source="booking")).json()["feed"]  # type: ignore[attr-defined]
    parts = "SELECT check_in, check_out FROM ical_event_parts ORDER BY check_in"
    assert await sql(pay_client, parts) == [(D + timedelta(days=3), D + timedelta(days=6))]
    cancelled = await pay_client.post(
        f"/admin/reservations/{ours['code']}/cancel", json={"reason": "no pagó"}, headers=admin()
    )
    assert cancelled.status_code == 200, cancelled.text
    sync = f"/admin/ical/feeds/{feed['id']}/sync"
    # Booking.com's calendar has not changed (304): the waiting event is tried again anyway.
    result = (await pay_client.post(sync, headers=admin())).json()
    assert calendars.requests[-1][1] is not None  # a conditional GET
    assert (result["outcome"], result["placed"], result["waiting"]) == ("not_modified", 1, 0)
    assert await sql(pay_client, parts) == []
    held = await sql(
        pay_client,
        "SELECT check_in, check_out, status FROM reservations WHERE kind = 'external' "
        "ORDER BY status, check_in",
    )
    assert held == [
        (D + timedelta(days=3), D + timedelta(days=6), "cancelled"),  # the part, given back
        (D + timedelta(days=2), D + timedelta(days=6), "confirmed"),  # the event, whole
    ]
    # Deleting the feed gives every night back.
    assert (await pay_client.delete(f"/admin/ical/feeds/{feed['id']}", headers=admin())).is_success
    again = await pay_client.post("/reservations", json={**BOOKING, "check_out": "2026-12-24"})
    assert again.status_code == 201, again.text


async def test_changed_cancelled_and_unchanged_events(
    pay_client: Client, calendars: FakeCalendarHost
) -> None:
    # A feed that keeps most of its nights: a normal cancellation, released at once (the
    # release guard holds only answers that free most of a feed: see the tests below).
    stays = ("stays@booking.com", D + timedelta(days=40), D + timedelta(days=46), "CLOSED")
    calendars.feeds["b.ics"] = ics(
        [
            ("keep@booking.com", D, D + timedelta(days=2), "CLOSED - Not available"),
            (
                "move@booking.com",
                D + timedelta(days=10),
                D + timedelta(days=12),
                "CLOSED - Not available",
            ),
            stays,
        ],
        prodid="-//admin.booking.com\\\\\\, b.v.//NONSGML v1.0//EN",
        newline="\n",
    )
    feed = (await register(pay_client, calendars, "b.ics", source="booking")).json()["feed"]  # type: ignore[attr-defined]
    sync = f"/admin/ical/feeds/{feed['id']}/sync"
    # Unchanged feed: the server answers 304 to our conditional GET.
    assert (await pay_client.post(sync, headers=admin())).json()["outcome"] == "not_modified"
    assert calendars.requests[-1][1] is not None  # If-None-Match was sent
    # One event cancelled, one moved.
    calendars.feeds["b.ics"] = ics(
        [
            (
                "move@booking.com",
                D + timedelta(days=20),
                D + timedelta(days=22),
                "CLOSED - Not available",
            ),
            stays,
        ]
    )
    result = (await pay_client.post(sync, headers=admin())).json()
    assert (result["outcome"], result["placed"], result["released"]) == ("updated", 1, 2)
    assert result["held_release"] == 0
    assert (await pay_client.post("/reservations", json=BOOKING)).status_code == 201
    moved = {**BOOKING, "check_in": "2027-01-07", "check_out": "2027-01-09", "guest_name": "Otro"}
    assert_problem(await pay_client.post("/reservations", json=moved), 409)


async def test_deleting_a_feed_releases_its_nights(
    pay_client: Client, calendars: FakeCalendarHost
) -> None:
    calendars.feeds["g.ics"] = ics([("g1", D, D + timedelta(days=3), "Familia")])
    feed = (await register(pay_client, calendars, "g.ics", source="google")).json()["feed"]  # type: ignore[attr-defined]
    assert_problem(await pay_client.post("/reservations", json=BOOKING), 409)
    r = await pay_client.delete(f"/admin/ical/feeds/{feed['id']}", headers=admin())
    assert r.status_code == 204
    assert (await pay_client.post("/reservations", json=BOOKING)).status_code == 201
    assert_problem(await pay_client.delete(f"/admin/ical/feeds/{feed['id']}", headers=admin()), 404)


async def test_the_sync_pass_covers_every_feed_and_a_failing_one_does_not_stop_the_others(
    pay_client: Client, calendars: FakeCalendarHost, worker: AsyncContainer
) -> None:
    calendars.feeds["one.ics"] = ics([("x1", D, D + timedelta(days=1), "Reserved")])
    calendars.feeds["two.ics"] = ics([("x2", D, D + timedelta(days=1), "Reserved")])
    await register(pay_client, calendars, "one.ics", cabin=1)
    await register(pay_client, calendars, "two.ics", cabin=2)
    calendars.failing["one.ics"] = 500
    calendars.feeds["two.ics"] = ics([("x2", D, D + timedelta(days=5), "Reserved")])
    async with worker() as scope:
        report = await (await scope.get(SyncAllFeeds))()
    assert [r.outcome for r in report.results] == ["failed", "updated"]
    feeds = (await pay_client.get("/admin/ical/feeds", headers=admin())).json()
    assert feeds[0]["last_error"] == "the feed answered HTTP 500"
    assert feeds[1]["last_error"] is None
    # A second pass elsewhere while one runs is skipped (the lock).
    async with worker() as scope:
        lock = await scope.get(SyncAllFeeds)
        async with lock.lock.hold() as held:
            assert held
            assert (await lock()).locked_out is True


async def test_our_export_is_rfc5545_without_guest_data_and_supports_conditional_get(
    pay_client: Client, calendars: FakeCalendarHost
) -> None:
    booked = (await pay_client.post("/reservations", json=BOOKING)).json()
    calendars.feeds["bk.ics"] = ics(
        [("bk1", D + timedelta(days=5), D + timedelta(days=7), "CLOSED - Not available")]
    )
    await register(pay_client, calendars, "bk.ics", source="booking")
    view = (await pay_client.get("/admin/accommodations/1", headers=admin())).json()
    assert set(view["ical_export_urls"]) == {"airbnb", "booking", "google", "other"}
    path = view["ical_export_urls"]["airbnb"].split("/api/v1", 1)[1]
    r = await pay_client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    raw = r.content
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b"Juana" not in raw
    assert b"5491155551234" not in raw
    assert b"example.com" not in raw
    cal = icalendar.Calendar.from_ical(raw)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    mine = events[export_tokens(pay_client.app.state.settings).uid(booked["code"])]
    assert booked["code"] not in raw.decode()  # the UID does not give the code away
    assert mine.decoded("DTSTART") == D
    assert mine.decoded("DTEND") == D + timedelta(days=3)
    assert "DTSTAMP" in mine
    assert len(events) == 2  # the Booking.com event is passed on to Airbnb ...
    booking_path = view["ical_export_urls"]["booking"].split("/api/v1", 1)[1]
    echo = icalendar.Calendar.from_ical((await pay_client.get(booking_path)).content)
    assert len(list(echo.walk("VEVENT"))) == 1  # ... but never echoed back to Booking.com
    generic = view["ical_export_url"].split("/api/v1", 1)[1]
    assert (
        len(
            list(
                icalendar.Calendar.from_ical((await pay_client.get(generic)).content).walk("VEVENT")
            )
        )
        == 1
    )
    # Conditional GET.
    etag, modified = r.headers["etag"], r.headers["last-modified"]
    again = await pay_client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    since = await pay_client.get(path, headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    stale = await pay_client.get(
        path, headers={"If-None-Match": '"other"', "If-Modified-Since": modified}
    )
    assert stale.status_code == 200  # If-None-Match wins
    # A change (cancelling the booking) changes the feed.
    await pay_client.post(f"/admin/reservations/{booked['code']}/cancel", json={}, headers=admin())
    changed = await pay_client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


async def test_a_wrong_export_token_is_a_plain_404(pay_client: Client) -> None:
    view = (await pay_client.get("/admin/accommodations/1", headers=admin())).json()
    path = view["ical_export_url"].split("/api/v1", 1)[1]
    forged = path[:-8] + ("0000" if not path[:-4].endswith("0000") else "1111") + ".ics"
    for bad in (
        forged,
        path.replace("-all-", "-airbnb-"),
        "/ical/999-all-" + "0" * 32 + ".ics",
        "/ical/nope",
    ):
        r = await pay_client.get(bad)
        body = assert_problem(r, 404)
        assert body["detail"] == "no calendar at this address"


async def test_health_degrades_when_a_feed_goes_stale(
    pay_client: Client, calendars: FakeCalendarHost
) -> None:
    calendars.feeds["s.ics"] = ics([])
    await register(pay_client, calendars, "s.ics")
    healthy = (await pay_client.get("/healthz")).json()
    assert healthy["checks"]["ical"]["ok"] is True
    # Times relative to the application's clock (fixed at NOW), never to the database's now():
    # the two would drift apart with the calendar.
    await sql(
        pay_client,
        f"UPDATE ical_feeds SET last_success_at = '{NOW - timedelta(hours=2)}', "
        f"created_at = '{NOW - timedelta(hours=3)}'",
    )
    degraded = await pay_client.get("/healthz")
    deadline = asyncio.get_running_loop().time() + 10
    while degraded.json()["status"] != "degraded" and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)  # the health report is cached for a second: wait it out
        degraded = await pay_client.get("/healthz")
    assert degraded.status_code == 200
    assert degraded.json()["status"] == "degraded"
    assert degraded.json()["checks"]["ical"]["ok"] is False
    metrics = (await pay_client.get("http://testserver.local/metrics")).text
    age = next(
        line for line in metrics.splitlines() if line.startswith("ical_last_sync_age_minutes ")
    )
    assert float(age.split()[1]) >= 119


def with_unreadable_event(feed: bytes, uid: str) -> bytes:
    """``feed`` plus one VEVENT whose DTSTART is no date (month 13)."""
    broken = (
        "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20271301\r\nDTEND;VALUE=DATE:20270103\r\n"
        f"UID:{uid}\r\nSUMMARY:Reserved\r\nEND:VEVENT\r\n"
    ).encode()
    return feed.replace(b"END:VCALENDAR", broken + b"END:VCALENDAR")


async def test_a_feed_none_of_whose_events_can_be_read_is_refused(
    pay_client: Client, calendars: FakeCalendarHost
) -> None:
    calendars.feeds["bad.ics"] = with_unreadable_event(ics([]), "b1@airbnb.com")
    body = assert_problem(await register(pay_client, calendars, "bad.ics"), 422)
    assert body["code"] == "ical_unparseable"
    assert "could be read" in body["detail"]
    assert (await pay_client.get("/admin/ical/feeds", headers=admin())).json() == []


async def test_an_unreadable_event_is_reported_and_never_frees_nights(
    pay_client: Client, calendars: FakeCalendarHost
) -> None:
    """An event that turns unreadable may still be a booking on the other channel: the nights
    it held stay taken, the feed says why, and it is read whole (no 304) until it is clean."""
    later = (D + timedelta(days=10), D + timedelta(days=12))
    calendars.feeds["a.ics"] = ics(
        [
            ("a1@airbnb.com", D, D + timedelta(days=3), "Reserved"),
            ("a2@airbnb.com", *later, "Reserved"),
        ]
    )
    r = await register(pay_client, calendars, "a.ics")
    feed = r.json()["feed"]  # type: ignore[attr-defined]
    sync = f"/admin/ical/feeds/{feed['id']}/sync"
    on_a2 = {**BOOKING, "check_in": later[0].isoformat(), "check_out": later[1].isoformat()}

    # a2 can no longer be read (and a new, readable a3 appears).
    calendars.feeds["a.ics"] = with_unreadable_event(
        ics(
            [
                ("a1@airbnb.com", D, D + timedelta(days=3), "Reserved"),
                ("a3@airbnb.com", D + timedelta(days=20), D + timedelta(days=22), "Reserved"),
            ]
        ),
        "a2@airbnb.com",
    )
    result = (await pay_client.post(sync, headers=admin())).json()
    assert (result["outcome"], result["placed"], result["released"], result["unreadable"]) == (
        "updated",
        1,
        0,
        1,
    )
    assert_problem(await pay_client.post("/reservations", json=on_a2), 409)
    listed = (await pay_client.get("/admin/ical/feeds", headers=admin())).json()
    assert "1 event(s) in the feed could not be read" in listed[0]["last_error"]
    assert listed[0]["last_success_at"] is not None
    # Read whole on the next pass too: no conditional GET that a 304 could answer.
    again = (await pay_client.post(sync, headers=admin())).json()
    assert again["outcome"] == "updated"
    assert calendars.requests[-1][1] is None
    assert_problem(await pay_client.post("/reservations", json=on_a2), 409)

    # The feed reads whole again, without a2: now it is gone, and its nights are free.
    calendars.feeds["a.ics"] = ics(
        [
            ("a1@airbnb.com", D, D + timedelta(days=3), "Reserved"),
            ("a3@airbnb.com", D + timedelta(days=20), D + timedelta(days=22), "Reserved"),
        ]
    )
    clean = (await pay_client.post(sync, headers=admin())).json()
    assert (clean["released"], clean["unreadable"]) == (1, 0)
    listed = (await pay_client.get("/admin/ical/feeds", headers=admin())).json()
    assert listed[0]["last_error"] is None
    assert (await pay_client.post("/reservations", json=on_a2)).status_code == 201


async def test_a_hold_that_lapses_changes_last_modified_before_any_sweep(
    pay_client: Client, clock: FixedClock
) -> None:
    """The lapse is a change of the feed even though no row is written until the worker's
    sweep: a channel polling with If-Modified-Since must get the feed without the hold."""
    held = (await pay_client.post("/reservations", json=BOOKING)).json()
    view = (await pay_client.get("/admin/accommodations/1", headers=admin())).json()
    path = view["ical_export_urls"]["airbnb"].split("/api/v1", 1)[1]
    first = await pay_client.get(path)
    assert b"BEGIN:VEVENT" in first.content
    modified = first.headers["last-modified"]
    assert (await pay_client.get(path, headers={"If-Modified-Since": modified})).status_code == 304

    clock.current = datetime.fromisoformat(held["expires_at"]) + timedelta(minutes=1)
    after = await pay_client.get(path, headers={"If-Modified-Since": modified})

    assert after.status_code == 200
    assert b"BEGIN:VEVENT" not in after.content
    lapsed_at = datetime.fromisoformat(held["expires_at"]).replace(microsecond=0)
    assert parsedate_to_datetime(after.headers["last-modified"]) == lapsed_at


async def collide(client: Client, calendars: FakeCalendarHost) -> tuple[str, int, int]:
    """Our confirmed booking, then an Airbnb booking inside its nights (no night of it free):
    (code, feed, collision)."""
    ours = (await client.post("/reservations", json=BOOKING)).json()
    confirmed = await client.post(
        f"/admin/reservations/{ours['code']}/confirm",
        json={"payment_method": "transfer"},
        headers=admin(),
    )
    assert confirmed.status_code == 200, confirmed.text
    calendars.feeds["clash.ics"] = ics(
        [("clash@airbnb.com", D + timedelta(days=1), D + timedelta(days=3), "Reserved")]
    )
    r = await register(client, calendars, "clash.ics")
    assert r.status_code == 201, r.text  # type: ignore[attr-defined]
    [conflict] = (await client.get("/admin/ical/conflicts", headers=admin())).json()
    return ours["code"], r.json()["feed"]["id"], conflict["id"]  # type: ignore[attr-defined]


async def open_conflicts(client: Client) -> list[object]:
    return list((await client.get("/admin/ical/conflicts", headers=admin())).json())


async def test_a_collision_leaves_the_queue_when_the_owner_cancels_the_booking(
    pay_client: Client, calendars: FakeCalendarHost
) -> None:
    code, feed, _ = await collide(pay_client, calendars)
    cancelled = await pay_client.post(
        f"/admin/reservations/{code}/cancel", json={"reason": "se pasó a Airbnb"}, headers=admin()
    )
    assert cancelled.status_code == 200, cancelled.text
    assert await open_conflicts(pay_client) == []
    rows = await sql(pay_client, "SELECT resolution, resolved_at IS NOT NULL FROM ical_conflicts")
    assert rows == [("cleared", True)]
    # The next pass brings no collision back.
    again = (await pay_client.post(f"/admin/ical/feeds/{feed}/sync", headers=admin())).json()
    assert again["conflicts"] == 0
    assert await open_conflicts(pay_client) == []


async def test_a_collision_the_next_sync_no_longer_has_is_resolved(
    pay_client: Client, calendars: FakeCalendarHost
) -> None:
    _, feed, _ = await collide(pay_client, calendars)
    # Still there on a pass that changes nothing.
    await pay_client.post(f"/admin/ical/feeds/{feed}/sync", headers=admin())
    assert len(await open_conflicts(pay_client)) == 1
    # Airbnb moved its guest to other nights.
    later = D + timedelta(days=10)
    calendars.feeds["clash.ics"] = ics(
        [("clash@airbnb.com", later, later + timedelta(days=3), "Reserved")]
    )
    synced = await pay_client.post(f"/admin/ical/feeds/{feed}/sync", headers=admin())
    assert synced.status_code == 200, synced.text
    assert await open_conflicts(pay_client) == []
    assert await sql(pay_client, "SELECT resolution FROM ical_conflicts") == [("cleared",)]


async def test_the_owner_dismisses_a_collision_with_a_reason(
    pay_client: Client, calendars: FakeCalendarHost
) -> None:
    _, feed, conflict = await collide(pay_client, calendars)
    path = f"/admin/ical/conflicts/{conflict}/dismiss"
    no_reason = await pay_client.post(path, json={"reason": ""}, headers=admin())
    assert no_reason.status_code == 422
    assert len(await open_conflicts(pay_client)) == 1
    done = await pay_client.post(path, json={"reason": "Airbnb la reubica"}, headers=admin())
    assert done.status_code == 204, done.text
    assert await open_conflicts(pay_client) == []
    audit = await sql(
        pay_client,
        "SELECT actor, after->>'reason' FROM admin_audit_log "
        "WHERE action = 'calendar.collision_dismiss'",
    )
    assert audit == [(ADMIN_EMAIL, "Airbnb la reubica")]
    # Dismissed stays dismissed: the next pass neither records nor alerts it again.
    again = (await pay_client.post(f"/admin/ical/feeds/{feed}/sync", headers=admin())).json()
    assert again["conflicts"] == 0
    assert await open_conflicts(pay_client) == []
    assert_problem(await pay_client.post(path, json={"reason": "otra vez"}, headers=admin()), 404)
