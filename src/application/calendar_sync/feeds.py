"""Registering other channels' feeds, and exporting ours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from application.calendar_sync.sync_feeds import (
    ApplySnapshot,
    FeedResult,
    feed_window,
    mark_applied,
)
from application.errors import IntegrationError
from application.ports.audit import AuditEntry
from application.ports.calendars import CalendarFetcher, Conflict, Feed
from application.ports.clock import Clock
from application.ports.export_tokens import ExportTokens
from application.ports.unit_of_work import ReadOnlyUnitOfWork, Transactions, UnitOfWork
from domain.booking.policy import BookingPolicy
from domain.calendar import local_today
from domain.calendar_sync.export import event_summary
from domain.calendar_sync.external_calendar import ExternalSource, FeedUnparseable
from domain.errors import AccommodationNotFound, FeedNotFound, FeedUnreachable
from domain.stay import Stay

# Our export starts a little in the past (channels like to see the current stay) and covers
# everything ahead.
EXPORT_PAST = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class ImportFeed:
    """Rules: the URL is checked (https outside development, no credentials, public
    addresses only; ``webcal://`` is read as ``https://``) and fetched at once, holding no
    database connection while it waits; a feed that cannot be fetched or parsed is refused
    with nothing stored; otherwise the feed and its events are stored in one transaction
    (its events take their nights at once). Audited."""

    transactions: Transactions
    clock: Clock
    fetcher: CalendarFetcher
    apply: ApplySnapshot
    policy: BookingPolicy

    async def __call__(
        self, accommodation_id: int, source: ExternalSource, url: str, actor: str
    ) -> tuple[Feed, FeedResult]:
        url = self.fetcher.check_url(url)
        async with self.transactions() as uow:
            if await uow.accommodations.get(accommodation_id) is None:
                raise AccommodationNotFound(f"no accommodation with id {accommodation_id}")
        window = feed_window(self.clock.now(), self.policy)
        try:
            snapshot = await self.fetcher.fetch(url, source, window=window)
        except IntegrationError as err:
            raise FeedUnreachable(f"the feed could not be fetched: {err.message}") from err
        if snapshot is None:  # no validators were sent, so a 304 is a broken server
            raise FeedUnreachable("the feed answered 304 Not Modified to a plain GET")
        if snapshot.skipped and not snapshot.events:
            raise FeedUnparseable(
                f"None of the feed's {snapshot.skipped} event(s) could be read "
                "(missing or invalid DTSTART/DTEND, or repeated UIDs)."
            )
        async with self.transactions() as uow:
            now = self.clock.now()
            feed = await uow.feeds.add(accommodation_id, source, url, now)
            result = FeedResult(feed.id, "updated")
            await self.apply(uow, feed, snapshot, result)
            await mark_applied(uow, feed.id, now, snapshot, result)
            await uow.audit.record(
                AuditEntry(
                    actor,
                    "ical_feed.create",
                    f"ical_feed:{feed.id}",
                    now,
                    after={"accommodation_id": accommodation_id, "source": source.value},
                )
            )
            stored = await uow.feeds.get(feed.id)
            await uow.commit()
        assert stored is not None
        return stored, result


@dataclass(frozen=True, slots=True)
class ListFeeds:
    uow: UnitOfWork

    async def __call__(self, accommodation_id: int | None = None) -> list[Feed]:
        async with self.uow:
            return await self.uow.feeds.list_feeds(accommodation_id)


@dataclass(frozen=True, slots=True)
class DeleteFeed:
    """Rules: the feed's events release their nights at once. Audited."""

    uow: UnitOfWork
    clock: Clock

    async def __call__(self, feed_id: int, actor: str) -> None:
        async with self.uow:
            now = self.clock.now()
            feed = await self.uow.feeds.get(feed_id, for_update=True)
            if feed is None or not await self.uow.feeds.delete(feed_id, now):
                raise FeedNotFound(f"no calendar feed with id {feed_id}")
            await self.uow.audit.record(
                AuditEntry(
                    actor,
                    "ical_feed.delete",
                    f"ical_feed:{feed_id}",
                    now,
                    before={"accommodation_id": feed.accommodation_id, "source": feed.source.value},
                )
            )
            await self.uow.commit()


@dataclass(frozen=True, slots=True)
class ListConflicts:
    uow: UnitOfWork

    async def __call__(self, limit: int = 100) -> list[Conflict]:
        async with self.uow:
            return await self.uow.feeds.conflicts(min(max(limit, 1), 500))


@dataclass(frozen=True, slots=True)
class ExportEvent:
    uid: str  # keyed: it does not reveal the reservation's code
    stay: Stay
    summary: str  # no guest data
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CalendarExport:
    name: str | None  # None: no calendar at that address (a wrong token, or no such cabin)
    events: list[ExportEvent]
    last_change: datetime | None


@dataclass(frozen=True, slots=True)
class ExportCalendar:
    """Rules: the token must be one we issued (checked by ``ExportTokens``, in constant time);
    live holds, confirmed bookings and manual blocks of one cabin, from 30 days ago on;
    imported events too, except those from the channel the export is for (no echo) — the
    audience "all" gets no imported events at all. Each event's UID is keyed and its summary
    says only booked or unavailable: no guest data ever."""

    uow: ReadOnlyUnitOfWork
    clock: Clock
    tokens: ExportTokens

    async def __call__(self, token: str) -> CalendarExport:
        address = self.tokens.read(token)
        if address is None:
            return CalendarExport(None, [], None)
        now = self.clock.now()
        since: date = local_today(now) - EXPORT_PAST
        audience = None if address.audience == "all" else address.audience
        async with self.uow:
            accommodation = await self.uow.accommodations.get(address.accommodation_id)
            if accommodation is None:
                return CalendarExport(None, [], None)
            rows = await self.uow.feeds.export_rows(
                address.accommodation_id, since, now, exclude_source=audience or "*"
            )
            changed = await self.uow.feeds.last_change(address.accommodation_id, now)
        events = [
            ExportEvent(self.tokens.uid(r.code), r.stay, event_summary(r.kind), r.updated_at)
            for r in rows
        ]
        return CalendarExport(accommodation.name, events, changed)
