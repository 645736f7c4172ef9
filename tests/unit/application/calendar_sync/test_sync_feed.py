"""SyncFeed and ApplySnapshot over in-memory fakes: imported events take nights through the
same rule as bookings, vanish and release them, collide, fail, and are guarded."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from application.booking.place_hold import PlaceHold, PlaceHoldCommand
from application.calendar_sync.sync_feeds import ApplySnapshot, SyncAllFeeds, SyncFeed
from application.errors import IntegrationError
from application.ports.calendars import Feed, FeedSnapshot
from application.ports.outbox import OwnerAlert
from domain.booking.policy import BookingPolicy
from domain.booking.reservation import Channel, Guest
from domain.calendar_sync.external_calendar import (
    ExternalEvent,
    ExternalEventKind,
    ExternalSource,
    ReleaseGuard,
)
from domain.errors import StayUnavailable
from domain.stay import Stay
from tests.unit.application.fakes import FakeUnitOfWork, FixedClock, SequenceCodes
from tests.unit.application.fakes_calendars import (
    FakeFetcher,
    FakeLock,
    RecordingCalendarMetrics,
)
from tests.unit.domain.builders import NOW, cabin, stay

URL = "https://www.airbnb.example/calendar/ical/1.ics"
POLICY = BookingPolicy(hold_minutes=30, deposit_percent=Decimal(30))
GUEST = Guest("Juana Pérez", "+5491155551234")


def reserved(uid: str, s: Stay) -> ExternalEvent:
    return ExternalEvent(uid, s, ExternalEventKind.RESERVED)


def snapshot(*events: ExternalEvent, etag: str | None = "v1") -> FeedSnapshot:
    return FeedSnapshot(events=events, etag=etag, last_modified=None)


class Calendars:
    def __init__(self, guard: ReleaseGuard | None = None) -> None:
        self.uow = FakeUnitOfWork([cabin()])
        self.clock = FixedClock(NOW)
        self.fetcher = FakeFetcher()
        self.metrics = RecordingCalendarMetrics()
        apply = ApplySnapshot(self.clock, self.metrics, guard or ReleaseGuard())
        self.sync = SyncFeed(self.uow, self.clock, self.fetcher, apply, self.metrics, POLICY)

    async def feed(self) -> Feed:
        async with self.uow:
            feed = await self.uow.feeds.add(1, ExternalSource.AIRBNB, URL, NOW)
            await self.uow.commit()
        return feed

    async def stored(self, feed: Feed) -> Feed:
        found = await self.uow.feeds.get(feed.id)
        assert found is not None
        return found

    def hold(self) -> PlaceHold:
        u = self.uow
        return PlaceHold(u, self.clock, SequenceCodes(), POLICY, u.catalogue, u.metrics)

    def alerts(self) -> list[str]:
        return [m.text for m in self.uow.outbox.sent(OwnerAlert)]


def booking(s: Stay) -> PlaceHoldCommand:
    return PlaceHoldCommand(1, s.check_in, s.check_out, 2, GUEST, Channel.API)


async def test_an_imported_event_takes_its_nights_from_direct_bookings() -> None:
    cal = Calendars()
    feed = await cal.feed()
    cal.fetcher.answers[URL] = snapshot(reserved("a1", stay(5, 3)))
    result = await cal.sync(feed.id)
    assert (result.outcome, result.placed, result.waiting) == ("updated", 1, 0)
    with pytest.raises(StayUnavailable):
        await cal.hold()(booking(stay(6, 2)))
    stored = await cal.stored(feed)
    assert (stored.etag, stored.events_count, stored.last_error) == ("v1", 1, None)
    assert cal.metrics.runs == [("airbnb", "updated")]


async def test_the_next_pass_asks_conditionally_and_a_304_changes_nothing() -> None:
    cal = Calendars()
    feed = await cal.feed()
    cal.fetcher.answers[URL] = snapshot(reserved("a1", stay(5, 3)))
    await cal.sync(feed.id)
    cal.fetcher.answers[URL] = None  # not modified
    result = await cal.sync(feed.id)
    assert result.outcome == "not_modified"
    assert cal.fetcher.requests == [(URL, None), (URL, "v1")]
    assert (await cal.stored(feed)).events_count == 1


async def test_a_feed_read_whole_again_unchanged_writes_no_event() -> None:
    cal = Calendars()
    feed = await cal.feed()
    mine = stay(5, 3)
    await cal.hold()(booking(stay(20, 2)))  # the second event waits behind this hold
    cal.fetcher.answers[URL] = snapshot(reserved("a1", mine), reserved("a2", stay(20, 2)))
    await cal.sync(feed.id)
    writes = cal.uow.feeds.write.event_writes
    assert writes == 2
    cal.fetcher.answers[URL] = snapshot(
        reserved("a1", mine), reserved("a2", stay(20, 2)), etag="v2"
    )
    result = await cal.sync(feed.id)
    assert (result.outcome, result.placed, result.waiting) == ("updated", 0, 1)
    assert cal.uow.feeds.write.event_writes == writes
    cal.fetcher.answers[URL] = snapshot(reserved("a1", stay(6, 3)), etag="v3")  # moved
    await cal.sync(feed.id)
    assert cal.uow.feeds.write.event_writes == writes + 1


async def test_a_cancelled_event_releases_its_nights() -> None:
    cal = Calendars()
    feed = await cal.feed()
    kept, cancelled = reserved("a1", stay(5, 3)), reserved("a2", stay(20, 2))
    cal.fetcher.answers[URL] = snapshot(kept, cancelled)
    await cal.sync(feed.id)
    cal.fetcher.answers[URL] = snapshot(kept, etag="v2")
    result = await cal.sync(feed.id)
    assert (result.released, result.held_release) == (1, 0)
    placed = await cal.hold()(booking(stay(20, 2)))  # the nights are for sale again
    assert placed.stay == stay(20, 2)


async def test_a_feed_that_suddenly_empties_keeps_its_nights_until_the_answer_is_trusted() -> None:
    cal = Calendars(ReleaseGuard(confirmations=1, min_hours=1))
    feed = await cal.feed()
    cal.fetcher.answers[URL] = snapshot(reserved("a1", stay(5, 3)))
    await cal.sync(feed.id)
    cal.fetcher.answers[URL] = snapshot(etag="empty")
    held = await cal.sync(feed.id)
    assert (held.released, held.held_release) == (0, 3)
    assert len(cal.alerts()) == 1
    assert "would free 3 night(s)" in str((await cal.stored(feed)).last_error)
    with pytest.raises(StayUnavailable):
        await cal.hold()(booking(stay(5, 3)))
    cal.clock.current = NOW + timedelta(hours=2)  # seen once more, over an hour later: trusted
    trusted = await cal.sync(feed.id)
    assert (trusted.released, trusted.held_release) == (1, 0)
    assert (await cal.stored(feed)).held_release is None


async def test_a_lapsed_hold_never_keeps_an_imported_booking_out() -> None:
    cal = Calendars()
    feed = await cal.feed()
    await cal.hold()(booking(stay(5, 3)))
    cal.clock.current = NOW + timedelta(minutes=31)  # the hold ran out, unpaid
    cal.fetcher.answers[URL] = snapshot(reserved("a1", stay(5, 3)))
    result = await cal.sync(feed.id)
    assert (result.placed, result.conflicts) == (1, 0)


async def test_a_booking_on_both_channels_is_a_conflict_recorded_and_alerted_once() -> None:
    cal = Calendars()
    feed = await cal.feed()
    ours = await cal.hold()(booking(stay(5, 3)))
    cal.fetcher.answers[URL] = snapshot(reserved("a1", stay(6, 2)))
    first = await cal.sync(feed.id)
    assert (first.placed, first.waiting, first.conflicts) == (0, 1, 1)
    assert cal.metrics.conflicts == ["airbnb"]
    assert len(cal.alerts()) == 1
    assert [c.other_code for c in await cal.uow.feeds.conflicts(10)] == [ours.code.value]
    again = await cal.sync(feed.id)  # still waiting, not alerted again
    assert (again.waiting, again.conflicts) == (1, 0)
    assert len(cal.alerts()) == 1


async def test_the_conflict_alert_names_the_year_of_a_stay_next_year() -> None:
    """The owner read "del 05/01 al 08/01" for a clash in January next year."""
    cal = Calendars()
    feed = await cal.feed()
    await cal.hold()(booking(stay(35, 3)))  # 05/01/2027, today being 01/12/2026
    cal.fetcher.answers[URL] = snapshot(reserved("a1", stay(35, 3)))
    await cal.sync(feed.id)
    [alert] = cal.alerts()
    assert "en Cabaña del Lago del 05/01/2027 al 08/01/2027 que se superpone" in alert


async def test_a_failing_feed_records_its_error_and_keeps_its_nights() -> None:
    cal = Calendars()
    feed = await cal.feed()
    cal.fetcher.answers[URL] = snapshot(reserved("a1", stay(5, 3)))
    await cal.sync(feed.id)
    cal.fetcher.answers[URL] = IntegrationError("HTTP 503 from the channel", retryable=True)
    result = await cal.sync(feed.id)
    assert (result.outcome, result.error) == ("failed", "HTTP 503 from the channel")
    assert (await cal.stored(feed)).last_error == "HTTP 503 from the channel"
    with pytest.raises(StayUnavailable):
        await cal.hold()(booking(stay(5, 3)))


async def test_every_enabled_feed_is_synced_under_the_lock_and_a_locked_out_pass_skips() -> None:
    cal = Calendars()
    feed = await cal.feed()
    cal.fetcher.answers[URL] = snapshot(reserved("a1", stay(5, 3)))
    report = await SyncAllFeeds(cal.uow, FakeLock(), cal.sync)()
    assert [(r.feed_id, r.outcome) for r in report.results] == [(feed.id, "updated")]
    skipped = await SyncAllFeeds(cal.uow, FakeLock(free=False), cal.sync)()
    assert (skipped.locked_out, skipped.results) == (True, [])


def unavailable(uid: str, s: Stay) -> ExternalEvent:
    return ExternalEvent(uid, s, ExternalEventKind.UNAVAILABLE)


async def test_an_event_partly_taken_still_takes_its_free_nights() -> None:
    cal = Calendars()
    feed = await cal.feed()
    await cal.hold()(booking(stay(10, 2)))  # nights 10 and 11 are ours
    # The channel sold 9 to 16: only 10 and 11 stand in its way.
    cal.fetcher.answers[URL] = snapshot(reserved("a1", stay(9, 7)))
    result = await cal.sync(feed.id)
    assert (result.placed, result.waiting, result.conflicts) == (0, 1, 1)
    [event] = (await cal.uow.feeds.events(feed.id)).values()
    assert event.reservation_id is None
    assert [p.stay for p in event.parts] == [stay(9, 1), stay(12, 4)]
    # (The cabin takes two nights at least: each of these has one of the event's in it.)
    for taken in (stay(8, 2), stay(12, 2), stay(14, 2), stay(15, 2)):
        with pytest.raises(StayUnavailable):
            await cal.hold()(booking(taken))
    # The next pass with the same answer writes nothing.
    writes = cal.uow.feeds.write.event_writes
    cal.fetcher.answers[URL] = snapshot(reserved("a1", stay(9, 7)), etag="v2")
    again = await cal.sync(feed.id)
    assert (again.placed, again.waiting, again.conflicts, again.released) == (0, 1, 0, 0)
    assert cal.uow.feeds.write.event_writes == writes
    assert [p.stay for p in (await cal.uow.feeds.events(feed.id))["a1"].parts] == [
        stay(9, 1),
        stay(12, 4),
    ]
    # Our hold runs out unpaid: the event takes all its nights as one again.
    cal.clock.current = NOW + timedelta(minutes=31)
    cal.fetcher.answers[URL] = snapshot(reserved("a1", stay(9, 7)), etag="v3")
    whole = await cal.sync(feed.id)
    assert (whole.placed, whole.waiting) == (1, 0)
    event = (await cal.uow.feeds.events(feed.id))["a1"]
    assert event.reservation_id is not None
    assert event.parts == ()
    with pytest.raises(StayUnavailable):
        await cal.hold()(booking(stay(10, 2)))


async def test_two_overlapping_events_of_one_feed_hold_every_night_between_them() -> None:
    cal = Calendars()
    feed = await cal.feed()
    cal.fetcher.answers[URL] = snapshot(reserved("a1", stay(5, 3)), reserved("a2", stay(7, 4)))
    result = await cal.sync(feed.id)
    assert (result.placed, result.waiting, result.conflicts) == (1, 1, 0)
    assert [p.stay for p in (await cal.uow.feeds.events(feed.id))["a2"].parts] == [stay(8, 3)]
    for night in range(4, 11):  # two nights each, one of 5 … 10 at least
        with pytest.raises(StayUnavailable):
            await cal.hold()(booking(stay(night, 2)))
    # The second one cancelled on the channel: its part goes with it.
    cal.fetcher.answers[URL] = snapshot(reserved("a1", stay(5, 3)), reserved("a3", stay(30, 2)))
    gone = await cal.sync(feed.id)
    assert gone.released == 1
    assert "a2" not in await cal.uow.feeds.events(feed.id)
    await cal.hold()(booking(stay(9, 2)))


async def test_a_moved_waiting_event_gives_back_its_parts_and_takes_its_new_nights() -> None:
    cal = Calendars()
    feed = await cal.feed()
    await cal.hold()(booking(stay(10, 2)))
    # Other events keep the feed's nights, so the move is no suspicious answer.
    others = [reserved(f"o{i}", stay(40 + 3 * i, 2)) for i in range(5)]
    cal.fetcher.answers[URL] = snapshot(reserved("a1", stay(9, 4)), *others)
    await cal.sync(feed.id)
    assert [p.stay for p in (await cal.uow.feeds.events(feed.id))["a1"].parts] == [
        stay(9, 1),
        stay(12, 1),
    ]
    cal.fetcher.answers[URL] = snapshot(reserved("a1", stay(20, 3)), *others, etag="v2")
    moved = await cal.sync(feed.id)
    assert (moved.held_release, moved.released, moved.placed) == (0, 1, 1)
    event = (await cal.uow.feeds.events(feed.id))["a1"]
    assert (event.reservation_id is not None, event.parts) == (True, ())
    await cal.hold()(booking(stay(8, 2)))
    await cal.hold()(booking(stay(12, 2)))


async def test_a_feed_losing_every_booking_beside_a_long_window_block_is_held() -> None:
    """Airbnb's booking-window block ("Airbnb (Not available)") covers a year or more of
    nights: three bookings vanishing are few of the feed's nights, but all its bookings."""
    cal = Calendars()
    feed = await cal.feed()
    window = unavailable("window", stay(120, 400))
    bookings = [reserved(f"r{i}", stay(10 + 10 * i, 4)) for i in range(3)]
    cal.fetcher.answers[URL] = snapshot(*bookings, window)
    await cal.sync(feed.id)
    cal.fetcher.answers[URL] = snapshot(window, etag="v2")
    result = await cal.sync(feed.id)
    assert (result.released, result.held_release) == (0, 12)
    assert (await cal.stored(feed)).held_release is not None
    for b in bookings:
        with pytest.raises(StayUnavailable):
            await cal.hold()(booking(b.stay))
    # One booking of the three cancelled, the others kept: a normal cancellation, applied.
    cal2 = Calendars()
    feed2 = await cal2.feed()
    cal2.fetcher.answers[URL] = snapshot(*bookings, window)
    await cal2.sync(feed2.id)
    cal2.fetcher.answers[URL] = snapshot(*bookings[1:], window, etag="v2")
    fine = await cal2.sync(feed2.id)
    assert (fine.released, fine.held_release) == (1, 0)


async def test_one_booking_cancelled_beside_a_long_window_block_is_applied() -> None:
    """Most of the bookings' nights go, but a booking is kept: a cancellation, not a feed cut
    short (reported: two bookings and Airbnb's window, one cancelled, was held)."""
    cal = Calendars()
    feed = await cal.feed()
    window = unavailable("window", stay(120, 400))
    short, long = reserved("r1", stay(10, 2)), reserved("r2", stay(20, 5))
    cal.fetcher.answers[URL] = snapshot(short, long, window)
    await cal.sync(feed.id)
    cal.fetcher.answers[URL] = snapshot(short, window, etag="v2")
    result = await cal.sync(feed.id)
    assert (result.released, result.held_release) == (1, 0)
    await cal.hold()(booking(stay(20, 5)))


async def test_a_waiting_event_is_tried_again_when_the_feed_answers_304() -> None:
    """Reported: a 304 applied nothing, so an event waiting behind a hold that lapsed stayed
    waiting (its nights on sale here) until the channel's calendar changed."""
    cal = Calendars()
    feed = await cal.feed()
    await cal.hold()(booking(stay(10, 2)))
    cal.fetcher.answers[URL] = snapshot(reserved("a1", stay(9, 5)))
    assert (await cal.sync(feed.id)).waiting == 1
    cal.fetcher.answers[URL] = None  # not modified
    still = await cal.sync(feed.id)
    assert (still.outcome, still.placed, still.waiting) == ("not_modified", 0, 1)
    cal.clock.current = NOW + timedelta(minutes=31)  # the hold lapses
    placed = await cal.sync(feed.id)
    assert cal.fetcher.requests[-1] == (URL, "v1")  # still a conditional GET
    assert (placed.outcome, placed.placed, placed.waiting) == ("not_modified", 1, 0)
    event = (await cal.uow.feeds.events(feed.id))["a1"]
    assert (event.reservation_id is not None, event.parts) == (True, ())
    with pytest.raises(StayUnavailable):
        await cal.hold()(booking(stay(10, 2)))


async def test_a_collision_with_another_channel_is_not_alerted_again_when_its_rows_change() -> None:
    """Reported: the other channel's event placed whole again (a new row, a new code) raised
    the same collision as new, and the owner was alerted twice."""
    cal = Calendars()
    airbnb = await cal.feed()
    booking_url = "https://admin.booking.example/ical/1.ics"
    async with cal.uow:
        other = await cal.uow.feeds.add(1, ExternalSource.BOOKING, booking_url, NOW)
        await cal.uow.commit()
    await cal.hold()(booking(stay(10, 2)))  # ours: 10 and 11
    cal.fetcher.answers[URL] = snapshot(reserved("a1", stay(8, 6)))  # takes 8-9, 12-13
    await cal.sync(airbnb.id)
    cal.fetcher.answers[booking_url] = snapshot(reserved("b1", stay(13, 3)))  # 13 is Airbnb's
    assert (await cal.sync(other.id)).conflicts == 1
    alerts = len(cal.alerts())
    cal.clock.current = NOW + timedelta(minutes=31)  # our hold lapses
    cal.fetcher.answers[URL] = snapshot(reserved("a1", stay(8, 6)), etag="v2")
    assert (await cal.sync(airbnb.id)).placed == 1  # whole now: a row of its own
    cal.fetcher.answers[booking_url] = snapshot(reserved("b1", stay(13, 3)), etag="v2")
    await cal.sync(other.id)
    assert len(cal.alerts()) == alerts


async def test_a_part_whose_row_no_longer_holds_its_nights_is_taken_again() -> None:
    cal = Calendars()
    feed = await cal.feed()
    await cal.hold()(booking(stay(10, 2)))
    cal.fetcher.answers[URL] = snapshot(reserved("a1", stay(9, 5)))
    await cal.sync(feed.id)
    [first, _] = (await cal.uow.feeds.events(feed.id))["a1"].parts
    cal.uow.feeds.write.rows[first.reservation_id].active = False  # its row given up
    cal.uow.feeds.commit()
    cal.fetcher.answers[URL] = None  # the channel's calendar as it was (304)
    await cal.sync(feed.id)
    assert [p.stay for p in (await cal.uow.feeds.events(feed.id))["a1"].parts] == [
        stay(9, 1),
        stay(12, 2),
    ]
    with pytest.raises(StayUnavailable):
        await cal.hold()(booking(stay(8, 2)))  # night 9 is the channel's again
