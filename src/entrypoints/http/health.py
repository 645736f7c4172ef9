from __future__ import annotations

import contextlib
from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, head
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.backups import newest_backup
from adapters.postgres.gauges import active_reservations, held_releases, stalest_feed_minutes
from adapters.prometheus.metrics import (
    ACTIVE_RESERVATIONS,
    BACKUP_LAST_SUCCESS,
    ICAL_HELD_RELEASES,
    ICAL_LAST_SYNC_AGE,
    exposition,
    record_dependencies,
)
from application.operations.backups import BackupPolicy
from application.operations.health import CheckHealth, HealthReport, HealthStatus
from application.ports.clock import Clock
from domain.calendar_sync.external_calendar import ExternalSource
from entrypoints.http import schemas
from entrypoints.migrate import judge
from entrypoints.settings import Settings


class HealthController(Controller):
    tags = ["operations"]

    @get("/healthz", summary="Dependency health (200 healthy/degraded, 503 unhealthy)")
    @inject
    async def healthz(self, use_case: FromDishka[CheckHealth]) -> Response[schemas.Health]:
        report = await use_case()
        _record(report)
        body = schemas.Health(
            status=report.status.value,
            checks={
                c.name: schemas.ProbeCheck(c.ok, c.critical, c.latency_ms, c.error)
                for c in report.checks
            },
        )
        return Response(body, status_code=_status(report), headers={"Cache-Control": "no-store"})

    # Uptime monitors often probe with HEAD: the same check and status, without the body.
    @head("/healthz", summary="The health check's status without its body")
    @inject
    async def healthz_head(self, use_case: FromDishka[CheckHealth]) -> Response[None]:
        report = await use_case()
        _record(report)
        return Response(None, status_code=_status(report), headers={"Cache-Control": "no-store"})

    @get("/readyz", summary="200 once migrations are at head and pools are open")
    @inject
    async def readyz(
        self, request: Request[Any, Any, Any], engine: FromDishka[AsyncEngine]
    ) -> Response[schemas.Readiness]:
        return await _readiness(request, engine)

    @head("/readyz", summary="The readiness status without its body")
    @inject
    async def readyz_head(
        self, request: Request[Any, Any, Any], engine: FromDishka[AsyncEngine]
    ) -> Response[None]:
        answer = await _readiness(request, engine)
        return Response(None, status_code=answer.status_code, headers=answer.headers)


def _status(report: HealthReport) -> int:
    return 503 if report.status is HealthStatus.UNHEALTHY else 200


async def _readiness(
    request: Request[Any, Any, Any], engine: AsyncEngine
) -> Response[schemas.Readiness]:
    state = request.app.state
    if state.get("draining"):
        return _not_ready("shutting down")
    if not state.get("ready"):
        try:
            verdict = await judge(engine)
        except Exception as exc:  # database down: not ready, and say why
            return _not_ready(f"database unreachable ({type(exc).__name__})")
        if not verdict.runnable:
            return _not_ready(verdict.detail)
        # After a rollback the schema may be ahead by expand-only revisions: say so.
        state.ready_detail = verdict.detail if verdict.ahead else None
        state.ready = True
    return Response(
        schemas.Readiness("ready", state.get("ready_detail")),
        headers={"Cache-Control": "no-store"},
    )


def _record(report: HealthReport) -> None:
    record_dependencies({c.name: c.ok for c in report.checks})


def _not_ready(detail: str) -> Response[schemas.Readiness]:
    return Response(
        schemas.Readiness("not_ready", detail),
        status_code=503,
        headers={"Cache-Control": "no-store", "Retry-After": "1"},
    )


class MetricsController(Controller):
    """Prometheus scrape endpoint (outside /api/v1, like Fly's [metrics] expects)."""

    path = "/metrics"
    include_in_schema = False

    @get("/", media_type="text/plain; version=0.0.4")
    @inject
    async def metrics(
        self,
        engine: FromDishka[AsyncEngine],
        clock: FromDishka[Clock],
        health: FromDishka[CheckHealth],
        settings: FromDishka[Settings],
        backups: FromDishka[BackupPolicy],
    ) -> Response[bytes]:
        # dependency_up at scrape time (the report is shared with healthz for up to 1 s).
        _record(await health())
        try:
            counts = await active_reservations(engine, clock.now())
        except Exception:  # the scrape still shows everything else; health says what's wrong
            counts = None
        if counts is not None:
            for status in ("pre_reserved", "confirmed"):
                ACTIVE_RESERVATIONS.labels(status=status).set(counts.get(status, 0))
        # From the database at scrape time: if the sync process dies, the age keeps growing and
        # the CalendarSyncStale alert fires (a gauge it set itself would freeze). A failure
        # leaves the last value; the scrape still shows everything else.
        with contextlib.suppress(Exception):
            ICAL_LAST_SYNC_AGE.set(await stalest_feed_minutes(engine, clock.now()))
        with contextlib.suppress(Exception):  # every source, so a first hold is a change
            held = await held_releases(engine)
            for source in ExternalSource:
                ICAL_HELD_RELEASES.labels(source=source.value).set(held.get(source.value, 0))
        with contextlib.suppress(Exception):  # from the database, like the sync age above
            # The kind the schedule counts: off-site copies, where backups are uploaded.
            newest = await newest_backup(engine, uploaded_only=backups.off_site)
            BACKUP_LAST_SUCCESS.set(newest.timestamp() if newest is not None else 0)
        body, content_type = exposition(settings.prometheus_multiproc_dir)
        # Litestar adds the charset of text/* itself; passing it too would repeat it.
        media_type = content_type.replace("; charset=utf-8", "")
        return Response(body, media_type=media_type, headers={"Cache-Control": "no-store"})
