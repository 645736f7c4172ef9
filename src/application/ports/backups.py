from __future__ import annotations

from datetime import datetime
from typing import Protocol


class BackupLedger(Protocol):
    """Where the backups taken are recorded (the database itself: it outlives any machine),
    each marked uploaded (off-site) or local."""

    async def newest(self, *, uploaded_only: bool) -> datetime | None:
        """When the newest recorded backup was taken (the newest uploaded one, with
        ``uploaded_only``); None if there is none."""
        ...


class DatabaseBackup(Protocol):
    async def take(self, now: datetime) -> str:
        """Dump the database, upload the dump, record it as taken at ``now`` (and whether it
        was uploaded); return where it went. Raises if any step failed (then nothing is
        recorded)."""
        ...
