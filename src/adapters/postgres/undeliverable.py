"""Notifications no channel delivered (the owner's action queue)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import undeliverable_messages
from application.ports.undeliverable import UndeliverableMessage

_U = undeliverable_messages.c
_insert = pg_insert(undeliverable_messages)
# Recorded once while open; a settled one (retried, say) that fails again opens again.
RECORD = _insert.on_conflict_do_update(
    index_elements=[_U.group_key],
    set_={
        "errors": _insert.excluded.errors,
        "failed_at": _insert.excluded.failed_at,
        "resolved_at": None,
        "resolution": None,
    },
    where=_U.resolved_at.is_not(None),
).returning(_U.id)
RESOLVE = (
    update(undeliverable_messages)
    .where(_U.id == bindparam("p_id"), _U.resolved_at.is_(None))
    .values(resolved_at=bindparam("p_now"), resolution=bindparam("p_how"))
    .returning(
        _U.id, _U.group_key, _U.topic, _U.recipient, _U.reservation_code, _U.errors, _U.failed_at
    )
)
LIST_OPEN = (
    select(
        _U.id, _U.group_key, _U.topic, _U.recipient, _U.reservation_code, _U.errors, _U.failed_at
    )
    .where(_U.resolved_at.is_(None))
    .order_by(_U.failed_at.desc(), _U.id.desc())
    .limit(bindparam("p_limit"))
)


class SqlUndeliverableMessages:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def record(self, message: UndeliverableMessage) -> bool:
        row = (
            await self._conn.execute(
                RECORD,
                {
                    "group_key": message.group[:200],
                    "topic": message.topic[:40],
                    "recipient": message.recipient,
                    "reservation_code": message.reservation,
                    "errors": message.errors[:2000],
                    "failed_at": message.failed_at,
                },
            )
        ).first()
        return row is not None

    async def resolve(
        self, item_id: int, resolution: str, now: datetime
    ) -> UndeliverableMessage | None:
        row = (
            await self._conn.execute(RESOLVE, {"p_id": item_id, "p_now": now, "p_how": resolution})
        ).first()
        if row is None:
            return None
        row_id, group, topic, recipient, code, errors, failed_at = row
        return UndeliverableMessage(group, topic, recipient, code, errors, failed_at, row_id)

    async def list_open(self, limit: int) -> Sequence[UndeliverableMessage]:
        rows = (await self._conn.execute(LIST_OPEN, {"p_limit": limit})).all()
        return [
            UndeliverableMessage(
                group=group,
                topic=topic,
                recipient=recipient,
                reservation=code,
                errors=errors,
                failed_at=failed_at,
                id=row_id,
            )
            for row_id, group, topic, recipient, code, errors, failed_at in rows
        ]
