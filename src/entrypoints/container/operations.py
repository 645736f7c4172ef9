"""Operations: health, backups, and the worker's housekeeping (expiry, retention, retries)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

from dishka import Provider, Scope, provide
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.backups import SqlBackupLedger
from adapters.postgres.database import make_engine
from adapters.postgres.gauges import CalendarFreshnessProbe
from adapters.postgres.probe import PostgresProbe
from adapters.redis.client import RedisProbe
from application.operations.backups import BackupPolicy, BackUpWhenDue, NewestBackup
from application.operations.health import CheckHealth
from application.operations.maintenance import (
    AnonymizeOldGuests,
    ExpireLapsedHolds,
    MeasureOutbox,
    PurgeIdempotencyKeys,
    ReprocessDeliveries,
    RetentionPolicy,
)
from application.ports.backups import BackupLedger, DatabaseBackup
from application.ports.clock import Clock
from entrypoints.backup import PgDumpBackup
from entrypoints.settings import Settings

# Health reports are reused for at most this long (see CheckHealth).
HEALTH_CACHE_SECONDS = 1.0


class OperationsProvider(Provider):
    scope = Scope.REQUEST

    @provide(scope=Scope.APP)
    def backup_policy(self, settings: Settings) -> BackupPolicy:
        return BackupPolicy(
            every=timedelta(hours=settings.backup_every_hours),
            off_site=settings.backup_upload_command is not None,
        )

    @provide(scope=Scope.APP)
    def database_backup(self, settings: Settings) -> DatabaseBackup:
        if settings.database_url is None:
            raise RuntimeError("backups need DATABASE_URL (resolved_services sets it)")
        upload, prune = settings.backup_upload_command, settings.backup_prune_command
        return PgDumpBackup(
            settings.database_url,
            Path(settings.backup_dir),
            settings.backup_keep,
            upload.reveal() if upload else None,
            settings.pg_bin_dir,
            prune.reveal() if prune else None,
        )

    @provide(scope=Scope.APP)
    def backup_ledger(self, engine: AsyncEngine) -> BackupLedger:
        return SqlBackupLedger(engine)

    @provide(scope=Scope.APP)
    def retention(self, settings: Settings) -> RetentionPolicy:
        return RetentionPolicy(pii_days=settings.pii_retention_days)

    @provide(scope=Scope.APP)
    async def health(
        self, settings: Settings, redis: Redis, clock: Clock
    ) -> AsyncIterator[CheckHealth]:
        # The probe has a connection of its own: a saturated request pool is not a database
        # outage, and must not turn the health check red.
        assert settings.database_url is not None
        probe_engine = make_engine(settings.database_url, pool_size=1)
        yield CheckHealth(
            probes=(
                PostgresProbe(probe_engine),
                RedisProbe(redis),
                CalendarFreshnessProbe(probe_engine, settings.ical_stale_minutes, clock),
            ),
            timeout_s=settings.health_probe_timeout_seconds,
            cache_s=HEALTH_CACHE_SECONDS,
        )
        await probe_engine.dispose()

    expire_holds = provide(ExpireLapsedHolds)
    purge_keys = provide(PurgeIdempotencyKeys)
    anonymize_guests = provide(AnonymizeOldGuests)
    reprocess = provide(ReprocessDeliveries)
    measure_outbox = provide(MeasureOutbox)
    back_up_when_due = provide(BackUpWhenDue)
    newest_backup = provide(NewestBackup)
