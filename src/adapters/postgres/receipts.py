"""Transfer receipts kept with their booking (``booking_receipts``, migration 0021)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import booking_receipts, reservations
from application.ports.receipts import ReceiptSummary
from domain.payments.receipts import Receipt, ReceiptStatus

_T, _R = booking_receipts.c, reservations.c
_CODE = _R.code.label("reservation_code")
_FROM = booking_receipts.join(reservations, _R.id == _T.reservation_id)
ADD = (
    pg_insert(booking_receipts)
    .values(
        reservation_id=select(_R.id)
        .where(_R.code == bindparam("code"), _R.kind == "booking")
        .scalar_subquery(),
        media_id=bindparam("media_id"),
        mime_type=bindparam("mime_type"),
        size_bytes=bindparam("size_bytes"),
        sha256=bindparam("sha256"),
        content=bindparam("content"),
        received_at=bindparam("received_at"),
    )
    .on_conflict_do_nothing(constraint="booking_receipts_media_key")
)
BY_MEDIA = select(booking_receipts, _CODE).select_from(_FROM).where(_T.media_id == bindparam("m"))
BY_ID = select(booking_receipts, _CODE).select_from(_FROM).where(_T.id == bindparam("id"))
PENDING = (
    select(_T.id, _CODE, _T.mime_type, _T.size_bytes, _T.received_at, _T.status)
    .select_from(_FROM)
    .where(_T.status == ReceiptStatus.PENDING.value)
    .order_by(_T.received_at, _T.id)
    .limit(bindparam("limit"))
)
DECIDE = (
    update(booking_receipts)
    .where(_T.id == bindparam("r_id"), _T.status == bindparam("r_pending"))
    .values(
        status=bindparam("r_status"),
        decided_by=bindparam("actor"),
        decided_at=bindparam("now"),
    )
    .returning(_T.id)
)


def _receipt(row: Any) -> Receipt:
    return Receipt(
        reservation_code=row.reservation_code,
        media_id=row.media_id,
        mime_type=row.mime_type,
        content=bytes(row.content),
        received_at=row.received_at,
        status=ReceiptStatus(row.status),
        id=row.id,
    )


class SqlReceipts:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, receipt: Receipt) -> Receipt:
        await self._conn.execute(
            ADD,
            {
                "code": receipt.reservation_code,
                "media_id": receipt.media_id[:128],
                "mime_type": receipt.mime_type[:64],
                "size_bytes": receipt.size,
                "sha256": receipt.sha256,
                "content": receipt.content,
                "received_at": receipt.received_at,
            },
        )
        row = (await self._conn.execute(BY_MEDIA, {"m": receipt.media_id[:128]})).first()
        assert row is not None  # stored now, or by the same message before
        return _receipt(row)

    async def get(self, receipt_id: int) -> Receipt | None:
        row = (await self._conn.execute(BY_ID, {"id": receipt_id})).first()
        return None if row is None else _receipt(row)

    async def pending(self, limit: int) -> list[ReceiptSummary]:
        rows = await self._conn.execute(PENDING, {"limit": limit})
        return [
            ReceiptSummary(
                r.id,
                r.reservation_code,
                r.mime_type,
                r.size_bytes,
                r.received_at,
                ReceiptStatus(r.status),
            )
            for r in rows
        ]

    async def decide(
        self, receipt_id: int, status: ReceiptStatus, actor: str, now: datetime
    ) -> bool:
        result = await self._conn.execute(
            DECIDE,
            {
                "r_id": receipt_id,
                "r_status": status.value,
                "r_pending": ReceiptStatus.PENDING.value,
                "actor": actor[:320],
                "now": now,
            },
        )
        return result.first() is not None
