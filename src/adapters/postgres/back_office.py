"""The console's read models on PostgreSQL: one statement for every row on a calendar
window (through the GiST index on active stays), one for collisions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.driver import Driver, RawStatement
from application.ports.back_office import (
    AuditRecord,
    CalendarItem,
    Collision,
    FailedMessage,
    MessageRecord,
)

_COLUMNS = (
    "code, accommodation_id, check_in, check_out, kind, channel, status, guest_name, guests, "
    "expires_at, total_cents, deposit_cents, block_reason"
)
_LIVE = (
    "status IN ('pre_reserved', 'confirmed') AND (status <> 'pre_reserved' OR expires_at > :now)"
)
ITEMS_BETWEEN = text(
    f"SELECT {_COLUMNS} FROM reservations WHERE {_LIVE} "  # noqa: S608 - constants only
    "AND stay && daterange(:start, :end, '[)') ORDER BY accommodation_id, check_in"
)
# One statement for the page and the count, both through reservations_hold_expiry_idx. The
# count is a subquery, not ``count(*) OVER ()`` (the window read every live hold's row and
# columns before the LIMIT), and it stops at :count_up_to, so a flood of holds costs Hoy no more
# than that many index entries (20,600 live holds: 0.27 ms counting up to 1,001, 1.94 ms all).
_LIVE_HOLD = "status = 'pre_reserved' AND expires_at > :now"
LIVE_HOLDS = text(
    f"SELECT {_COLUMNS}, (SELECT count(*) FROM (SELECT FROM reservations WHERE {_LIVE_HOLD} "  # noqa: S608 - constants only
    f"LIMIT :count_up_to) AS counted) AS live "
    f"FROM reservations WHERE {_LIVE_HOLD} ORDER BY expires_at LIMIT :limit"
)
COLLISIONS_BETWEEN = text(
    "SELECT c.accommodation_id, c.check_in, c.check_out, f.source, c.other_code, c.detected_at, "
    "c.id FROM ical_conflicts c JOIN ical_feeds f ON f.id = c.feed_id "
    "WHERE c.resolved_at IS NULL AND c.check_in < :end AND c.check_out > :start "
    "ORDER BY c.accommodation_id, c.check_in"
)
# Triggers on the calendar's tables keep it (migration 0024_console_changes).
CALENDAR_CHANGES = text("SELECT coalesce(sum(n), 0)::bigint FROM console_changes")
CABIN_NAMES = text("SELECT id, name FROM accommodations")
# A few bookings' ledgers summed as ``BookingLedger.held`` counts them: movements and applied
# credits in the booking's own currency (tests/integration/test_back_office_money.py holds the
# two to the same figures); only those with anything recorded (``BookingLedger.recorded``: a
# movement in any currency, or a credit taken).
MONEY_HELD = text(
    "SELECT r.code, coalesce((SELECT sum(CASE m.direction WHEN 'payment' THEN m.amount_cents "
    "ELSE -m.amount_cents END) FROM booking_money m "
    "WHERE m.reservation_id = r.id AND m.currency = r.currency), 0) "
    "+ coalesce((SELECT sum(g.amount_cents) FROM guest_credits g "
    "WHERE g.applied_to = r.id AND g.currency = r.currency), 0) AS held "
    "FROM reservations r WHERE r.code = ANY(:codes) AND r.kind = 'booking' "
    "AND (EXISTS (SELECT 1 FROM booking_money m WHERE m.reservation_id = r.id) "
    "OR EXISTS (SELECT 1 FROM guest_credits g WHERE g.applied_to = r.id))"
)
# The open undeliverable notifications (one per notification, whatever its channels), not the
# outbox's failed rows: those stay failed after the owner has dealt with them. The newest and
# how many there are, in one statement.
FAILED = text(
    "SELECT topic, failed_at, id, reservation_code, count(*) OVER () AS failed "
    "FROM undeliverable_messages WHERE resolved_at IS NULL "
    "ORDER BY failed_at DESC, id DESC LIMIT :limit"
)
# Every signed-in page reads some of these: straight on asyncpg (adapters/postgres/driver.py),
# without SQLAlchemy's execution machinery, which cost more CPU than the reads themselves.
ITEMS_BETWEEN_RAW = RawStatement(ITEMS_BETWEEN)
LIVE_HOLDS_RAW = RawStatement(LIVE_HOLDS)
COLLISIONS_BETWEEN_RAW = RawStatement(COLLISIONS_BETWEEN)
CALENDAR_CHANGES_RAW = RawStatement(CALENDAR_CHANGES)
CABIN_NAMES_RAW = RawStatement(CABIN_NAMES)
MONEY_HELD_RAW = RawStatement(MONEY_HELD)
FAILED_RAW = RawStatement(FAILED)

AUDIT_OF = text(
    "SELECT actor, action, at, before, after FROM admin_audit_log WHERE target = :target "
    "ORDER BY at, id LIMIT :limit"
)
# The outbox has no reservation column: its rows are few (sent ones are purged), and this is
# read for one reservation's page.
MESSAGES_OF = text(
    "SELECT kind, payload->>'topic' AS topic, status, delivery_status, created_at, sent_at "
    "FROM outbox WHERE payload->>'reservation' = :code "
    "OR (kind = 'mercadopago.checkout' AND payload->>'code' = :code) ORDER BY id LIMIT :limit"
)


_ITEM_FIELDS = len(_COLUMNS.split(","))


def _item(r: Any) -> CalendarItem:
    """A row of ``_COLUMNS``, in CalendarItem's field order (``block_reason`` is its note)."""
    return CalendarItem(*r[:_ITEM_FIELDS])


class SqlBackOfficeReads:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._driver = Driver(conn)

    async def _fetch(self, stmt: RawStatement, **params: Any) -> list[Any]:
        db = await self._driver.plain()
        rows: list[Any] = await db.fetch(stmt.sql, *stmt.args(params))
        return rows

    async def calendar_changes(self) -> int:
        [(changes,)] = await self._fetch(CALENDAR_CHANGES_RAW)
        return int(changes)

    async def items_between(self, start: date, end: date, now: datetime) -> list[CalendarItem]:
        rows = await self._fetch(ITEMS_BETWEEN_RAW, start=start, end=end, now=now)
        return [_item(r) for r in rows]

    async def cabin_names(self) -> dict[int, str]:
        return dict(await self._fetch(CABIN_NAMES_RAW))

    async def money_held(self, codes: Sequence[str]) -> dict[str, int]:
        if not codes:
            return {}
        return {
            code: int(held) for code, held in await self._fetch(MONEY_HELD_RAW, codes=list(codes))
        }

    async def live_holds(
        self, now: datetime, limit: int, count_up_to: int
    ) -> tuple[int, list[CalendarItem]]:
        rows = await self._fetch(LIVE_HOLDS_RAW, now=now, limit=limit, count_up_to=count_up_to)
        if not rows:
            return 0, []
        return int(rows[0]["live"]), [_item(r) for r in rows]

    async def collisions_between(self, start: date, end: date) -> list[Collision]:
        rows = await self._fetch(COLLISIONS_BETWEEN_RAW, start=start, end=end)
        return [Collision(*r) for r in rows]

    async def failed_messages(self, limit: int) -> tuple[int, list[FailedMessage]]:
        rows = await self._fetch(FAILED_RAW, limit=limit)
        count = int(rows[0]["failed"]) if rows else 0
        return count, [
            FailedMessage(topic, failed_at, row_id, code)
            for topic, failed_at, row_id, code, _ in rows
        ]

    async def audit_of(self, target: str, limit: int) -> list[AuditRecord]:
        rows = await self._conn.execute(AUDIT_OF, {"target": target, "limit": limit})
        return [AuditRecord(r.actor, r.action, r.at, r.before or {}, r.after or {}) for r in rows]

    async def messages_of(self, code: str, limit: int) -> list[MessageRecord]:
        rows = await self._conn.execute(MESSAGES_OF, {"code": code, "limit": limit})
        return [
            MessageRecord(r.kind, r.topic, r.status, r.delivery_status, r.created_at, r.sent_at)
            for r in rows
        ]
