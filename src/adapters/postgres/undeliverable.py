"""Notifications no channel delivered (the owner's action queue)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import undeliverable_messages
from application.ports.undeliverable import UndeliverableMessage

_U = undeliverable_messages.c
RECORD = (
    pg_insert(undeliverable_messages)
    .on_conflict_do_nothing(index_elements=[_U.group_key])
    .returning(_U.id)
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
