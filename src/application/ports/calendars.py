from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from domain.calendar_sync.external_calendar import (
    ExternalEvent,
    ExternalEventKind,
    ExternalSource,
    FeedWindow,
    HeldRelease,
)
from domain.stay import Stay


@dataclass(frozen=True, slots=True)
class Feed:
    id: int
    accommodation_id: int
    source: ExternalSource
    url: str
    enabled: bool
    etag: str | None
    last_modified: str | None
    last_synced_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    events_count: int
    created_at: datetime
    held_release: HeldRelease | None = None
    """An answer that would free nights, waiting for confirmation (``ReleaseGuard``)."""


@dataclass(frozen=True, slots=True)
class FeedSnapshot:
    events: tuple[ExternalEvent, ...]
    etag: str | None
    last_modified: str | None
    skipped: int = 0
    warnings: int = 0


class CalendarFetcher(Protocol):
    """Fetches and parses a feed. Raises ``UnsafeFeedUrl`` (the address is not allowed),
    ``FeedUnparseable`` (not an iCalendar) or ``IntegrationError`` (network, HTTP status)."""

    def check_url(self, url: str) -> str:
        """What can be judged without the network (scheme, credentials, host); the URL as it
        is to be stored and fetched (``webcal://`` becomes ``https://``)."""
        ...

    async def fetch(
        self,
        url: str,
        source: ExternalSource,
        *,
        window: FeedWindow,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FeedSnapshot | None:
        """None when the server says not modified (conditional GET). Recurring events are
        expanded over ``window``; events wholly outside it are left out."""
        ...


@dataclass(frozen=True, slots=True)
class HeldPart:
    """A free stretch of a waiting event's nights, held by a row of its own."""

    reservation_id: int
    stay: Stay


@dataclass(frozen=True, slots=True)
class StoredEvent:
    uid: str
    stay: Stay
    kind: ExternalEventKind
    reservation_id: int | None  # None: its nights are (partly) taken, it waits
    parts: tuple[HeldPart, ...] = ()  # while it waits: the stretches of it that were free

    @property
    def holding(self) -> tuple[Stay, ...]:
        """The nights it holds now: all of them, its free stretches, or none."""
        if self.reservation_id is not None:
            return (self.stay,)
        return tuple(p.stay for p in self.parts)


@dataclass(frozen=True, slots=True)
class Occupant:
    """An active row whose nights an imported event wanted."""

    code: str
    kind: str  # booking | block | external
    channel: str


@dataclass(frozen=True, slots=True)
class Conflict:
    id: int
    feed_id: int
    source: ExternalSource
    accommodation_id: int
    uid: str
    stay: Stay
    other_code: str
    detected_at: datetime


@dataclass(frozen=True, slots=True)
class ExportRow:
    code: str
    stay: Stay
    kind: str  # booking | block | external
    updated_at: datetime


class FeedRepository(Protocol):
    async def add(
        self, accommodation_id: int, source: ExternalSource, url: str, now: datetime
    ) -> Feed:
        """Raises ``DuplicateFeed`` if that cabin already has that URL."""
        ...

    async def get(self, feed_id: int, *, for_update: bool = False) -> Feed | None: ...

    async def list_feeds(
        self, accommodation_id: int | None = None, *, only_enabled: bool = False
    ) -> list[Feed]: ...

    async def delete(self, feed_id: int, now: datetime) -> bool:
        """Remove a feed and release the nights its events held."""
        ...

    async def events(self, feed_id: int) -> dict[str, StoredEvent]: ...

    async def place(
        self, accommodation_id: int, source: ExternalSource, event: ExternalEvent, now: datetime
    ) -> int | None:
        """Take the event's nights (a row of kind 'external' under the exclusion constraint);
        the new row's id, or None when they are taken (lapsed holds never count)."""
        ...

    async def release(self, reservation_id: int, now: datetime) -> None: ...

    async def free_stretches(
        self, accommodation_id: int, stay: Stay, now: datetime, *, ignoring: Sequence[int] = ()
    ) -> list[Stay]:
        """The stretches of ``stay`` no live row holds (lapsed holds never count), apart from
        the rows ``ignoring``, in order."""
        ...

    async def place_part(
        self, feed: Feed, event: ExternalEvent, part: Stay, now: datetime
    ) -> int | None:
        """Take ``part`` of a waiting event's nights for it, as ``place`` does; the row's id,
        or None when they are taken meanwhile."""
        ...

    async def release_parts(self, feed_id: int, uid: str, now: datetime) -> int:
        """Give back the stretches the event holds; how many there were."""
        ...

    async def occupants(
        self, accommodation_id: int, stay: Stay, now: datetime
    ) -> list[Occupant]: ...

    async def save_event(
        self, feed_id: int, event: ExternalEvent, reservation_id: int | None, now: datetime
    ) -> None: ...

    async def delete_event(self, feed_id: int, uid: str) -> None: ...

    async def record_conflict(
        self, feed: Feed, event: ExternalEvent, other_code: str, now: datetime
    ) -> bool:
        """True the first time this (event, other reservation) pair is seen."""
        ...

    async def mark_synced(
        self,
        feed_id: int,
        now: datetime,
        *,
        etag: str | None,
        last_modified: str | None,
        events_count: int | None,
        warning: str | None = None,
    ) -> None:
        """A successful pass (``events_count`` None: not modified, keep the count). ``warning``
        goes to ``last_error`` (None clears it): the pass succeeded, but not wholly."""
        ...

    async def mark_failed(self, feed_id: int, now: datetime, error: str) -> None: ...

    async def hold_release(self, feed_id: int, hold: HeldRelease | None) -> None:
        """Record (or, with None, clear) the answer whose release is being held."""
        ...

    async def conflicts(self, limit: int) -> list[Conflict]:
        """The open collisions, newest first."""
        ...

    async def clear_conflicts(self, now: datetime, feed_id: int | None = None) -> int:
        """Settle the open collisions (of one feed, or all) that no longer exist: the imported
        event no longer waits for those nights, or what held them is gone or moved; how many."""
        ...

    async def dismiss_conflict(self, conflict_id: int, now: datetime) -> bool:
        """Settle an open collision the owner dismissed; False when there is none open."""
        ...

    async def export_rows(
        self, accommodation_id: int, since: date, now: datetime, *, exclude_source: str | None
    ) -> list[ExportRow]:
        """Active, not lapsed rows of the cabin ending after ``since``: bookings and holds,
        manual blocks and — unless excluded by source, or all of them when
        ``exclude_source`` is ``"*"`` — imported events."""
        ...

    async def last_change(self, accommodation_id: int, now: datetime) -> datetime | None:
        """When the cabin's calendar last changed: a row written, or a hold lapsing."""
        ...


class SyncLock(Protocol):
    """At most one sync pass at a time across machines."""

    def hold(self) -> AbstractAsyncContextManager[bool]:
        """Yields True when this process got the lock (released on exit), False otherwise."""
        ...
