from __future__ import annotations

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import admin_audit_log
from application.ports.audit import AuditEntry

RECORD = insert(admin_audit_log)
STATUS_BEFORE = text(
    "SELECT before->>'status' FROM admin_audit_log WHERE target = :target AND action = :action "
    "ORDER BY at DESC, id DESC LIMIT 1"
)


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

    async def status_before(self, target: str, action: str) -> str | None:
        found = await self._conn.scalar(STATUS_BEFORE, {"target": target, "action": action})
        return str(found) if found is not None else None
