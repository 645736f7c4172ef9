"""Calendar sync: iCal feeds imported (fetcher, lock, release guard) and exported."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from dishka import Provider, Scope, provide
from redis.asyncio import Redis

from adapters.ical.fetcher import HttpCalendarFetcher
from adapters.redis.lock import RedisLock
from adapters.security.export_tokens import HmacExportTokens
from application.calendar_sync.feeds import (
    DeleteFeed,
    ExportCalendar,
    ImportFeed,
    ListConflicts,
    ListFeeds,
)
from application.calendar_sync.sync_feeds import ApplySnapshot, SyncAllFeeds, SyncFeed
from application.ports.calendars import CalendarFetcher, SyncLock
from application.ports.export_tokens import ExportTokens
from domain.calendar_sync.external_calendar import ReleaseGuard
from entrypoints.container.infrastructure import WORKER_HTTP_TIMEOUT_SECONDS
from entrypoints.settings import Settings

# A sync pass holds its lock at most this long (a crashed holder frees it by expiry).
ICAL_LOCK_SECONDS = 600
# Keys the export tokens and UIDs where ICS_SALT is not set (production refuses to start so).
DEVELOPMENT_SALT = "development-only-ics-salt"


def export_tokens(settings: Settings) -> ExportTokens:
    """Keyed with ICS_SALT: changing it changes every export address and UID."""
    salt = settings.ics_salt.reveal() if settings.ics_salt is not None else ""
    return HmacExportTokens(salt or DEVELOPMENT_SALT)


class CalendarSyncProvider(Provider):
    scope = Scope.REQUEST

    @provide(scope=Scope.APP)
    def release_guard(self, settings: Settings) -> ReleaseGuard:
        return settings.release_guard

    @provide(scope=Scope.APP)
    async def calendar_fetcher(self, settings: Settings) -> AsyncIterator[CalendarFetcher]:
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(WORKER_HTTP_TIMEOUT_SECONDS),
            follow_redirects=False,  # each hop is re-checked by the fetcher
            trust_env=False,  # a proxy would connect to the name, not the checked address
        ) as client:
            yield HttpCalendarFetcher(
                client,
                allow_private=settings.ical_allow_private_urls,
                allow_http=settings.environment != "production",
            )

    @provide(scope=Scope.APP)
    def ical_export_tokens(self, settings: Settings) -> ExportTokens:
        return export_tokens(settings)

    @provide(scope=Scope.APP)
    def sync_lock(self, redis: Redis) -> SyncLock:
        return RedisLock(redis, "ical:sync:lock", ICAL_LOCK_SECONDS)

    apply_snapshot = provide(ApplySnapshot)
    sync_feed = provide(SyncFeed)
    sync_all_feeds = provide(SyncAllFeeds)
    import_feed = provide(ImportFeed)
    list_feeds = provide(ListFeeds)
    delete_feed = provide(DeleteFeed)
    list_conflicts = provide(ListConflicts)
    export_calendar = provide(ExportCalendar)
