"""Each WhatsApp number's last inbound message, for the customer-service window."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import whatsapp_contacts

_C = whatsapp_contacts.c
_INSERT = pg_insert(whatsapp_contacts)
NOTE_INBOUND = _INSERT.on_conflict_do_update(
    index_elements=[_C.whatsapp_id],
    set_={"last_inbound_at": func.greatest(_C.last_inbound_at, _INSERT.excluded.last_inbound_at)},
)
FORGET_BEFORE = (
    delete(whatsapp_contacts)
    .where(_C.last_inbound_at < bindparam("p_before"))
    .returning(_C.whatsapp_id)
)
LAST_INBOUND = select(_C.last_inbound_at).where(_C.whatsapp_id == bindparam("p_id"))


class SqlContactWindows:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def note_inbound(self, whatsapp_id: str, at: datetime) -> None:
        await self._conn.execute(
            NOTE_INBOUND, {"whatsapp_id": whatsapp_id[:20], "last_inbound_at": at}
        )

    async def last_inbound(self, whatsapp_id: str) -> datetime | None:
        row = (await self._conn.execute(LAST_INBOUND, {"p_id": whatsapp_id[:20]})).first()
        return None if row is None else row[0]

    async def forget_before(self, before: datetime) -> int:
        return len((await self._conn.execute(FORGET_BEFORE, {"p_before": before})).all())
