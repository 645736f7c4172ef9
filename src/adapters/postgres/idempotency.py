"""Idempotency keys and webhook deliveries, keyed by (scope, key).

``INSERT … ON CONFLICT DO NOTHING`` is the lock: a second transaction inserting the same key
waits until the first commits or rolls back, then sees its row (or inserts its own).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import idempotency_keys
from application.ports.idempotency import (
    PROVIDER_REFUNDS,
    WEBHOOK_PROVIDERS,
    RefundNote,
    StoredRequest,
)

_K = idempotency_keys.c
_KEY = (_K.scope == bindparam("p_scope"), _K.key == bindparam("p_key"))
CLAIM = (
    pg_insert(idempotency_keys)
    .on_conflict_do_nothing(index_elements=[_K.scope, _K.key])
    .returning(_K.scope)
)
GET = select(_K.fingerprint, _K.reservation_code, _K.response_status, _K.response_body).where(*_KEY)
ATTACH = update(idempotency_keys).where(*_KEY).values(reservation_code=bindparam("p_code"))
STORE_RESPONSE = (
    update(idempotency_keys)
    .where(*_KEY)
    .values(response_status=bindparam("p_status"), response_body=bindparam("p_body"))
)
UNSETTLED_REFUND_NOTES = select(_K.key, _K.response_body, _K.created_at).where(
    _K.scope == PROVIDER_REFUNDS,
    _K.reservation_code == bindparam("p_code"),
    _K.processed_at.is_(None),
)
LOCK_UNPROCESSED = (
    select(_K.payload).where(*_KEY, _K.processed_at.is_(None)).with_for_update(skip_locked=True)
)
MARK_PROCESSED = (
    update(idempotency_keys)
    .where(*_KEY)
    .values(processed_at=bindparam("p_now"), payload=None)  # the payload may hold PII: drop it
)
NOTE_FAILURE = (
    update(idempotency_keys).where(*_KEY).values(attempts=_K.attempts + 1).returning(_K.attempts)
)
HOLD_BACK = update(idempotency_keys).where(*_KEY).values(next_attempt_at=bindparam("p_until"))
UNPROCESSED = (
    select(_K.scope, _K.key)
    .where(
        _K.processed_at.is_(None),
        _K.payload.is_not(None),
        _K.created_at < bindparam("p_before"),
        or_(_K.next_attempt_at.is_(None), _K.next_attempt_at <= bindparam("p_now")),
    )
    .order_by(_K.created_at)
    .limit(bindparam("p_limit"))
)
_KEPT_LONGER = (PROVIDER_REFUNDS, *WEBHOOK_PROVIDERS)
PURGE = delete(idempotency_keys).where(
    or_(
        and_(_K.scope.not_in(_KEPT_LONGER), _K.created_at < bindparam("p_before")),
        and_(_K.scope == PROVIDER_REFUNDS, _K.created_at < bindparam("p_notes_before")),
        and_(_K.scope.in_(WEBHOOK_PROVIDERS), _K.created_at < bindparam("p_deliveries_before")),
    )
)


class SqlIdempotencyKeys:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def claim(
        self,
        scope: str,
        key: str,
        now: datetime,
        *,
        fingerprint: str | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> StoredRequest | None:
        values = {
            "scope": scope,
            "key": key,
            "fingerprint": fingerprint,
            "payload": dict(payload) if payload is not None else None,
            "created_at": now,
        }
        if (await self._conn.execute(CLAIM, values)).first() is not None:
            return None
        row = (await self._conn.execute(GET, {"p_scope": scope, "p_key": key})).first()
        if row is None:  # purged between the two statements: treat as ours next time
            return StoredRequest(fingerprint, None, None, None)
        return StoredRequest(*row)

    async def stored(self, scope: str, key: str) -> StoredRequest | None:
        row = (await self._conn.execute(GET, {"p_scope": scope, "p_key": key})).first()
        return None if row is None else StoredRequest(*row)

    async def attach_reservation(self, scope: str, key: str, code: str) -> None:
        await self._conn.execute(ATTACH, {"p_scope": scope, "p_key": key, "p_code": code})

    async def store_response(self, scope: str, key: str, status: int, body: str) -> None:
        await self._conn.execute(
            STORE_RESPONSE, {"p_scope": scope, "p_key": key, "p_status": status, "p_body": body}
        )

    async def unsettled_refund_notes(self, code: str) -> list[RefundNote]:
        rows = await self._conn.execute(UNSETTLED_REFUND_NOTES, {"p_code": code})
        return [RefundNote(key, body, created_at) for key, body, created_at in rows]

    async def lock_unprocessed(self, scope: str, key: str) -> Mapping[str, Any] | None:
        row = (await self._conn.execute(LOCK_UNPROCESSED, {"p_scope": scope, "p_key": key})).first()
        return None if row is None or row[0] is None else dict(row[0])

    async def mark_processed(self, scope: str, key: str, now: datetime) -> None:
        await self._conn.execute(MARK_PROCESSED, {"p_scope": scope, "p_key": key, "p_now": now})

    async def note_failure(self, scope: str, key: str) -> int:
        row = (await self._conn.execute(NOTE_FAILURE, {"p_scope": scope, "p_key": key})).first()
        return 0 if row is None else int(row[0])

    async def hold_back(self, scope: str, key: str, until: datetime) -> None:
        await self._conn.execute(HOLD_BACK, {"p_scope": scope, "p_key": key, "p_until": until})

    async def unprocessed(
        self, older_than: datetime, now: datetime, limit: int
    ) -> list[tuple[str, str]]:
        params = {"p_before": older_than, "p_now": now, "p_limit": limit}
        rows = await self._conn.execute(UNPROCESSED, params)
        return [(scope, key) for scope, key in rows]

    async def purge(
        self,
        before: datetime,
        *,
        refund_notes_before: datetime | None = None,
        deliveries_before: datetime | None = None,
    ) -> int:
        params = {
            "p_before": before,
            "p_notes_before": before if refund_notes_before is None else refund_notes_before,
            "p_deliveries_before": before if deliveries_before is None else deliveries_before,
        }
        result = await self._conn.execute(PURGE, params)
        return int(result.rowcount)
