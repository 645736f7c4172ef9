"""Bring other channels' calendars in: each feed's events become nights no one else can book."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from application.errors import IntegrationError
from application.ports.calendars import CalendarFetcher, Feed, FeedSnapshot, SyncLock
from application.ports.clock import Clock
from application.ports.metrics import CalendarMetrics
from application.ports.outbox import OutboxKind
from application.ports.unit_of_work import UnitOfWork
from application.texts import admin_calendar_conflict
from domain.calendar import local_today
from domain.errors import FeedNotFound, UnsafeFeedUrl
from domain.external_calendar import ExternalEvent, ExternalEventKind, FeedUnparseable

log = logging.getLogger("cabanas.ical")

# Events that ended this long ago are not imported (they cannot collide with anything sold).
PAST_GRACE = timedelta(days=1)


@dataclass(slots=True)
class FeedResult:
    feed_id: int
    outcome: str  # updated | not_modified | failed
    placed: int = 0
    released: int = 0
    waiting: int = 0  # events whose nights are taken (kept, retried every pass)
    conflicts: int = 0  # new cross-channel collisions recorded
    unreadable: int = 0  # events in the feed that could not be read
    error: str | None = None


@dataclass(slots=True)
class SyncReport:
    locked_out: bool = False
    results: list[FeedResult] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(r.outcome == "failed" for r in self.results)


@dataclass(frozen=True, slots=True)
class ApplySnapshot:
    """Rules, inside the caller's transaction:
    - events are matched to what the feed had before by UID; an event that vanished or moved
      releases its nights (first, so a moved event can take its new ones);
    - but while some of the feed's events cannot be read, one that vanished keeps its nights
      (it may be the unreadable one: freeing its nights could sell them twice); the feed's
      ``last_error`` says so, and no validators are kept, so every pass reads it whole again;
    - each event tries to take its nights through the same exclusion constraint as bookings
      (lapsed holds never block); events that ended before yesterday are ignored;
    - an event whose nights are taken is kept, not dropped, and tried again on every pass (the
      other side may be cancelled); if it is a real booking on the other channel and what
      holds the nights is ours (a booking, a hold, a manual block) or another channel's, that
      is a collision: recorded once, counted, and the owner alerted through the outbox. An
      overlapping "not available" window (Airbnb's sliding booking-window blocks) is not.
    """

    uow: UnitOfWork
    clock: Clock
    metrics: CalendarMetrics

    async def __call__(self, feed: Feed, snapshot: FeedSnapshot, result: FeedResult) -> None:
        now = self.clock.now()
        oldest = local_today(now) - PAST_GRACE
        incoming = {e.uid: e for e in snapshot.events if e.stay.check_out >= oldest}
        known = await self.uow.feeds.events(feed.id)
        result.unreadable = snapshot.skipped
        for uid, stored in known.items():
            new = incoming.get(uid)
            if new is not None and new.stay == stored.stay and new.kind == stored.kind:
                continue
            if new is None and snapshot.skipped:
                continue  # perhaps one of the unreadable events: keep what it holds
            if stored.reservation_id is not None:
                await self.uow.feeds.release(stored.reservation_id, now)
                result.released += 1
            if new is None:
                await self.uow.feeds.delete_event(feed.id, uid)
        for uid, event in incoming.items():
            old = known.get(uid)
            unchanged = old is not None and old.stay == event.stay and old.kind == event.kind
            held = old.reservation_id if unchanged and old is not None else None
            if held is None:
                held = await self.uow.feeds.place(feed.accommodation_id, feed.source, event, now)
                if held is not None:
                    result.placed += 1
                else:
                    result.waiting += 1
                    await self._collision(feed, event, result)
            await self.uow.feeds.save_event(feed.id, event, held, now)

    async def _collision(self, feed: Feed, event: ExternalEvent, result: FeedResult) -> None:
        if event.kind is not ExternalEventKind.RESERVED:
            return
        now = self.clock.now()
        for other in await self.uow.feeds.occupants(feed.accommodation_id, event.stay, now):
            if other.kind == "external" and other.channel == feed.source.value:
                continue  # the same channel's own events overlapping each other
            if not await self.uow.feeds.record_conflict(feed, event, other.code, now):
                continue
            result.conflicts += 1
            self.metrics.conflict(feed.source.value)
            log.error(
                "ical_conflict",
                extra={
                    "feed_id": feed.id,
                    "accommodation_id": feed.accommodation_id,
                    "source": feed.source.value,
                    "check_in": event.stay.check_in.isoformat(),
                    "check_out": event.stay.check_out.isoformat(),
                    "other": other.code,
                },
            )
            await self.uow.outbox.add(
                OutboxKind.ADMIN_ALERT,
                {
                    "text": admin_calendar_conflict(
                        feed.source.value,
                        feed.accommodation_id,
                        event.stay.check_in,
                        event.stay.check_out,
                        other.code,
                    )
                },
                now,
                dedupe_key=f"alert:ical:{feed.id}:{event.uid}:{other.code}"[:200],
            )


async def mark_applied(
    uow: UnitOfWork, feed_id: int, now: datetime, snapshot: FeedSnapshot
) -> None:
    """A snapshot applied: a clean one keeps its validators for the next conditional GET; one
    with unreadable events keeps none (a 304 must not hide it) and leaves a warning."""
    clean = not snapshot.skipped
    warning = None
    if not clean:
        log.warning("ical_events_unreadable", extra={"feed_id": feed_id, "count": snapshot.skipped})
        warning = (
            f"{snapshot.skipped} event(s) in the feed could not be read (broken dates or a "
            "repeated UID); events missing from it keep their nights until the feed reads whole"
        )
    await uow.feeds.mark_synced(
        feed_id,
        now,
        etag=snapshot.etag if clean else None,
        last_modified=snapshot.last_modified if clean else None,
        events_count=len(snapshot.events),
        warning=warning,
    )


@dataclass(frozen=True, slots=True)
class SyncFeed:
    """One feed, in one transaction: a conditional GET (ETag / Last-Modified), then the
    snapshot applied. A failing feed records its error and never stops the others."""

    uow: UnitOfWork
    clock: Clock
    fetcher: CalendarFetcher
    apply: ApplySnapshot
    metrics: CalendarMetrics

    async def __call__(self, feed_id: int) -> FeedResult:
        async with self.uow:
            feed = await self.uow.feeds.get(feed_id)
        if feed is None:
            raise FeedNotFound(f"no calendar feed with id {feed_id}")
        result = FeedResult(feed.id, "updated")
        try:
            snapshot = await self.fetcher.fetch(
                feed.url, feed.source, etag=feed.etag, last_modified=feed.last_modified
            )
        except (IntegrationError, FeedUnparseable, UnsafeFeedUrl) as err:
            return await self._failed(feed, result, getattr(err, "message", str(err)))
        async with self.uow:
            locked = await self.uow.feeds.get(feed.id, for_update=True)
            if locked is None:  # deleted meanwhile
                return FeedResult(feed.id, "failed", error="feed deleted during sync")
            now = self.clock.now()
            if snapshot is None:
                result.outcome = "not_modified"
                await self.uow.feeds.mark_synced(
                    feed.id,
                    now,
                    etag=feed.etag,
                    last_modified=feed.last_modified,
                    events_count=None,
                )
            else:
                await self.apply(locked, snapshot, result)
                await mark_applied(self.uow, feed.id, now, snapshot)
            await self.uow.commit()
        self.metrics.sync_run(feed.source.value, result.outcome)
        log.info(
            "ical_synced",
            extra={
                "feed_id": feed.id,
                "outcome": result.outcome,
                "placed": result.placed,
                "released": result.released,
                "waiting": result.waiting,
                "conflicts": result.conflicts,
                "unreadable": result.unreadable,
            },
        )
        return result

    async def _failed(self, feed: Feed, result: FeedResult, error: str) -> FeedResult:
        result.outcome, result.error = "failed", error[:500]
        async with self.uow:
            await self.uow.feeds.mark_failed(feed.id, self.clock.now(), result.error)
            await self.uow.commit()
        self.metrics.sync_run(feed.source.value, "failed")
        log.warning("ical_sync_failed", extra={"feed_id": feed.id, "error": result.error})
        return result


@dataclass(frozen=True, slots=True)
class SyncAllFeeds:
    """Every enabled feed, one after the other, under a lock held across machines (a second
    pass elsewhere skips). ``should_stop`` is checked between feeds (graceful shutdown)."""

    uow: UnitOfWork
    lock: SyncLock
    sync_feed: SyncFeed

    async def __call__(self, should_stop: Callable[[], bool] = lambda: False) -> SyncReport:
        report = SyncReport()
        async with self.lock.hold() as acquired:
            if not acquired:
                report.locked_out = True
                return report
            async with self.uow:
                feeds = await self.uow.feeds.list_feeds(only_enabled=True)
            for feed in feeds:
                if should_stop():
                    break
                try:
                    report.results.append(await self.sync_feed(feed.id))
                except FeedNotFound:
                    continue
        return report
