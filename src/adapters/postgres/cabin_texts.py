"""Each cabin's texts for its scheduled messages, one row per cabin the owner edited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import cabin_message_texts
from domain.messaging.cabin_texts import CabinTexts

_T = cabin_message_texts.c
_COLUMNS = (
    _T.address,
    _T.map_url,
    _T.check_in_time,
    _T.check_out_time,
    _T.keys_info,
    _T.check_out_note,
    _T.thank_you_note,
    _T.review_url,
)
GET_TEXTS = select(*_COLUMNS).where(_T.accommodation_id == bindparam("p_id"))
_INSERT = pg_insert(cabin_message_texts)
SAVE_TEXTS = _INSERT.on_conflict_do_update(
    index_elements=[_T.accommodation_id],
    set_={c.name: _INSERT.excluded[c.name] for c in (*_COLUMNS, _T.updated_at)},
)


def texts_from_row(row: Any) -> CabinTexts:
    address, map_url, check_in, check_out, keys, check_out_note, thanks, review = row
    return CabinTexts(
        address=address,
        map_url=map_url,
        check_in_time=check_in,
        check_out_time=check_out,
        keys=keys,
        check_out_note=check_out_note,
        thank_you_note=thanks,
        review_url=review,
    )


class SqlCabinTexts:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, accommodation_id: int) -> CabinTexts | None:
        row = (await self._conn.execute(GET_TEXTS, {"p_id": accommodation_id})).first()
        return None if row is None else texts_from_row(row)

    async def save(self, accommodation_id: int, texts: CabinTexts, now: datetime) -> None:
        await self._conn.execute(
            SAVE_TEXTS,
            {
                "accommodation_id": accommodation_id,
                "address": texts.address,
                "map_url": texts.map_url,
                "check_in_time": texts.check_in_time,
                "check_out_time": texts.check_out_time,
                "keys_info": texts.keys,
                "check_out_note": texts.check_out_note,
                "thank_you_note": texts.thank_you_note,
                "review_url": texts.review_url,
                "updated_at": now,
            },
        )
