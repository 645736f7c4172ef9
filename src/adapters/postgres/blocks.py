"""Blocks are rows of kind 'block' in the reservations table, under its exclusion constraint."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.repositories import expire_lapsed_overlapping
from adapters.postgres.tables import NO_OVERLAP_CONSTRAINT, reservations
from domain.booking.block import Block
from domain.booking.reservation import Channel
from domain.codes import ReservationCode
from domain.stay import Stay

_R = reservations.c
INSERT_BLOCK = (
    pg_insert(reservations)
    .on_conflict_do_nothing(constraint=NO_OVERLAP_CONSTRAINT)
    .returning(_R.id)
)
REMOVE_BLOCK = (
    update(reservations)
    .where(_R.code == bindparam("p_code"), _R.kind == "block", _R.status == "confirmed")
    .values(status="cancelled", updated_at=bindparam("p_now"))
    .returning(
        _R.code, _R.accommodation_id, _R.check_in, _R.check_out, _R.block_reason, _R.created_at
    )
)
_BLOCK_COLUMNS = (
    _R.code,
    _R.accommodation_id,
    _R.check_in,
    _R.check_out,
    _R.block_reason,
    _R.created_at,
)

GET_BLOCK = select(*_BLOCK_COLUMNS).where(
    _R.code == bindparam("p_code"), _R.kind == "block", _R.status == "confirmed"
)


def _block(row: Any, *, active: bool = True) -> Block:
    code, acc_id, check_in, check_out, reason, created_at = row
    return Block(
        ReservationCode(code), acc_id, Stay(check_in, check_out), reason or "", created_at, active
    )


class SqlBlockRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, block: Block, now: datetime) -> bool:
        values = {
            "code": block.code.value,
            "accommodation_id": block.accommodation_id,
            "check_in": block.stay.check_in,
            "check_out": block.stay.check_out,
            "guests": 1,
            "total_cents": 0,
            "deposit_cents": 0,
            "channel": Channel.ADMIN.value,
            "status": "confirmed",
            "kind": "block",
            "block_reason": block.reason,
            "created_at": now,
            "updated_at": now,
        }
        if (await self._conn.execute(INSERT_BLOCK, values)).first() is not None:
            return True
        # Expire lapsed holds in the way, then try once more whatever the UPDATE found: a
        # concurrent writer may have just expired the very hold that blocked this insert.
        await expire_lapsed_overlapping(self._conn, block.accommodation_id, block.stay, now)
        return (await self._conn.execute(INSERT_BLOCK, values)).first() is not None

    async def remove(self, code: ReservationCode, now: datetime) -> Block | None:
        row = (await self._conn.execute(REMOVE_BLOCK, {"p_code": code.value, "p_now": now})).first()
        return None if row is None else _block(row, active=False)

    async def get(self, code: ReservationCode) -> Block | None:
        row = (await self._conn.execute(GET_BLOCK, {"p_code": code.value})).first()
        return None if row is None else _block(row)

    async def list_active(
        self, accommodation_id: int | None, ending_after: date
    ) -> Sequence[Block]:
        stmt = (
            select(*_BLOCK_COLUMNS)
            .where(_R.kind == "block", _R.status == "confirmed", _R.check_out > ending_after)
            .order_by(_R.check_in)
        )
        if accommodation_id is not None:
            stmt = stmt.where(_R.accommodation_id == accommodation_id)
        return [_block(row) for row in await self._conn.execute(stmt)]
