"""Bring other channels' calendars in: each feed's events become nights no one else can book."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from application.errors import IntegrationError
from application.messaging import console_pages
from application.messaging.texts import (
    admin_calendar_conflict,
    admin_calendar_release_held,
    channel_name,
)
from application.ports.audit import AuditEntry
from application.ports.calendars import CalendarFetcher, Feed, FeedSnapshot, StoredEvent, SyncLock
from application.ports.clock import Clock
from application.ports.metrics import CalendarMetrics
from application.ports.outbox import OwnerAlert
from application.ports.unit_of_work import Transactions, UnitOfWork
from domain.booking.policy import BookingPolicy
from domain.calendar import local_today
from domain.calendar_sync.external_calendar import (
    ExternalEvent,
    ExternalEventKind,
    FeedUnparseable,
    FeedWindow,
    HeldRelease,
    ReleaseGuard,
    future_nights,
)
from domain.codes import ReservationCode
from domain.errors import FeedNotFound, NoHeldRelease, UnsafeFeedUrl

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
    warnings: int = 0  # events read with a repair (an invalid DURATION)
    held_release: int = 0  # nights this answer would free, held by the release guard
    error: str | None = None


@dataclass(slots=True)
class SyncReport:
    locked_out: bool = False
    results: list[FeedResult] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(r.outcome == "failed" for r in self.results)


def feed_window(now: datetime, policy: BookingPolicy) -> FeedWindow:
    """What a feed is read over: from a few days back to the last night anyone could book."""
    return FeedWindow.around(
        local_today(now), horizon_days=policy.horizon_days, max_nights=policy.max_nights
    )


def answer_fingerprint(events: dict[str, ExternalEvent]) -> str:
    """The same answer from a channel, whatever order it lists its events in."""
    lines = sorted(
        f"{e.uid}|{e.stay.check_in}|{e.stay.check_out}|{e.kind}" for e in events.values()
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]


def _moved_uid(uid: str) -> str:
    """Where a moved event's new nights are kept while its old ones are held."""
    return f"held-move-{hashlib.sha256(uid.encode()).hexdigest()[:40]}"


@dataclass(frozen=True, slots=True)
class ApplySnapshot:
    """Rules, inside the caller's transaction:
    - events are matched to what the feed had before by identity (the UID; UID and original
      start for an occurrence of a recurring event); an event that vanished or moved releases
      its nights (first, so a moved event can take its new ones);
    - but while some of the feed's events cannot be read, one that vanished keeps its nights
      (it may be the unreadable one: freeing its nights could sell them twice); the feed's
      ``last_error`` says so, and no validators are kept, so every pass reads it whole again;
    - an answer that would free nights is judged by the ``ReleaseGuard`` first: a suspicious
      one (the feed emptied, or more than the allowed fraction of its future nights freed at
      once) is held — nothing is released, new events are still added, a moved event keeps
      its old nights and takes its new ones too — until the same answer has been seen enough
      times over long enough, or an admin confirms that answer (``confirmed``);
    - each event tries to take its nights through the same exclusion constraint as bookings
      (lapsed holds never block); events that ended before yesterday are ignored;
    - an event whose nights are taken is kept, not dropped, and tried again on every pass (the
      other side may be cancelled); if it is a real booking on the other channel and what
      holds the nights is ours (a booking, a hold, a manual block) or another channel's, that
      is a collision: recorded once, counted, and the owner alerted through the outbox. An
      overlapping "not available" window (Airbnb's sliding booking-window blocks) is not;
    - an event stored exactly as it comes (nights, kind, what it holds) is not written again.
    - after the feed's events, its open collisions that no longer exist are settled.
    """

    clock: Clock
    metrics: CalendarMetrics
    guard: ReleaseGuard

    async def __call__(
        self,
        uow: UnitOfWork,
        feed: Feed,
        snapshot: FeedSnapshot,
        result: FeedResult,
        *,
        confirmed: str | None = None,
    ) -> None:
        now = self.clock.now()
        today = local_today(now)
        incoming = {e.uid: e for e in snapshot.events if e.stay.check_out >= today - PAST_GRACE}
        known = await uow.feeds.events(feed.id)
        result.unreadable = snapshot.skipped
        result.warnings = snapshot.warnings
        hold = self._judge(feed, known, incoming, snapshot, today, now, confirmed)
        if hold is not None:
            incoming = self._while_held(known, incoming, snapshot)
            result.held_release = hold.nights
            if hold.seen == 1:
                await self._held(uow, feed, hold, now)
        if hold != feed.held_release:
            await uow.feeds.hold_release(feed.id, hold)
        for uid, stored in known.items():
            new = incoming.get(uid)
            if new is not None and new.stay == stored.stay and new.kind == stored.kind:
                continue
            if new is None and snapshot.skipped:
                continue  # perhaps one of the unreadable events: keep what it holds
            if stored.reservation_id is not None:
                await uow.feeds.release(stored.reservation_id, now)
                result.released += 1
            if stored.parts and await uow.feeds.release_parts(feed.id, uid, now):
                result.released += 1
            if new is None:
                await uow.feeds.delete_event(feed.id, uid)
        for uid, event in incoming.items():
            await self._take(uow, feed, event, known.get(uid), result, now)
        # This feed's collisions that no longer exist (its event placed, moved or gone; what
        # held the nights cancelled, moved or lapsed) leave the owner's queue. One feed's rows
        # only: passes over other feeds never contend for them.
        await uow.feeds.clear_conflicts(now, feed.id)

    async def _take(
        self,
        uow: UnitOfWork,
        feed: Feed,
        event: ExternalEvent,
        old: StoredEvent | None,
        result: FeedResult,
        now: datetime,
    ) -> None:
        """The event's nights: kept if it already holds them, else tried again whole; taken
        elsewhere, it waits and takes what is free of them (its parts)."""
        unchanged = old is not None and old.stay == event.stay and old.kind == event.kind
        if unchanged and old is not None and old.reservation_id is not None:
            return  # holds its nights already, stored exactly so (most of a pass's events)
        # A changed event's parts were given back above; an unchanged waiting one keeps them
        # while what stands in its way does.
        parts = old.parts if unchanged and old is not None else ()
        own = [p.reservation_id for p in parts]
        acc = feed.accommodation_id
        held, free = None, None
        if unchanged:  # waiting as it was: what of its nights is free now (its parts aside)
            free = await uow.feeds.free_stretches(acc, event.stay, now, ignoring=own)
        if free is None or free == [event.stay]:  # new, changed, or free again: whole
            if parts:
                await uow.feeds.release_parts(feed.id, event.uid, now)
                parts, own = (), []
            held = await uow.feeds.place(acc, feed.source, event, now)
            free = None  # taken meanwhile, if it failed: looked at again below
        if held is not None:
            result.placed += 1
            await uow.feeds.save_event(feed.id, event, held, now)
            return
        result.waiting += 1
        await self._collision(uow, feed, event, result)
        if not unchanged:
            await uow.feeds.save_event(feed.id, event, None, now)
        # The nights no one else holds are still this channel's: taken, so they are never
        # sold here (only those that stand in the way wait).
        if free is None:
            free = await uow.feeds.free_stretches(acc, event.stay, now, ignoring=own)
        if [p.stay for p in sorted(parts, key=lambda p: p.stay.check_in)] == free:
            return
        if parts:
            await uow.feeds.release_parts(feed.id, event.uid, now)
        for stretch in free:
            await uow.feeds.place_part(feed, event, stretch, now)

    async def retry_waiting(self, uow: UnitOfWork, feed: Feed, result: FeedResult) -> None:
        """A feed that answered 304: its stored events are its answer; those that wait try
        for their nights again (``_take``), the others are left as they are."""
        now = self.clock.now()
        for stored in (await uow.feeds.events(feed.id)).values():
            if stored.reservation_id is None:
                event = ExternalEvent(stored.uid, stored.stay, stored.kind)
                await self._take(uow, feed, event, stored, result, now)
        if result.waiting or result.placed:
            await uow.feeds.clear_conflicts(now, feed.id)

    def _judge(
        self,
        feed: Feed,
        known: dict[str, StoredEvent],
        incoming: dict[str, ExternalEvent],
        snapshot: FeedSnapshot,
        today: date,
        now: datetime,
        confirmed: str | None,
    ) -> HeldRelease | None:
        """The hold this answer leaves the feed in (None: apply it as it is)."""
        # Judged over every night; and an answer in which every booking of the feed vanished
        # is suspicious whatever else it keeps: a sliding booking-window block ("Airbnb (Not
        # available)", a year of nights) must not make that look like a small change.
        held, kept = self._nights(known, incoming, snapshot, today, None)
        bookings, kept_bookings = self._nights(
            known, incoming, snapshot, today, ExternalEventKind.RESERVED
        )
        freed = len(held - kept)  # nights the answer frees, whatever held them
        emptied = bool(bookings) and not kept_bookings  # every booking of the feed gone
        if not freed or not (emptied or self.guard.suspicious(held=held, kept=kept)):
            return None
        answer = answer_fingerprint(incoming)
        if confirmed is not None and confirmed == answer:
            return None
        hold = self.guard.sighting(feed.held_release, answer, freed, now)
        return None if self.guard.confirmed(hold, now) else hold

    @staticmethod
    def _nights(
        known: dict[str, StoredEvent],
        incoming: dict[str, ExternalEvent],
        snapshot: FeedSnapshot,
        today: date,
        only: ExternalEventKind | None,
    ) -> tuple[set[date], set[date]]:
        """The future nights the feed's events (of one kind, or all) hold now, and those this
        answer keeps."""
        holding = [s for s in known.values() if s.holding and only in (None, s.kind)]
        held = future_nights((n for s in holding for n in s.holding), today)
        if snapshot.skipped:  # vanished events keep their nights anyway (see above)
            holding = [s for s in holding if s.uid in incoming]
        kept = future_nights((e.stay for e in incoming.values() if only in (None, e.kind)), today)
        kept |= held - future_nights((n for s in holding for n in s.holding), today)
        return held, kept

    @staticmethod
    def _while_held(
        known: dict[str, StoredEvent],
        incoming: dict[str, ExternalEvent],
        snapshot: FeedSnapshot,
    ) -> dict[str, ExternalEvent]:
        """What to apply while a release is held: every known event as it is, what is new,
        and a moved event's new nights under an identity of their own."""
        kept = {
            uid: ExternalEvent(uid, stored.stay, stored.kind)
            for uid, stored in known.items()
            if not uid.startswith("held-move-")
        }
        for uid, event in incoming.items():
            old = kept.get(uid)
            if old is None:
                kept[uid] = event
            elif old.stay != event.stay or old.kind != event.kind:
                moved = _moved_uid(uid)
                kept[moved] = ExternalEvent(moved, event.stay, event.kind)
        return kept

    async def _held(self, uow: UnitOfWork, feed: Feed, hold: HeldRelease, now: datetime) -> None:
        log.warning(
            "ical_release_held",
            extra={
                "feed_id": feed.id,
                "accommodation_id": feed.accommodation_id,
                "source": feed.source.value,
                "nights": hold.nights,
            },
        )
        cabin = await uow.accommodations.get(feed.accommodation_id)
        await uow.outbox.put(
            OwnerAlert(
                admin_calendar_release_held(
                    feed.source.value,
                    cabin.name if cabin else "una cabaña",
                    hold.nights,
                    self.guard.min_hours,
                ),
                console_pages.CHANNELS,
            ),
            now,
            dedupe_key=f"alert:ical:held:{feed.id}:{hold.answer}",
        )

    async def _collision(
        self, uow: UnitOfWork, feed: Feed, event: ExternalEvent, result: FeedResult
    ) -> None:
        if event.kind is not ExternalEventKind.RESERVED:
            return
        now = self.clock.now()
        for other in await uow.feeds.occupants(feed.accommodation_id, event.stay, now):
            if other.kind == "external" and other.channel == feed.source.value:
                continue  # the same channel's own events overlapping each other
            if not await uow.feeds.record_conflict(feed, event, other.code, now):
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
            cabin = await uow.accommodations.get(feed.accommodation_id)
            if other.kind == "booking":
                taken_by = f"la reserva {ReservationCode(other.code).display}"
                link = console_pages.reservation(other.code)
            else:
                taken_by = (
                    "un bloqueo"
                    if other.kind == "block"
                    else f"noches de {channel_name(other.channel)}"
                )
                link = console_pages.calendar(event.stay.check_in)
            await uow.outbox.put(
                OwnerAlert(
                    admin_calendar_conflict(
                        feed.source.value,
                        cabin.name if cabin else "una cabaña",
                        event.stay.check_in,
                        event.stay.check_out,
                        taken_by,
                        today=local_today(now),
                    ),
                    link,
                ),
                now,
                # Another channel's nights are told once per channel: its rows are rebuilt
                # (a waiting event placed whole) under new codes, the collision the same.
                dedupe_key=f"alert:ical:{feed.id}:{event.uid}:"
                f"{other.channel if other.kind == 'external' else other.code}"[:200],
            )


async def mark_applied(
    uow: UnitOfWork, feed_id: int, now: datetime, snapshot: FeedSnapshot, result: FeedResult
) -> None:
    """A snapshot applied: a clean one keeps its validators for the next conditional GET; one
    with unreadable or repaired events, or a held release, keeps none (a 304 must not hide it)
    and leaves a warning in ``last_error``."""
    notes = []
    if snapshot.skipped:
        log.warning("ical_events_unreadable", extra={"feed_id": feed_id, "count": snapshot.skipped})
        notes.append(
            f"{snapshot.skipped} event(s) in the feed could not be read (broken dates or a "
            "repeated UID); events missing from it keep their nights until the feed reads whole"
        )
    if snapshot.warnings:
        notes.append(
            f"{snapshot.warnings} event(s) have an invalid DURATION; each keeps its first night"
        )
    if result.held_release:
        notes.append(
            f"this answer would free {result.held_release} night(s) at once; they stay blocked "
            "until the same answer is seen again for long enough or an admin confirms the "
            f"release (POST /api/v1/admin/ical/feeds/{feed_id}/release)"
        )
    clean = not notes
    await uow.feeds.mark_synced(
        feed_id,
        now,
        etag=snapshot.etag if clean else None,
        last_modified=snapshot.last_modified if clean else None,
        events_count=len(snapshot.events),
        warning="; ".join(notes) or None,
    )


@dataclass(frozen=True, slots=True)
class SyncFeed:
    """One feed: a conditional GET (ETag / Last-Modified) holding no database connection, then
    the snapshot applied in one transaction. A failing feed records its error and never stops
    the others; its nights stay as they were. ``confirm_by`` (an admin) confirms the release
    the feed holds, if the feed still gives the same answer: audited."""

    transactions: Transactions
    clock: Clock
    fetcher: CalendarFetcher
    apply: ApplySnapshot
    metrics: CalendarMetrics
    policy: BookingPolicy

    async def __call__(self, feed_id: int, *, confirm_by: str | None = None) -> FeedResult:
        async with self.transactions() as uow:
            feed = await uow.feeds.get(feed_id)
        if feed is None:
            raise FeedNotFound(f"no calendar feed with id {feed_id}")
        if confirm_by is not None and feed.held_release is None:
            raise NoHeldRelease("this feed holds no release to confirm")
        result = FeedResult(feed.id, "updated")
        try:
            snapshot = await self.fetcher.fetch(
                feed.url,
                feed.source,
                window=feed_window(self.clock.now(), self.policy),
                etag=feed.etag,
                last_modified=feed.last_modified,
            )
        except (IntegrationError, FeedUnparseable, UnsafeFeedUrl) as err:
            return await self._failed(feed, result, getattr(err, "message", str(err)))
        async with self.transactions() as uow:
            locked = await uow.feeds.get(feed.id, for_update=True)
            if locked is None:  # deleted meanwhile
                return FeedResult(feed.id, "failed", error="feed deleted during sync")
            now = self.clock.now()
            if snapshot is None:
                result.outcome = "not_modified"
                if locked.held_release is not None:
                    result.held_release = locked.held_release.nights
                # The channel's calendar is as it was; what stood in a waiting event's way
                # may not be (a booking cancelled, a hold lapsed): each is tried again.
                await self.apply.retry_waiting(uow, locked, result)
                await uow.feeds.mark_synced(
                    feed.id,
                    now,
                    etag=feed.etag,
                    last_modified=feed.last_modified,
                    events_count=None,
                )
            else:
                confirmed = None
                if confirm_by is not None:
                    if locked.held_release is None:
                        raise NoHeldRelease("this feed holds no release to confirm")
                    confirmed = locked.held_release.answer
                await self.apply(uow, locked, snapshot, result, confirmed=confirmed)
                await mark_applied(uow, feed.id, now, snapshot, result)
                if confirm_by is not None and locked.held_release is not None:
                    await uow.audit.record(
                        AuditEntry(
                            confirm_by,
                            "ical_feed.release_confirmed",
                            f"ical_feed:{feed.id}",
                            now,
                            before={"held_nights": locked.held_release.nights},
                            after={
                                "released": result.released,
                                "held_nights": result.held_release,
                            },
                        )
                    )
            await uow.commit()
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
                "held_release": result.held_release,
            },
        )
        return result

    async def _failed(self, feed: Feed, result: FeedResult, error: str) -> FeedResult:
        result.outcome, result.error = "failed", error[:500]
        async with self.transactions() as uow:
            await uow.feeds.mark_failed(feed.id, self.clock.now(), result.error)
            await uow.commit()
        self.metrics.sync_run(feed.source.value, "failed")
        log.warning("ical_sync_failed", extra={"feed_id": feed.id, "error": result.error})
        return result


@dataclass(frozen=True, slots=True)
class SyncAllFeeds:
    """Every enabled feed, one after the other, under a lock held across machines (a second
    pass elsewhere skips). ``should_stop`` is checked between feeds (graceful shutdown)."""

    transactions: Transactions
    lock: SyncLock
    sync_feed: SyncFeed

    async def __call__(self, should_stop: Callable[[], bool] = lambda: False) -> SyncReport:
        report = SyncReport()
        async with self.lock.hold() as acquired:
            if not acquired:
                report.locked_out = True
                return report
            async with self.transactions() as uow:
                feeds = await uow.feeds.list_feeds(only_enabled=True)
            for feed in feeds:
                if should_stop():
                    break
                try:
                    report.results.append(await self.sync_feed(feed.id))
                except FeedNotFound:
                    continue
        return report
