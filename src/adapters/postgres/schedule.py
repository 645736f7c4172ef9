"""The scheduled messages' reads (confirmed stays by arrival and departure day, live holds) and
their once-only record: a claim is a row keyed by the message, inserted in the transaction
that writes the message's outbox rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.repositories import reservation_from_row
from adapters.postgres.tables import reservations, scheduled_messages
from domain.booking.reservation import Reservation

_R = reservations.c
_S = scheduled_messages.c
_CONFIRMED = (_R.kind == "booking", _R.status == "confirmed")
ARRIVING = (
    select(reservations)
    .where(*_CONFIRMED, _R.check_in.between(bindparam("p_first"), bindparam("p_last")))
    .order_by(_R.check_in, _R.id)
)
LEAVING = (
    select(reservations)
    .where(*_CONFIRMED, _R.check_out.between(bindparam("p_first"), bindparam("p_last")))
    .order_by(_R.check_out, _R.id)
)
LIVE_HOLDS = (
    select(func.count())
    .select_from(reservations)
    .where(_R.kind == "booking", _R.status == "pre_reserved", _R.expires_at > bindparam("p_now"))
)
QUEUED = select(_S.key).where(_S.key == bindparam("p_key"))
# A concurrent claim of the same key waits on the primary key for the other transaction, then
# inserts nothing if it committed: exactly one claim wins.
CLAIM = (
    pg_insert(scheduled_messages).on_conflict_do_nothing(index_elements=[_S.key]).returning(_S.key)
)
FORGET_BEFORE = (
    delete(scheduled_messages).where(_S.queued_at < bindparam("p_before")).returning(_S.key)
)


class SqlMessageSchedule:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def arriving(self, first: date, last: date) -> Sequence[Reservation]:
        rows = await self._conn.execute(ARRIVING, {"p_first": first, "p_last": last})
        return [reservation_from_row(row) for row in rows]

    async def leaving(self, first: date, last: date) -> Sequence[Reservation]:
        rows = await self._conn.execute(LEAVING, {"p_first": first, "p_last": last})
        return [reservation_from_row(row) for row in rows]

    async def live_holds(self, now: datetime) -> int:
        return int((await self._conn.execute(LIVE_HOLDS, {"p_now": now})).scalar_one())

    async def queued(self, key: str) -> bool:
        return (await self._conn.execute(QUEUED, {"p_key": key})).first() is not None

    async def claim(self, key: str, kind: str, reservation: str | None, now: datetime) -> bool:
        row = (
            await self._conn.execute(
                CLAIM,
                {"key": key, "kind": kind, "reservation_code": reservation, "queued_at": now},
            )
        ).first()
        return row is not None

    async def forget_before(self, before: datetime) -> int:
        return len((await self._conn.execute(FORGET_BEFORE, {"p_before": before})).all())
