"""WhatsApp numbers opted out of the messages that are not transactional."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import message_opt_outs

_O = message_opt_outs.c
_INSERT = pg_insert(message_opt_outs)
OPT_OUT = _INSERT.on_conflict_do_update(
    index_elements=[_O.whatsapp_id], set_={"opted_out_at": _INSERT.excluded.opted_out_at}
)
OPT_IN = delete(message_opt_outs).where(_O.whatsapp_id == bindparam("p_id"))
OPTED_OUT = select(_O.whatsapp_id).where(_O.whatsapp_id == bindparam("p_id"))
# A booking's phone in the whatsapp_id form (domain.messaging.service_window.whatsapp_id):
# digits only, an Argentine mobile's 549 + 10 digits as 54 + the same 10. Anonymised bookings
# (phone "-") carry no number.
FORGET_UNUSED = text(
    r"""
    DELETE FROM message_opt_outs o
    WHERE o.opted_out_at < :p_before
      AND NOT EXISTS (
        SELECT 1 FROM reservations r
        WHERE r.kind = 'booking' AND r.anonymized_at IS NULL
          AND regexp_replace(regexp_replace(r.guest_phone, '\D', '', 'g'),
                             '^549(\d{10})$', '54\1') = o.whatsapp_id
      )
    RETURNING o.whatsapp_id
    """
)


class SqlOptOuts:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def opt_out(self, whatsapp_id: str, at: datetime) -> None:
        await self._conn.execute(OPT_OUT, {"whatsapp_id": whatsapp_id[:20], "opted_out_at": at})

    async def opt_in(self, whatsapp_id: str) -> None:
        await self._conn.execute(OPT_IN, {"p_id": whatsapp_id[:20]})

    async def opted_out(self, whatsapp_id: str) -> bool:
        row = (await self._conn.execute(OPTED_OUT, {"p_id": whatsapp_id[:20]})).first()
        return row is not None

    async def forget_unused(self, before: datetime) -> int:
        return len((await self._conn.execute(FORGET_UNUSED, {"p_before": before})).all())
