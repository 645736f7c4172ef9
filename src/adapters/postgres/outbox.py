"""The transactional outbox on PostgreSQL: rows claimed with ``FOR UPDATE SKIP LOCKED``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.outbox_codec import UnreadableOutboxRow, decode, encode
from adapters.postgres.tables import outbox
from application.ports.outbox import GroupOutcome, OutboxItem, OutboxMessage
from application.ports.tracing import current_trace

_O = outbox.c
ADD = pg_insert(outbox).on_conflict_do_nothing(index_elements=[_O.dedupe_key]).returning(_O.id)
_DUE = (
    select(_O.id, _O.kind, _O.payload, _O.attempts, _O.trace_id, _O.group_key)
    .where(_O.status == "pending", _O.next_attempt_at <= bindparam("now"))
    .order_by(_O.next_attempt_at, _O.id)
    .limit(1)
    .with_for_update(skip_locked=True)
)
CLAIM_DUE = _DUE
CLAIM_BY_KEY = _DUE.where(_O.dedupe_key == bindparam("key"))
MARK_SENT = (
    update(outbox)
    .where(_O.id == bindparam("p_id"))
    .values(
        status="sent",
        attempts=_O.attempts + 1,
        sent_at=bindparam("p_now"),
        provider_message_id=bindparam("p_provider_id"),
        last_error=None,
    )
)
RETRY_LATER = (
    update(outbox)
    .where(_O.id == bindparam("p_id"))
    .values(
        attempts=_O.attempts + 1,
        last_error=bindparam("p_error"),
        next_attempt_at=bindparam("p_next"),
    )
)
MARK_FAILED = (
    update(outbox)
    .where(_O.id == bindparam("p_id"))
    .values(status="failed", attempts=_O.attempts + 1, last_error=bindparam("p_error"))
)
RECORD_DELIVERY = (
    update(outbox)
    .where(_O.provider_message_id == bindparam("p_provider_id"))
    .values(delivery_status=bindparam("p_status"))
    .returning(_O.id)
)
PURGE_FINISHED = (
    delete(outbox)
    .where(_O.status.in_(("sent", "failed")), _O.created_at < bindparam("p_before"))
    .returning(_O.id)
)
GROUP_ROWS = select(_O.status, _O.kind, _O.last_error, _O.provider_message_id).where(
    _O.group_key == bindparam("p_group")
)
RETRY_FAILED = (
    update(outbox)
    .where(_O.status == "failed")
    .values(status="pending", attempts=0, next_attempt_at=bindparam("p_now"), last_error=None)
    .returning(_O.id)
)
PENDING_COUNT = select(func.count()).select_from(outbox).where(_O.status == "pending")


class SqlOutbox:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def put(
        self,
        message: OutboxMessage,
        now: datetime,
        *,
        dedupe_key: str | None = None,
        group: str | None = None,
        trace_id: str | None = None,
    ) -> int | None:
        kind, payload = encode(message)
        return await self._insert(kind, payload, now, dedupe_key, group or dedupe_key, trace_id)

    async def add(
        self,
        kind: str,
        payload: Mapping[str, Any],
        now: datetime,
        *,
        dedupe_key: str | None = None,
        trace_id: str | None = None,
    ) -> int | None:
        return await self._insert(kind, payload, now, dedupe_key, dedupe_key, trace_id)

    async def _insert(
        self,
        kind: str,
        payload: Mapping[str, Any],
        now: datetime,
        dedupe_key: str | None,
        group: str | None,
        trace_id: str | None,
    ) -> int | None:
        row = (
            await self._conn.execute(
                ADD,
                {
                    "kind": kind,
                    "payload": dict(payload),
                    "dedupe_key": dedupe_key,
                    "group_key": group[:200] if group else None,
                    "next_attempt_at": now,
                    # Unless given, the trace of the request or job doing the writing.
                    "trace_id": trace_id or current_trace.get(),
                    "created_at": now,
                },
            )
        ).first()
        return None if row is None else int(row[0])

    async def claim_due(self, now: datetime, *, dedupe_key: str | None = None) -> OutboxItem | None:
        if dedupe_key is None:
            row = (await self._conn.execute(CLAIM_DUE, {"now": now})).first()
        else:
            row = (await self._conn.execute(CLAIM_BY_KEY, {"now": now, "key": dedupe_key})).first()
        if row is None:
            return None
        item_id, kind, payload, attempts, trace_id, group = row
        try:
            message: OutboxMessage | None = decode(kind, payload)
        except UnreadableOutboxRow as err:
            # Claimed all the same: the dispatcher fails it loudly instead of skipping it.
            return OutboxItem(
                item_id, kind, None, attempts, trace_id, unreadable=str(err), group=group
            )
        return OutboxItem(item_id, kind, message, attempts, trace_id, group=group)

    async def mark_sent(self, item_id: int, now: datetime, provider_message_id: str | None) -> None:
        await self._conn.execute(
            MARK_SENT, {"p_id": item_id, "p_now": now, "p_provider_id": provider_message_id}
        )

    async def retry_later(self, item_id: int, error: str, next_attempt_at: datetime) -> None:
        await self._conn.execute(
            RETRY_LATER, {"p_id": item_id, "p_error": error[:1000], "p_next": next_attempt_at}
        )

    async def mark_failed(self, item_id: int, error: str) -> None:
        await self._conn.execute(MARK_FAILED, {"p_id": item_id, "p_error": error[:1000]})

    async def record_delivery(self, provider_message_id: str, status: str) -> bool:
        result = await self._conn.execute(
            RECORD_DELIVERY, {"p_provider_id": provider_message_id, "p_status": status[:20]}
        )
        return result.first() is not None

    async def retry_failed(self, group: str, now: datetime) -> int:
        lone = group.removeprefix("outbox:")
        which = (
            _O.id == int(lone) if lone != group and lone.isdigit() else _O.group_key == group[:200]
        )
        rows = (await self._conn.execute(RETRY_FAILED.where(which), {"p_now": now})).all()
        return len(rows)

    async def group_outcome(self, group: str) -> GroupOutcome:
        rows = (await self._conn.execute(GROUP_ROWS, {"p_group": group[:200]})).all()
        # A row "sent" with no provider id had no channel (no owner number, say): it delivered
        # nothing, so it does not count as delivered.
        delivered = any(
            status != "failed" and (status != "sent" or sent_id) for status, _, _, sent_id in rows
        )
        return GroupOutcome(
            all_failed=any(status == "failed" for status, *_ in rows) and not delivered,
            errors=tuple(
                f"{kind}: {error or 'no channel configured'}"
                for status, kind, error, _ in rows
                if status == "failed" or error
            ),
        )

    async def pending_count(self) -> int:
        return int((await self._conn.execute(PENDING_COUNT)).scalar_one())

    async def purge_finished(self, before: datetime) -> int:
        return len((await self._conn.execute(PURGE_FINISHED, {"p_before": before})).all())
