"""The daily backup: a duty of the sync process.

Why there: docs/adr/0002-daily-backups-in-the-sync-process.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from application.ports.backups import BackupLedger, DatabaseBackup
from application.ports.clock import Clock

log = logging.getLogger("cabanas.backups")


@dataclass(frozen=True, slots=True)
class BackupPolicy:
    every: timedelta = timedelta(hours=24)
    # Backups are uploaded off-site (BACKUP_UPLOAD_COMMAND): only the uploaded ones count.
    # Without an upload (development), the local dumps are all there is, and they count.
    off_site: bool = False


@dataclass(frozen=True, slots=True)
class BackUpWhenDue:
    """Rules: a backup is due when the newest one that counts was taken ``every`` ago or
    longer, or none is recorded. Where backups go off-site, only the uploaded ones count: a
    local dump taken by hand (`cabanas backup` without BACKUP_UPLOAD_COMMAND, before a risky
    change) is recorded as local and does not put off the day's off-site copy; one taken by
    hand and uploaded counts. The record lives in the database, not in this process, so a
    restarted or replaced sync machine neither skips a day nor takes a second backup. A backup
    that fails is not recorded and raises: the next check tries again. Returns where the
    backup went, or None when none was due."""

    ledger: BackupLedger
    backups: DatabaseBackup
    clock: Clock
    policy: BackupPolicy

    async def __call__(self) -> str | None:
        now = self.clock.now()
        newest = await self.ledger.newest(uploaded_only=self.policy.off_site)
        if newest is not None and now - newest < self.policy.every:
            return None
        where = await self.backups.take(now)
        log.info("backup_taken", extra={"file": where, "previous": newest and newest.isoformat()})
        return where


@dataclass(frozen=True, slots=True)
class BackupAge:
    taken_at: datetime
    age: timedelta


@dataclass(frozen=True, slots=True)
class NewestBackup:
    """Rules: the newest recorded backup that counts (``BackUpWhenDue``'s: the newest uploaded
    one where backups go off-site) and its age by the application's clock (the clock that
    stamped it); None when there is none."""

    ledger: BackupLedger
    clock: Clock
    policy: BackupPolicy

    async def __call__(self) -> BackupAge | None:
        newest = await self.ledger.newest(uploaded_only=self.policy.off_site)
        if newest is None:
            return None
        return BackupAge(newest, self.clock.now() - newest)
