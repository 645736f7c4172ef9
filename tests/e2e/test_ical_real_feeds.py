"""Feeds as the channels really serve them, through the real app and database: recurring events
block every occurrence, an empty or shrunken answer frees nothing until it is confirmed, and a
slow feed never holds a database connection."""

from __future__ import annotations

import asyncio
import threading
from datetime import date, timedelta

import httpx
import msgspec
import pytest
from dishka import Provider, Scope
from litestar import Litestar
from litestar.testing import AsyncTestClient

from application.ports.clock import Clock
from entrypoints.container import make_container
from entrypoints.embedded import EmbeddedRedis
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import ADMIN_EMAIL, JWT_SECRET, seed
from tests.e2e.servers import uvicorn_server
from tests.e2e.test_admin import _audit
from tests.e2e.test_api import BOOKING, assert_problem
from tests.e2e.test_ical import admin, register, sql
from tests.fakes.calendars import FakeCalendarHost, ics
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]
BOOKING_PRODID = "-//admin.booking.com\\\\\\, b.v.//NONSGML v1.0//EN"


def calendar(*vevents: str, prodid: str = "-//Google Inc//Google Calendar 70.9054//EN") -> bytes:
    lines = ["BEGIN:VCALENDAR", f"PRODID:{prodid}", "VERSION:2.0"]
    for body in vevents:
        lines += ["BEGIN:VEVENT", *body.split("|"), "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def stay(check_in: str, check_out: str, **extra: object) -> dict[str, object]:
    return {**BOOKING, "check_in": check_in, "check_out": check_out, **extra}


async def book(client: Client, check_in: str, check_out: str, **extra: object) -> int:
    """The status a direct booking of those nights gets (a refusal must be problem JSON)."""
    r = await client.post("/reservations", json=stay(check_in, check_out, **extra))
    if r.status_code >= 400:
        assert_problem(r, r.status_code)
    return r.status_code


async def feed_view(client: Client, feed_id: int) -> dict[str, object]:
    feeds = (await client.get("/admin/ical/feeds", headers=admin())).json()
    return next(f for f in feeds if f["id"] == feed_id)


async def sync(client: Client, feed_id: int) -> dict[str, object]:
    r = await client.post(f"/admin/ical/feeds/{feed_id}/sync", headers=admin())
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


# --- recurrence ---


async def test_every_occurrence_of_a_weekly_event_blocks_its_nights(
    pay_client: Client, calendars: FakeCalendarHost
) -> None:
    # Google: RRULE:FREQ=WEEKLY;COUNT=4 from 2027-04-02 (Friday to Sunday).
    calendars.feeds["fam.ics"] = calendar(
        "DTSTART;VALUE=DATE:20270402|DTEND;VALUE=DATE:20270404|RRULE:FREQ=WEEKLY;COUNT=4|"
        "UID:familia@google.com|SUMMARY:Familia"
    )
    r = await register(pay_client, calendars, "fam.ics", source="google")
    assert r.status_code == 201, r.text  # type: ignore[attr-defined]
    assert r.json()["sync"]["placed"] == 4  # type: ignore[attr-defined]
    for first in ("2027-04-02", "2027-04-09", "2027-04-16", "2027-04-23"):
        check_out = (date.fromisoformat(first) + timedelta(days=2)).isoformat()
        assert await book(pay_client, first, check_out) == 409
    # Between the occurrences the cabin is free.
    free = await pay_client.post("/reservations", json=stay("2027-04-05", "2027-04-07"))
    assert free.status_code == 201, free.text


async def test_one_moved_or_cancelled_instance_moves_or_frees_just_its_nights(
    pay_client: Client, calendars: FakeCalendarHost
) -> None:
    series = (
        "DTSTART;VALUE=DATE:20270105|DTEND;VALUE=DATE:20270107|RRULE:FREQ=WEEKLY;COUNT=6|"
        "UID:s@google.com|SUMMARY:Cerrado"
    )
    calendars.feeds["s.ics"] = calendar(series)
    feed = (await register(pay_client, calendars, "s.ics", source="google")).json()["feed"]  # type: ignore[attr-defined]
    calendars.feeds["s.ics"] = calendar(
        series,
        # the second instance moved three days later, the third cancelled
        "UID:s@google.com|RECURRENCE-ID;VALUE=DATE:20270112|DTSTART;VALUE=DATE:20270115|"
        "DTEND;VALUE=DATE:20270117",
        "UID:s@google.com|RECURRENCE-ID;VALUE=DATE:20270119|STATUS:CANCELLED|"
        "DTSTART;VALUE=DATE:20270119|DTEND;VALUE=DATE:20270121",
    )
    result = await sync(pay_client, feed["id"])
    assert (result["released"], result["placed"], result["held_release"]) == (2, 1, 0)
    assert await book(pay_client, "2027-01-12", "2027-01-14") == 201
    assert await book(pay_client, "2027-01-19", "2027-01-21", guest_phone="+5491155550002") == 201
    assert await book(pay_client, "2027-01-15", "2027-01-17") == 409
    assert await book(pay_client, "2027-01-26", "2027-01-28") == 409


async def test_a_feed_expanding_past_the_cap_is_refused_at_import_and_flagged_at_sync(
    pay_client: Client, calendars: FakeCalendarHost
) -> None:
    daily = "DTSTART;VALUE=DATE:20261210|DTEND;VALUE=DATE:20261211|RRULE:FREQ=DAILY|UID:d@x"
    hourly = "DTSTART:20261210T000000Z|DTEND:20261210T003000Z|RRULE:FREQ=HOURLY|UID:h@x"
    calendars.feeds["big.ics"] = calendar(hourly)
    r = await register(pay_client, calendars, "big.ics", source="google")
    body = assert_problem(r, 422)
    assert "expands to more than 5000 stays" in body["detail"]
    assert (await pay_client.get("/admin/ical/feeds", headers=admin())).json() == []
    # At sync: a feed that was fine and now expands past the cap keeps every night it held.
    calendars.feeds["big.ics"] = calendar(
        daily.replace("RRULE:FREQ=DAILY", "RRULE:FREQ=DAILY;COUNT=20")
    )
    feed = (await register(pay_client, calendars, "big.ics", source="google")).json()["feed"]  # type: ignore[attr-defined]
    calendars.feeds["big.ics"] = calendar(hourly)
    result = await sync(pay_client, feed["id"])
    assert result["outcome"] == "failed"
    assert "expands to more than 5000 stays" in str(result["error"])
    assert "expands" in str((await feed_view(pay_client, feed["id"]))["last_error"])
    assert await book(pay_client, "2026-12-18", "2026-12-21") == 409


async def test_an_unknown_time_zone_is_a_clear_422(
    pay_client: Client, calendars: FakeCalendarHost
) -> None:
    calendars.feeds["tz.ics"] = calendar(
        "DTSTART;TZID=Atlantida/Capital:20270210T140000|DTEND;TZID=Atlantida/Capital:"
        "20270212T100000|UID:a@x"
    )
    body = assert_problem(await register(pay_client, calendars, "tz.ics", source="other"), 422)
    assert "unknown time zone (Atlantida/Capital)" in body["detail"]


async def test_uidless_events_are_blocks_of_their_own_and_a_deleted_one_is_released(
    pay_client: Client, calendars: FakeCalendarHost
) -> None:
    # Exchange/OWA publish events without UID; two of them on the same dates, and three others.
    same = "DTSTART;VALUE=DATE:20270110|DTEND;VALUE=DATE:20270112|SUMMARY:Ocupado"
    others = [
        f"DTSTART;VALUE=DATE:202702{d:02d}|DTEND;VALUE=DATE:202702{d + 3:02d}|SUMMARY:Ocupado"
        for d in (1, 10, 20)
    ]
    calendars.feeds["owa.ics"] = calendar(
        same, same, *others, prodid="Microsoft Exchange Server 2010"
    )
    r = await register(pay_client, calendars, "owa.ics", source="other")
    sync_result = r.json()["sync"]  # type: ignore[attr-defined]
    assert (sync_result["placed"], sync_result["waiting"], sync_result["unreadable"]) == (4, 1, 0)
    feed = r.json()["feed"]  # type: ignore[attr-defined]
    assert feed["events_count"] == 5
    calendars.feeds["owa.ics"] = calendar(
        same, same, *others[1:], prodid="Microsoft Exchange Server 2010"
    )
    result = await sync(pay_client, feed["id"])
    assert (result["released"], result["held_release"]) == (1, 0)
    assert await book(pay_client, "2027-02-01", "2027-02-04") == 201


async def test_zero_length_and_bad_duration_events_keep_their_night(
    pay_client: Client, calendars: FakeCalendarHost
) -> None:
    calendars.feeds["odd.ics"] = calendar(
        "UID:z@x|DTSTART:20270110T180000Z|DTEND:20270110T180000Z",
        "UID:b@x|DTSTART;VALUE=DATE:20270120|DURATION:-P2D",
    )
    r = await register(pay_client, calendars, "odd.ics", source="other")
    body = r.json()  # type: ignore[attr-defined]
    assert (body["sync"]["placed"], body["sync"]["warnings"]) == (2, 1)
    assert "invalid DURATION" in body["feed"]["last_error"]
    assert await book(pay_client, "2027-01-10", "2027-01-12") == 409
    assert await book(pay_client, "2027-01-20", "2027-01-22") == 409


# --- the release guard ---


def booking_feed(*stays: tuple[str, date, date]) -> bytes:
    return ics(
        [(uid, a, b, "CLOSED - Not available") for uid, a, b in stays], prodid=BOOKING_PRODID
    )


TWO_STAYS = (
    ("1418fb94e984-a@booking.com", date(2027, 1, 4), date(2027, 2, 20)),  # 47 nights
    ("1418fb94e984-b@booking.com", date(2027, 6, 1), date(2027, 11, 1)),  # 153 nights
)
EMPTY = ics([], prodid=BOOKING_PRODID)


async def test_an_empty_answer_frees_nothing_until_an_admin_confirms_it(
    pay_client: Client, calendars: FakeCalendarHost, integrated_settings: Settings
) -> None:
    calendars.feeds["bk.ics"] = booking_feed(*TWO_STAYS)
    feed = (await register(pay_client, calendars, "bk.ics", source="booking")).json()["feed"]  # type: ignore[attr-defined]
    calendars.feeds["bk.ics"] = EMPTY  # a valid calendar with no events: a transient answer
    result = await sync(pay_client, feed["id"])
    assert (result["outcome"], result["released"], result["held_release"]) == ("updated", 0, 200)
    assert await book(pay_client, "2027-01-10", "2027-01-12") == 409
    view = await feed_view(pay_client, feed["id"])
    assert (view["held_release"], view["held_release_seen"]) == (200, 1)
    assert "would free 200 night(s)" in str(view["last_error"])
    metrics = (await pay_client.get("http://testserver.local/metrics")).text
    assert 'ical_held_releases{source="booking"} 1.0' in metrics
    assert 'ical_held_releases{source="airbnb"} 0.0' in metrics
    # The owner is told, once.
    alerts = await sql(
        pay_client,
        "SELECT payload->>'text', payload->>'link' FROM outbox WHERE kind = 'admin.alert'",
    )
    assert len(alerts) == 1
    assert "de Cabaña del Lago dejó de mostrar 200 noche(s)" in str(alerts[0][0])
    assert "Booking.com" in str(alerts[0][0])
    assert alerts[0][1] == "/panel/canales"
    await sync(pay_client, feed["id"])
    assert len(await sql(pay_client, "SELECT 1 FROM outbox WHERE kind = 'admin.alert'")) == 1
    # Confirming needs an admin, and is audited.
    assert (await pay_client.post(f"/admin/ical/feeds/{feed['id']}/release")).status_code == 401
    confirmed = await pay_client.post(f"/admin/ical/feeds/{feed['id']}/release", headers=admin())
    assert confirmed.status_code == 200, confirmed.text
    assert (confirmed.json()["released"], confirmed.json()["held_release"]) == (2, 0)
    assert await book(pay_client, "2027-01-10", "2027-01-12") == 201
    view = await feed_view(pay_client, feed["id"])
    assert (view["held_release"], view["last_error"]) == (0, None)
    audit = await _audit(integrated_settings.database_url or "")
    assert audit[-1][1:3] == ("ical_feed.release_confirmed", f"ical_feed:{feed['id']}")
    assert audit[-1][3] == {"held_nights": 200}
    # Nothing held any more: a second confirmation is a 409.
    again = await pay_client.post(f"/admin/ical/feeds/{feed['id']}/release", headers=admin())
    assert_problem(again, 409)
    metrics = (await pay_client.get("http://testserver.local/metrics")).text
    assert 'ical_held_releases{source="booking"} 0.0' in metrics


async def test_a_held_answer_is_applied_after_enough_sightings_over_an_hour(
    pay_client: Client, calendars: FakeCalendarHost, clock: FixedClock
) -> None:
    calendars.feeds["bk.ics"] = booking_feed(*TWO_STAYS)
    feed = (await register(pay_client, calendars, "bk.ics", source="booking")).json()["feed"]  # type: ignore[attr-defined]
    calendars.feeds["bk.ics"] = EMPTY
    # Seen on 1 + 3 fetches, but within 15 minutes: still held.
    for _ in range(4):
        assert (await sync(pay_client, feed["id"]))["held_release"] == 200
        clock.current += timedelta(minutes=5)
    assert (await feed_view(pay_client, feed["id"]))["held_release_seen"] == 4
    # An hour after the first sighting, the same answer once more: applied.
    clock.current += timedelta(minutes=45)
    result = await sync(pay_client, feed["id"])
    assert (result["released"], result["held_release"]) == (2, 0)


async def test_a_different_answer_starts_the_count_again_and_the_real_one_clears_the_hold(
    pay_client: Client, calendars: FakeCalendarHost, clock: FixedClock
) -> None:
    calendars.feeds["bk.ics"] = booking_feed(*TWO_STAYS)
    feed = (await register(pay_client, calendars, "bk.ics", source="booking")).json()["feed"]  # type: ignore[attr-defined]
    calendars.feeds["bk.ics"] = EMPTY
    await sync(pay_client, feed["id"])
    clock.current += timedelta(minutes=30)
    # Truncated to the small stay: a different answer, counted from one again.
    calendars.feeds["bk.ics"] = booking_feed(TWO_STAYS[0])
    result = await sync(pay_client, feed["id"])
    assert (result["released"], result["held_release"]) == (0, 153)
    view = await feed_view(pay_client, feed["id"])
    assert view["held_release_seen"] == 1
    # The channel is back to normal: the hold clears, nothing was ever freed.
    calendars.feeds["bk.ics"] = booking_feed(*TWO_STAYS)
    result = await sync(pay_client, feed["id"])
    assert (result["released"], result["held_release"]) == (0, 0)
    assert (await feed_view(pay_client, feed["id"]))["held_release"] == 0
    assert await book(pay_client, "2027-06-10", "2027-06-12") == 409


async def test_while_held_new_events_are_added_and_a_moved_one_keeps_both_stays(
    pay_client: Client, calendars: FakeCalendarHost
) -> None:
    calendars.feeds["bk.ics"] = booking_feed(*TWO_STAYS)
    feed = (await register(pay_client, calendars, "bk.ics", source="booking")).json()["feed"]  # type: ignore[attr-defined]
    a, b = TWO_STAYS
    # b moved to December (frees 153 of 200 nights at once: held) and a new stay appears.
    calendars.feeds["bk.ics"] = booking_feed(
        a,
        (b[0], date(2027, 12, 1), date(2027, 12, 5)),
        ("1418fb94e984-c@booking.com", date(2027, 3, 1), date(2027, 3, 4)),
    )
    result = await sync(pay_client, feed["id"])
    assert (result["released"], result["held_release"], result["placed"]) == (0, 153, 2)
    for check_in, check_out in (
        ("2027-06-10", "2027-06-12"),  # b's old nights: still blocked
        ("2027-12-02", "2027-12-04"),  # b's new nights: blocked too
        ("2027-03-01", "2027-03-03"),  # the new stay
    ):
        assert await book(pay_client, check_in, check_out) == 409
    # Confirmed: b's old nights free, its new ones and the new stay kept.
    confirmed = await pay_client.post(f"/admin/ical/feeds/{feed['id']}/release", headers=admin())
    assert confirmed.status_code == 200, confirmed.text
    assert await book(pay_client, "2027-06-10", "2027-06-12") == 201
    assert await book(pay_client, "2027-12-02", "2027-12-04") == 409
    assert await book(pay_client, "2027-03-01", "2027-03-03") == 409


async def test_a_confirmation_for_an_answer_that_changed_frees_nothing(
    pay_client: Client, calendars: FakeCalendarHost
) -> None:
    calendars.feeds["bk.ics"] = booking_feed(*TWO_STAYS)
    feed = (await register(pay_client, calendars, "bk.ics", source="booking")).json()["feed"]  # type: ignore[attr-defined]
    calendars.feeds["bk.ics"] = EMPTY
    await sync(pay_client, feed["id"])
    calendars.feeds["bk.ics"] = booking_feed(TWO_STAYS[0])  # now a different short answer
    r = await pay_client.post(f"/admin/ical/feeds/{feed['id']}/release", headers=admin())
    body = assert_problem(r, 409)
    assert "changed since its release was held" in body["detail"]
    assert await book(pay_client, "2027-06-10", "2027-06-12") == 409


async def test_release_guard_settings_are_honoured(
    integrated_settings: Settings, clock: FixedClock, calendars: FakeCalendarHost
) -> None:
    # ICAL_MAX_RELEASE_FRACTION=1 and no confirmations: only an emptied feed is held, and the
    # next sighting an hour later applies it.
    settings = msgspec.structs.replace(
        integrated_settings,
        ical_max_release_fraction=1.0,
        ical_release_confirmations=0,
        ical_release_min_hours=1.0,
    )
    fixed = Provider(scope=Scope.APP)
    fixed.provide(lambda: clock, provides=Clock)
    app = create_app(make_container(settings, fixed), settings)
    async with AsyncTestClient(app=app, base_url="http://testserver.local/api/v1") as client:
        calendars.feeds["bk.ics"] = booking_feed(*TWO_STAYS)
        feed = (await register(client, calendars, "bk.ics", source="booking")).json()["feed"]  # type: ignore[attr-defined]
        calendars.feeds["bk.ics"] = booking_feed(TWO_STAYS[0])  # frees 153 of 200: allowed
        assert (await sync(client, feed["id"]))["released"] == 1
        calendars.feeds["bk.ics"] = EMPTY
        assert (await sync(client, feed["id"]))["held_release"] == 47
        clock.current += timedelta(hours=1)
        assert (await sync(client, feed["id"]))["released"] == 1


# --- fetching ---


async def test_head_on_our_export_answers_like_get_without_a_body(pay_client: Client) -> None:
    cabin = (await pay_client.get("/admin/accommodations/1", headers=admin())).json()
    url = cabin["ical_export_url"].split("/api/v1", 1)[1]
    got = await pay_client.get(url)
    probed = await pay_client.head(url)
    assert (probed.status_code, probed.content) == (200, b"")
    assert probed.headers["etag"] == got.headers["etag"]
    assert probed.headers["content-type"].startswith("text/calendar")
    assert int(probed.headers["content-length"]) == len(got.content)
    again = await pay_client.head(url, headers={"If-None-Match": got.headers["etag"]})
    assert again.status_code == 304
    assert (await pay_client.head("/ical/1-all-0000.ics")).status_code == 404


def test_slow_feeds_hold_no_database_connection(
    database_url: str, redis_server: EmbeddedRedis, calendars: FakeCalendarHost
) -> None:
    """Three imports wait on a slow host while the server's pool has two connections: bookings
    go on (a connection held across the fetch would leave them none: 503s)."""
    seed(database_url)
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_server.url(),
        "DB_POOL_SIZE": "2",
        "RATE_LIMIT_PER_MINUTE": "0",
        "JWT_SECRET": JWT_SECRET,
        "ADMIN_ALLOWED_EMAILS": ADMIN_EMAIL,
        "ICAL_ALLOW_PRIVATE_URLS": "true",
        "EMBEDDED_WORKER": "false",
    }
    names = [f"slow{i}.ics" for i in range(3)]
    soon = date.today() + timedelta(days=60)
    for i, name in enumerate(names):
        calendars.feeds[name] = booking_feed((f"s{i}@booking.com", soon, soon + timedelta(days=2)))
        calendars.gates[name] = threading.Event()

    async def scenario(base: str) -> None:
        async with httpx.AsyncClient(base_url=f"{base}/api/v1", timeout=30) as client:
            imports = [
                asyncio.create_task(
                    client.post(
                        "/ical/import",
                        json={
                            "accommodation_id": i + 1,
                            "source": "booking",
                            "url": f"{calendars.url}/{name}",
                        },
                        headers=admin(),
                    )
                )
                for i, name in enumerate(names)
            ]
            deadline = asyncio.get_running_loop().time() + 20
            while len(calendars.requests) < 3:  # every import is waiting on the host
                assert asyncio.get_running_loop().time() < deadline, calendars.requests
                await asyncio.sleep(0.01)
            booking = stay(
                (soon + timedelta(days=5)).isoformat(), (soon + timedelta(days=7)).isoformat()
            )
            booked = await client.post("/reservations", json=booking, timeout=10)
            assert booked.status_code == 201, booked.text
            for gate in calendars.gates.values():
                gate.set()
            done = [await t for t in imports]
            assert [r.status_code for r in done] == [201, 201, 201], [r.text for r in done]

    with uvicorn_server(env) as base:
        asyncio.run(scenario(base))
