"""`cabanas sync` (also ``python -m entrypoints.sync``): Fly's ``sync`` machine, the process
that runs the worker loop (``entrypoints.worker``).

One such process at a time per database (a session advisory lock); its own /metrics on
``SYNC_METRICS_PORT``. ``--once`` runs every duty once and exits non-zero if any failed (for a
scheduled machine). SIGTERM/SIGINT stop it between steps, with or without ``--once``; being
stopped is not a failure: exit 0 unless a step that ran failed.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from adapters.postgres.process_lock import sync_process_lock
from adapters.prometheus.metrics import registry, start_known_series_at_zero
from entrypoints.cli.metrics_server import start_metrics_server
from entrypoints.container import make_container
from entrypoints.settings import Settings
from entrypoints.worker import run_forever, run_once

log = logging.getLogger("cabanas.sync")


async def main_async(settings: Settings, *, once: bool) -> int:
    start_known_series_at_zero()  # before the first scrape: alerts count the first event
    assert settings.database_url is not None
    async with sync_process_lock(settings.database_url):
        return await _serve(settings, once=once)


async def _serve(settings: Settings, *, once: bool) -> int:
    container = make_container(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        if once:
            return 0 if await run_once(container, settings, stop) else 1
        serve_metrics(settings)
        log.info(
            "sync_started",
            extra={
                "outbox_poll_seconds": settings.outbox_poll_seconds,
                "ical_sync_interval": settings.ical_sync_interval,
                "metrics_port": settings.sync_metrics_port,
            },
        )
        await run_forever(container, settings, stop)
        log.info("sync_stopped")
        return 0
    finally:
        await container.close()


def serve_metrics(settings: Settings) -> None:
    """This process's own /metrics (Fly scrapes the sync machine separately); HEAD answered as
    the web app's /metrics answers it."""
    if not settings.sync_metrics_port:
        return
    start_metrics_server(
        settings.sync_metrics_port,
        settings.metrics_host,
        registry(settings.prometheus_multiproc_dir),
    )
