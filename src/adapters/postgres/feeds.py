"""Calendar feeds on PostgreSQL. Imported events hold their nights as rows of kind 'external'
in ``reservations``, under the same exclusion constraint as bookings and blocks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.driver import Driver, RawStatement, Row
from adapters.postgres.errors import UNIQUE_VIOLATION, constraint_name, sqlstate
from adapters.postgres.repositories import expire_lapsed_overlapping
from adapters.postgres.tables import ACTIVE_STATUS_SQL, NO_OVERLAP_CONSTRAINT
from application.ports.calendars import (
    Conflict,
    ExportRow,
    Feed,
    HeldPart,
    Occupant,
    StoredEvent,
)
from domain.calendar_sync.external_calendar import (
    ExternalEvent,
    ExternalEventKind,
    ExternalSource,
    HeldRelease,
)
from domain.codes import ReservationCode
from domain.errors import DuplicateFeed
from domain.stay import Stay

_FEED_COLUMNS = (
    "id, accommodation_id, source, url, enabled, etag, last_modified, last_synced_at, "
    "last_success_at, last_error, events_count, created_at, held_release_nights, "
    "held_release_answer, held_release_seen, held_release_since"
)
_LIVE = f"{ACTIVE_STATUS_SQL} AND (status <> 'pre_reserved' OR expires_at > :now)"

ADD_FEED = text(
    "INSERT INTO ical_feeds (accommodation_id, source, url, created_at, updated_at) "
    f"VALUES (:acc, :source, :url, :now, :now) RETURNING {_FEED_COLUMNS}"
)
GET_FEED = text(f"SELECT {_FEED_COLUMNS} FROM ical_feeds WHERE id = :id")
GET_FEED_FOR_UPDATE = text(f"SELECT {_FEED_COLUMNS} FROM ical_feeds WHERE id = :id FOR UPDATE")
LIST_FEEDS = text(
    f"SELECT {_FEED_COLUMNS} FROM ical_feeds "
    "WHERE (CAST(:acc AS bigint) IS NULL OR accommodation_id = :acc) "
    "AND (NOT :only_enabled OR enabled) ORDER BY id"
)
# Read on every owner's Hoy: straight on asyncpg (adapters/postgres/driver.py).
LIST_FEEDS_RAW = RawStatement(LIST_FEEDS)
RELEASE_FEED = text(
    "UPDATE reservations SET status = 'cancelled', updated_at = :now "
    "WHERE kind = 'external' AND status = 'confirmed' AND id IN "
    "(SELECT reservation_id FROM ical_events WHERE feed_id = :id AND reservation_id IS NOT NULL "
    "UNION ALL SELECT reservation_id FROM ical_event_parts WHERE feed_id = :id)"
)
DELETE_FEED = text("DELETE FROM ical_feeds WHERE id = :id RETURNING id")
EVENTS = text(
    "SELECT uid, check_in, check_out, kind, reservation_id FROM ical_events WHERE feed_id = :id"
)
# The stretches waiting events hold (few: only events whose nights are partly taken); a part
# whose row no longer holds its nights is not one (the event takes them again).
PARTS = text(
    "SELECT p.uid, p.reservation_id, p.check_in, p.check_out FROM ical_event_parts p "
    "JOIN reservations r ON r.id = p.reservation_id AND r.status = 'confirmed' "
    "WHERE p.feed_id = :id ORDER BY p.uid, p.check_in"
)
# What of a stay no live row holds: the stay less every live row over it (a multirange
# difference), apart from the rows to ignore (the event's own stretches).
FREE_STRETCHES = text(
    "SELECT lower(free) AS check_in, upper(free) AS check_out FROM unnest("
    "datemultirange(daterange(:check_in, :check_out, '[)')) - coalesce(("
    "SELECT range_agg(stay) FROM reservations WHERE accommodation_id = :acc "
    f"AND {_LIVE} AND stay && daterange(:check_in, :check_out, '[)') "
    "AND NOT (id = ANY(CAST(:ignoring AS bigint[])))), '{}'::datemultirange)) AS free "
    "ORDER BY 1"
)
ADD_PART = text(
    "INSERT INTO ical_event_parts (reservation_id, feed_id, uid, check_in, check_out) "
    "VALUES (:rid, :feed, :uid, :check_in, :check_out)"
)
RELEASE_PARTS = text(
    "WITH gone AS (DELETE FROM ical_event_parts WHERE feed_id = :feed AND uid = :uid "
    "RETURNING reservation_id) "
    "UPDATE reservations SET status = 'cancelled', updated_at = :now "
    "WHERE kind = 'external' AND status = 'confirmed' AND id IN (SELECT reservation_id FROM gone) "
    "RETURNING id"
)
PLACE = text(
    "INSERT INTO reservations (code, accommodation_id, check_in, check_out, guests, "
    "total_cents, deposit_cents, channel, status, kind, block_reason, created_at, updated_at) "
    "VALUES (:code, :acc, :check_in, :check_out, 1, 0, 0, :channel, 'confirmed', 'external', "
    ":reason, :now, :now) "
    f"ON CONFLICT ON CONSTRAINT {NO_OVERLAP_CONSTRAINT} DO NOTHING RETURNING id"
)
RELEASE = text(
    "UPDATE reservations SET status = 'cancelled', updated_at = :now "
    "WHERE id = :id AND kind = 'external' AND status = 'confirmed'"
)
OCCUPANTS = text(
    "SELECT code, kind, channel FROM reservations WHERE accommodation_id = :acc "
    f"AND {_LIVE} AND stay && daterange(:check_in, :check_out, '[)') ORDER BY check_in"
)
SAVE_EVENT = text(
    "INSERT INTO ical_events (feed_id, uid, check_in, check_out, kind, reservation_id, "
    "first_seen_at, updated_at) VALUES (:feed, :uid, :check_in, :check_out, :kind, :rid, :now, "
    ":now) ON CONFLICT (feed_id, uid) DO UPDATE SET check_in = EXCLUDED.check_in, "
    "check_out = EXCLUDED.check_out, kind = EXCLUDED.kind, "
    "reservation_id = EXCLUDED.reservation_id, updated_at = EXCLUDED.updated_at"
)
DELETE_EVENT = text("DELETE FROM ical_events WHERE feed_id = :feed AND uid = :uid")
RECORD_CONFLICT = text(
    "INSERT INTO ical_conflicts (feed_id, accommodation_id, uid, check_in, check_out, "
    "other_code, detected_at) VALUES (:feed, :acc, :uid, :check_in, :check_out, :other, :now) "
    "ON CONFLICT ON CONSTRAINT ical_conflicts_once DO NOTHING RETURNING id"
)
MARK_SYNCED = text(
    "UPDATE ical_feeds SET last_synced_at = :now, last_success_at = :now, last_error = :warning, "
    "etag = :etag, last_modified = :lm, "
    "events_count = coalesce(CAST(:count AS integer), events_count), updated_at = :now "
    "WHERE id = :id"
)
HOLD_RELEASE = text(
    "UPDATE ical_feeds SET held_release_nights = :nights, held_release_answer = :answer, "
    "held_release_seen = :seen, held_release_since = :since WHERE id = :id"
)
MARK_FAILED = text(
    "UPDATE ical_feeds SET last_synced_at = :now, last_error = :error, updated_at = :now "
    "WHERE id = :id"
)
CONFLICTS = text(
    "SELECT c.id, c.feed_id, f.source, c.accommodation_id, c.uid, c.check_in, c.check_out, "
    "c.other_code, c.detected_at FROM ical_conflicts c JOIN ical_feeds f ON f.id = c.feed_id "
    "WHERE c.resolved_at IS NULL ORDER BY c.detected_at DESC, c.id DESC LIMIT :limit"
)
# A collision is still there while the imported event waits, with those nights, for nights
# that the other booking, hold or block (still live) holds; otherwise it settled by itself.
CLEAR_CONFLICTS = text(
    "UPDATE ical_conflicts c SET resolved_at = :now, resolution = 'cleared' "
    "WHERE c.resolved_at IS NULL AND (CAST(:feed AS bigint) IS NULL OR c.feed_id = :feed) "
    "AND NOT (EXISTS (SELECT 1 FROM ical_events e WHERE e.feed_id = c.feed_id "
    "AND e.uid = c.uid AND e.check_in = c.check_in AND e.check_out = c.check_out "
    "AND e.reservation_id IS NULL) "
    "AND EXISTS (SELECT 1 FROM reservations WHERE code = c.other_code "
    f"AND accommodation_id = c.accommodation_id AND {_LIVE} "
    "AND stay && daterange(c.check_in, c.check_out, '[)'))) RETURNING c.id"
)
DISMISS_CONFLICT = text(
    "UPDATE ical_conflicts SET resolved_at = :now, resolution = 'dismissed' "
    "WHERE id = :id AND resolved_at IS NULL RETURNING id"
)
# ``stay && [since, ∞)`` is ``check_out > since`` (``stay`` is ``[check_in, check_out)``) in a
# form the exclusion constraint's GiST index (accommodation_id, stay) answers: only the rows
# still ahead, not every active row the cabin ever had.
EXPORT_ROWS = text(
    "SELECT code, check_in, check_out, kind, updated_at FROM reservations "
    f"WHERE accommodation_id = :acc AND {_LIVE} "
    "AND stay && daterange(CAST(:since AS date), NULL, '[)') "
    "AND (kind <> 'external' OR (:exclude <> '*' AND channel <> :exclude)) "
    "ORDER BY check_in, code"
)
# A hold that lapsed changed the feed when it lapsed, before any sweep touches its row. Two
# subqueries, each read from the end of an index (reservations_accommodation_updated_idx, and
# the live holds' expiry index), not an aggregate over every row the cabin ever had.
LAST_CHANGE = text(
    "SELECT greatest("
    "(SELECT max(updated_at) FROM reservations WHERE accommodation_id = :acc), "
    "(SELECT max(expires_at) FROM reservations WHERE accommodation_id = :acc "
    "AND status = 'pre_reserved' AND expires_at <= :now))"
)


def _feed(row: Any) -> Feed:
    return Feed(
        id=row.id,
        accommodation_id=row.accommodation_id,
        source=ExternalSource(row.source),
        url=row.url,
        enabled=row.enabled,
        etag=row.etag,
        last_modified=row.last_modified,
        last_synced_at=row.last_synced_at,
        last_success_at=row.last_success_at,
        last_error=row.last_error,
        events_count=row.events_count,
        created_at=row.created_at,
        held_release=None
        if row.held_release_answer is None
        else HeldRelease(
            row.held_release_nights,
            row.held_release_answer,
            row.held_release_seen,
            row.held_release_since,
        ),
    )


class SqlFeedRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._driver = Driver(conn)

    async def add(
        self, accommodation_id: int, source: ExternalSource, url: str, now: datetime
    ) -> Feed:
        params = {"acc": accommodation_id, "source": source.value, "url": url, "now": now}
        try:
            async with self._conn.begin_nested():
                row = (await self._conn.execute(ADD_FEED, params)).one()
        except IntegrityError as exc:
            if sqlstate(exc) == UNIQUE_VIOLATION and constraint_name(exc) == (
                "ical_feeds_accommodation_url_key"
            ):
                raise DuplicateFeed("this cabin already imports that calendar URL") from None
            raise
        return _feed(row)

    async def get(self, feed_id: int, *, for_update: bool = False) -> Feed | None:
        stmt = GET_FEED_FOR_UPDATE if for_update else GET_FEED
        row = (await self._conn.execute(stmt, {"id": feed_id})).first()
        return None if row is None else _feed(row)

    async def list_feeds(
        self, accommodation_id: int | None = None, *, only_enabled: bool = False
    ) -> list[Feed]:
        db = await self._driver.plain()
        params = {"acc": accommodation_id, "only_enabled": only_enabled}
        rows = await db.fetch(LIST_FEEDS_RAW.sql, *LIST_FEEDS_RAW.args(params))
        return [_feed(Row(r)) for r in rows]

    async def delete(self, feed_id: int, now: datetime) -> bool:
        await self._conn.execute(RELEASE_FEED, {"id": feed_id, "now": now})
        return (await self._conn.execute(DELETE_FEED, {"id": feed_id})).first() is not None

    async def events(self, feed_id: int) -> dict[str, StoredEvent]:
        rows = await self._conn.execute(EVENTS, {"id": feed_id})
        parts: dict[str, list[HeldPart]] = {}
        for uid, rid, ci, co in await self._conn.execute(PARTS, {"id": feed_id}):
            parts.setdefault(uid, []).append(HeldPart(rid, Stay(ci, co)))
        return {
            uid: StoredEvent(
                uid, Stay(ci, co), ExternalEventKind(kind), rid, tuple(parts.get(uid, ()))
            )
            for uid, ci, co, kind, rid in rows
        }

    async def place(
        self, accommodation_id: int, source: ExternalSource, event: ExternalEvent, now: datetime
    ) -> int | None:
        params = {
            "code": ReservationCode.generate().value,
            "acc": accommodation_id,
            "check_in": event.stay.check_in,
            "check_out": event.stay.check_out,
            "channel": source.value,
            "reason": f"{source.value}: {event.kind.value}",
            "now": now,
        }
        row = (await self._conn.execute(PLACE, params)).first()
        if row is None:
            # As for bookings and blocks: expire lapsed holds in the way and try once more,
            # whatever the UPDATE found (a concurrent writer may have expired the same hold).
            await expire_lapsed_overlapping(self._conn, accommodation_id, event.stay, now)
            row = (await self._conn.execute(PLACE, params)).first()
        return None if row is None else int(row[0])

    async def release(self, reservation_id: int, now: datetime) -> None:
        await self._conn.execute(RELEASE, {"id": reservation_id, "now": now})

    async def free_stretches(
        self, accommodation_id: int, stay: Stay, now: datetime, *, ignoring: Sequence[int] = ()
    ) -> list[Stay]:
        params = {
            "acc": accommodation_id,
            "check_in": stay.check_in,
            "check_out": stay.check_out,
            "now": now,
            "ignoring": list(ignoring),
        }
        rows = await self._conn.execute(FREE_STRETCHES, params)
        return [Stay(ci, co) for ci, co in rows]

    async def place_part(
        self, feed: Feed, event: ExternalEvent, part: Stay, now: datetime
    ) -> int | None:
        piece = ExternalEvent(event.uid, part, event.kind)
        rid = await self.place(feed.accommodation_id, feed.source, piece, now)
        if rid is not None:
            params = {
                "rid": rid,
                "feed": feed.id,
                "uid": event.uid,
                "check_in": part.check_in,
                "check_out": part.check_out,
            }
            await self._conn.execute(ADD_PART, params)
        return rid

    async def release_parts(self, feed_id: int, uid: str, now: datetime) -> int:
        rows = await self._conn.execute(RELEASE_PARTS, {"feed": feed_id, "uid": uid, "now": now})
        return len(rows.all())

    async def occupants(self, accommodation_id: int, stay: Stay, now: datetime) -> list[Occupant]:
        rows = await self._conn.execute(
            OCCUPANTS,
            {
                "acc": accommodation_id,
                "now": now,
                "check_in": stay.check_in,
                "check_out": stay.check_out,
            },
        )
        return [Occupant(code, kind, channel) for code, kind, channel in rows]

    async def save_event(
        self, feed_id: int, event: ExternalEvent, reservation_id: int | None, now: datetime
    ) -> None:
        await self._conn.execute(
            SAVE_EVENT,
            {
                "feed": feed_id,
                "uid": event.uid,
                "check_in": event.stay.check_in,
                "check_out": event.stay.check_out,
                "kind": event.kind.value,
                "rid": reservation_id,
                "now": now,
            },
        )

    async def delete_event(self, feed_id: int, uid: str) -> None:
        await self._conn.execute(DELETE_EVENT, {"feed": feed_id, "uid": uid})

    async def record_conflict(
        self, feed: Feed, event: ExternalEvent, other_code: str, now: datetime
    ) -> bool:
        row = (
            await self._conn.execute(
                RECORD_CONFLICT,
                {
                    "feed": feed.id,
                    "acc": feed.accommodation_id,
                    "uid": event.uid,
                    "check_in": event.stay.check_in,
                    "check_out": event.stay.check_out,
                    "other": other_code,
                    "now": now,
                },
            )
        ).first()
        return row is not None

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
        await self._conn.execute(
            MARK_SYNCED,
            {
                "id": feed_id,
                "now": now,
                "etag": etag,
                "lm": last_modified,
                "count": events_count,
                "warning": warning,
            },
        )

    async def mark_failed(self, feed_id: int, now: datetime, error: str) -> None:
        await self._conn.execute(MARK_FAILED, {"id": feed_id, "now": now, "error": error})

    async def hold_release(self, feed_id: int, hold: HeldRelease | None) -> None:
        await self._conn.execute(
            HOLD_RELEASE,
            {
                "id": feed_id,
                "nights": None if hold is None else hold.nights,
                "answer": None if hold is None else hold.answer,
                "seen": None if hold is None else hold.seen,
                "since": None if hold is None else hold.since,
            },
        )

    async def clear_conflicts(self, now: datetime, feed_id: int | None = None) -> int:
        rows = (await self._conn.execute(CLEAR_CONFLICTS, {"now": now, "feed": feed_id})).all()
        return len(rows)

    async def dismiss_conflict(self, conflict_id: int, now: datetime) -> bool:
        row = (await self._conn.execute(DISMISS_CONFLICT, {"id": conflict_id, "now": now})).first()
        return row is not None

    async def conflicts(self, limit: int) -> list[Conflict]:
        rows = await self._conn.execute(CONFLICTS, {"limit": limit})
        return [
            Conflict(
                r.id,
                r.feed_id,
                ExternalSource(r.source),
                r.accommodation_id,
                r.uid,
                Stay(r.check_in, r.check_out),
                r.other_code,
                r.detected_at,
            )
            for r in rows
        ]

    async def export_rows(
        self, accommodation_id: int, since: date, now: datetime, *, exclude_source: str | None
    ) -> list[ExportRow]:
        rows = await self._conn.execute(
            EXPORT_ROWS,
            {"acc": accommodation_id, "since": since, "now": now, "exclude": exclude_source or "*"},
        )
        return [
            ExportRow(r.code, Stay(r.check_in, r.check_out), r.kind, r.updated_at) for r in rows
        ]

    async def last_change(self, accommodation_id: int, now: datetime) -> datetime | None:
        params = {"acc": accommodation_id, "now": now}
        value = (await self._conn.execute(LAST_CHANGE, params)).scalar()
        return value if isinstance(value, datetime) else None
