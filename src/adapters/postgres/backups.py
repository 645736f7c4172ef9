from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.database import checkout
from adapters.postgres.tables import backup_runs


async def newest_backup(engine: AsyncEngine, *, uploaded_only: bool) -> datetime | None:
    """When the newest recorded backup was taken (of those uploaded off-site, with
    ``uploaded_only``)."""
    query = select(func.max(backup_runs.c.taken_at))
    if uploaded_only:
        query = query.where(backup_runs.c.uploaded)
    async with checkout(engine) as conn:
        newest: datetime | None = (await conn.execute(query)).scalar()
        return newest


class SqlBackupLedger:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def newest(self, *, uploaded_only: bool) -> datetime | None:
        return await newest_backup(self._engine, uploaded_only=uploaded_only)
