"""In-memory blocks, iCal feeds, a calendar fetcher, a sync lock and export tokens, for the
application tests.

Blocks and imported events take nights through the same rule as bookings (``FakeReservations
.taken``, standing for the exclusion constraint); what a transaction writes is kept only if it
commits (each fake works on a copy of its state until then)."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from application.errors import IntegrationError
from application.ports.calendars import (
    Conflict,
    ExportRow,
    Feed,
    FeedSnapshot,
    HeldPart,
    Occupant,
    StoredEvent,
)
from domain.booking.block import Block
from domain.booking.reservation import Channel
from domain.calendar_sync.export import ExportAddress, format_token, token_address
from domain.calendar_sync.external_calendar import (
    ExternalEvent,
    ExternalSource,
    FeedWindow,
    HeldRelease,
)
from domain.codes import ReservationCode
from domain.errors import DuplicateFeed
from domain.stay import Stay

if TYPE_CHECKING:
    from tests.unit.application.fakes import FakeReservations


class _Transactional[S]:
    """The state as committed, and a copy of it once the open transaction writes."""

    def __init__(self, state: S) -> None:
        self._committed = state
        self._work: S | None = None

    @property
    def read(self) -> S:
        return self._work if self._work is not None else self._committed

    @property
    def write(self) -> S:
        if self._work is None:
            self._work = copy.deepcopy(self._committed)
        return self._work

    def commit(self) -> None:
        if self._work is not None:
            self._committed, self._work = self._work, None

    def rollback(self) -> None:
        self._work = None


class FakeBlocks(_Transactional[dict[str, Block]]):
    def __init__(self, reservations: FakeReservations) -> None:
        super().__init__({})
        self._reservations = reservations

    def overlapping(self, accommodation_id: int | None, window: Stay) -> list[tuple[int, Stay]]:
        return [
            (b.accommodation_id, b.stay)
            for b in self.read.values()
            if b.active
            and accommodation_id in (None, b.accommodation_id)
            and b.stay.overlaps(window)
        ]

    async def add(self, block: Block, now: datetime) -> bool:
        if self._reservations.taken(block.accommodation_id, block.stay, now):
            return False
        self.write[block.code.value] = block
        return True

    async def remove(self, code: ReservationCode, now: datetime) -> Block | None:
        found = self.read.get(code.value)
        if found is None or not found.active:
            return None
        self.write[code.value] = replace(found, active=False)
        return found

    async def get(self, code: ReservationCode) -> Block | None:
        found = self.read.get(code.value)
        return found if found is not None and found.active else None

    async def list_active(self, accommodation_id: int | None, ending_after: date) -> list[Block]:
        return sorted(
            (
                b
                for b in self.read.values()
                if b.active
                and accommodation_id in (None, b.accommodation_id)
                and b.stay.check_out > ending_after
            ),
            key=lambda b: b.stay.check_in,
        )


@dataclass(slots=True)
class ImportedRow:
    """The nights an imported event took: a row of kind ``external``."""

    code: str
    accommodation_id: int
    stay: Stay
    source: ExternalSource
    updated_at: datetime
    active: bool = True


@dataclass(slots=True)
class FeedState:
    feeds: dict[int, Feed] = field(default_factory=dict)
    events: dict[int, dict[str, StoredEvent]] = field(default_factory=dict)
    rows: dict[int, ImportedRow] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    event_writes: int = 0  # save_event calls
    parts: dict[tuple[int, str], list[HeldPart]] = field(default_factory=dict)


class FakeFeeds(_Transactional[FeedState]):
    def __init__(self, reservations: FakeReservations, blocks: FakeBlocks) -> None:
        super().__init__(FeedState())
        self._reservations = reservations
        self._blocks = blocks

    def overlapping(self, accommodation_id: int | None, window: Stay) -> list[tuple[int, Stay]]:
        return [
            (r.accommodation_id, r.stay)
            for r in self.read.rows.values()
            if r.active
            and accommodation_id in (None, r.accommodation_id)
            and r.stay.overlaps(window)
        ]

    async def add(
        self, accommodation_id: int, source: ExternalSource, url: str, now: datetime
    ) -> Feed:
        if any(
            f.accommodation_id == accommodation_id and f.url == url
            for f in self.read.feeds.values()
        ):
            raise DuplicateFeed("this cabin already imports that calendar")
        state = self.write
        feed = Feed(
            max(state.feeds, default=0) + 1,
            accommodation_id,
            source,
            url,
            enabled=True,
            etag=None,
            last_modified=None,
            last_synced_at=None,
            last_success_at=None,
            last_error=None,
            events_count=0,
            created_at=now,
        )
        state.feeds[feed.id] = feed
        state.events[feed.id] = {}
        return feed

    async def get(self, feed_id: int, *, for_update: bool = False) -> Feed | None:
        return self.read.feeds.get(feed_id)

    async def list_feeds(
        self, accommodation_id: int | None = None, *, only_enabled: bool = False
    ) -> list[Feed]:
        return [
            f
            for _, f in sorted(self.read.feeds.items())
            if accommodation_id in (None, f.accommodation_id) and (f.enabled or not only_enabled)
        ]

    async def delete(self, feed_id: int, now: datetime) -> bool:
        if feed_id not in self.read.feeds:
            return False
        state = self.write
        for event in state.events.pop(feed_id, {}).values():
            if event.reservation_id is not None:
                state.rows[event.reservation_id].active = False
            for part in state.parts.pop((feed_id, event.uid), []):
                state.rows[part.reservation_id].active = False
        del state.feeds[feed_id]
        return True

    async def events(self, feed_id: int) -> dict[str, StoredEvent]:
        parts, rows = self.read.parts, self.read.rows
        return {
            uid: replace(
                e,
                parts=tuple(
                    p for p in parts.get((feed_id, uid), ()) if rows[p.reservation_id].active
                ),
            )
            for uid, e in self.read.events.get(feed_id, {}).items()
        }

    async def free_stretches(
        self, accommodation_id: int, stay: Stay, now: datetime, *, ignoring: Sequence[int] = ()
    ) -> list[Stay]:
        taken = [r.stay for r in self._reservations.blocking(accommodation_id, stay, now)]
        taken += [
            b.stay
            for b in self._blocks.read.values()
            if b.active and b.accommodation_id == accommodation_id and b.stay.overlaps(stay)
        ]
        taken += [
            r.stay
            for row_id, r in self.read.rows.items()
            if r.active
            and row_id not in ignoring
            and r.accommodation_id == accommodation_id
            and r.stay.overlaps(stay)
        ]
        free = [n for n in stay.each_night() if not any(t.contains_night(n) for t in taken)]
        stretches: list[Stay] = []
        for night in free:
            if stretches and stretches[-1].check_out == night:
                stretches[-1] = Stay(stretches[-1].check_in, night + timedelta(days=1))
            else:
                stretches.append(Stay(night, night + timedelta(days=1)))
        return stretches

    async def place_part(
        self, feed: Feed, event: ExternalEvent, part: Stay, now: datetime
    ) -> int | None:
        piece = ExternalEvent(event.uid, part, event.kind)
        row_id = await self.place(feed.accommodation_id, feed.source, piece, now)
        if row_id is not None:
            self.write.parts.setdefault((feed.id, event.uid), []).append(HeldPart(row_id, part))
        return row_id

    async def release_parts(self, feed_id: int, uid: str, now: datetime) -> int:
        state = self.write
        parts = state.parts.pop((feed_id, uid), [])
        for part in parts:
            row = state.rows[part.reservation_id]
            row.active, row.updated_at = False, now
        return len(parts)

    async def place(
        self, accommodation_id: int, source: ExternalSource, event: ExternalEvent, now: datetime
    ) -> int | None:
        if self._reservations.taken(accommodation_id, event.stay, now):
            return None
        rows = self.write.rows
        row_id = max(rows, default=0) + 1
        rows[row_id] = ImportedRow(f"EXT{row_id:09d}", accommodation_id, event.stay, source, now)
        return row_id

    async def release(self, reservation_id: int, now: datetime) -> None:
        row = self.write.rows[reservation_id]
        row.active, row.updated_at = False, now

    async def occupants(self, accommodation_id: int, stay: Stay, now: datetime) -> list[Occupant]:
        found = [
            (r.stay, Occupant(r.code.value, "booking", r.channel.value))
            for r in self._reservations.blocking(accommodation_id, stay, now)
        ]
        found += [
            (b.stay, Occupant(b.code.value, "block", Channel.ADMIN.value))
            for b in self._blocks.read.values()
            if b.active and b.accommodation_id == accommodation_id and b.stay.overlaps(stay)
        ]
        found += [
            (r.stay, Occupant(r.code, "external", r.source.value))
            for r in self.read.rows.values()
            if r.active and r.accommodation_id == accommodation_id and r.stay.overlaps(stay)
        ]
        return [occupant for _, occupant in sorted(found, key=lambda f: f[0].check_in)]

    async def save_event(
        self, feed_id: int, event: ExternalEvent, reservation_id: int | None, now: datetime
    ) -> None:
        stored = StoredEvent(event.uid, event.stay, event.kind, reservation_id)
        self.write.events.setdefault(feed_id, {})[event.uid] = stored
        self.write.event_writes += 1

    async def delete_event(self, feed_id: int, uid: str) -> None:
        self.write.events.get(feed_id, {}).pop(uid, None)
        self.write.parts.pop((feed_id, uid), None)

    async def record_conflict(
        self, feed: Feed, event: ExternalEvent, other_code: str, now: datetime
    ) -> bool:
        seen = any(
            (c.feed_id, c.uid, c.other_code) == (feed.id, event.uid, other_code)
            for c in self.read.conflicts
        )
        if seen:
            return False
        conflicts = self.write.conflicts
        conflicts.append(
            Conflict(
                len(conflicts) + 1,
                feed.id,
                feed.source,
                feed.accommodation_id,
                event.uid,
                event.stay,
                other_code,
                now,
            )
        )
        return True

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
        feeds = self.write.feeds
        feed = feeds[feed_id]
        feeds[feed_id] = replace(
            feed,
            etag=etag,
            last_modified=last_modified,
            last_synced_at=now,
            last_success_at=now,
            last_error=warning,
            events_count=feed.events_count if events_count is None else events_count,
        )

    async def mark_failed(self, feed_id: int, now: datetime, error: str) -> None:
        feeds = self.write.feeds
        feeds[feed_id] = replace(feeds[feed_id], last_synced_at=now, last_error=error)

    async def hold_release(self, feed_id: int, hold: HeldRelease | None) -> None:
        feeds = self.write.feeds
        feeds[feed_id] = replace(feeds[feed_id], held_release=hold)

    async def conflicts(self, limit: int) -> list[Conflict]:
        return sorted(self.read.conflicts, key=lambda c: c.detected_at, reverse=True)[:limit]

    async def clear_conflicts(self, now: datetime, feed_id: int | None = None) -> int:
        return 0  # which collisions still exist is the SQL adapter's (integration tests)

    async def dismiss_conflict(self, conflict_id: int, now: datetime) -> bool:
        kept = [c for c in self.read.conflicts if c.id != conflict_id]
        dismissed = len(kept) < len(self.read.conflicts)
        self.read.conflicts[:] = kept
        return dismissed

    async def export_rows(
        self, accommodation_id: int, since: date, now: datetime, *, exclude_source: str | None
    ) -> list[ExportRow]:
        window = Stay(since, date.max)
        rows = [
            ExportRow(r.code.value, r.stay, "booking", r.created_at)
            for r in self._reservations.blocking(accommodation_id, window, now)
        ]
        rows += [
            ExportRow(b.code.value, b.stay, "block", b.created_at)
            for b in self._blocks.read.values()
            if b.active and b.accommodation_id == accommodation_id and b.stay.overlaps(window)
        ]
        if exclude_source != "*":
            rows += [
                ExportRow(r.code, r.stay, "external", r.updated_at)
                for r in self.read.rows.values()
                if r.active
                and r.accommodation_id == accommodation_id
                and r.stay.overlaps(window)
                and r.source.value != exclude_source
            ]
        return sorted(rows, key=lambda r: (r.stay.check_in, r.code))

    async def last_change(self, accommodation_id: int, now: datetime) -> datetime | None:
        """Approximate: the newest imported row's change or booking's creation."""
        rows = self.read.rows.values()
        stamps = [r.updated_at for r in rows if r.accommodation_id == accommodation_id]
        stamps += [
            r.created_at
            for r in self._reservations.blocking(accommodation_id, Stay(date.min, date.max), now)
        ]
        return max(stamps, default=None)


class FakeFetcher:
    """A calendar per URL: the snapshot to answer with, None (not modified) or an error."""

    def __init__(self) -> None:
        self.answers: dict[str, FeedSnapshot | IntegrationError | None] = {}
        self.requests: list[tuple[str, str | None]] = []  # (url, etag sent)

    def check_url(self, url: str) -> str:
        return url

    async def fetch(
        self,
        url: str,
        source: ExternalSource,
        *,
        window: FeedWindow,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FeedSnapshot | None:
        self.requests.append((url, etag))
        answer = self.answers[url]
        if isinstance(answer, IntegrationError):
            raise answer
        return answer


class FakeLock:
    def __init__(self, *, free: bool = True) -> None:
        self.free = free

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[bool]:
        yield self.free


class RecordingCalendarMetrics:
    def __init__(self) -> None:
        self.runs: list[tuple[str, str]] = []
        self.conflicts: list[str] = []

    def sync_run(self, source: str, outcome: str) -> None:
        self.runs.append((source, outcome))

    def conflict(self, source: str) -> None:
        self.conflicts.append(source)


class FakeExportTokens:
    """Tokens ``<id>-<audience>-ok`` (any other mark opens nothing); UIDs ``uid-<code>``."""

    def token(self, address: ExportAddress) -> str:
        return format_token(address, "ok")

    def read(self, token: str) -> ExportAddress | None:
        address = token_address(token)
        return address if address is not None and token.endswith("-ok") else None

    def uid(self, code: str) -> str:
        return f"uid-{code}"
