from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import admin_audit_log
from application.ports.audit import AuditEntry

RECORD = insert(admin_audit_log)


class SqlAuditLog:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def record(self, entry: AuditEntry) -> None:
        await self._conn.execute(
            RECORD,
            {
                "actor": entry.actor,
                "action": entry.action,
                "target": entry.target,
                "before": dict(entry.before),
                "after": dict(entry.after),
                "at": entry.at,
            },
        )
