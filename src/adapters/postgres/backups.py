from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.database import checkout
from adapters.postgres.tables import backup_runs


async def newest_backup(engine: AsyncEngine) -> datetime | None:
    async with checkout(engine) as conn:
        newest: datetime | None = (
            await conn.execute(select(func.max(backup_runs.c.taken_at)))
        ).scalar()
        return newest


class SqlBackupLedger:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def newest(self) -> datetime | None:
        return await newest_backup(self._engine)
