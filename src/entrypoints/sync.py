"""The sync process (``python -m entrypoints.sync`` / ``cabanas sync``): Fly's ``sync`` machine.

It runs the background duties with the same dishka container as the API:
- send the outbox (every ``OUTBOX_POLL_SECONDS``);
- expire lapsed holds, re-process unfinished webhook deliveries, measure the outbox (every
  minute); purge idempotency keys older than 48 h (every hour).

``--once`` runs every duty once and exits non-zero if any failed (for a scheduled machine).
SIGTERM/SIGINT stop it between steps: a step is one transaction, never left half-applied.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import random
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from dishka import AsyncContainer

from application.maintenance import (
    ExpireLapsedHolds,
    MeasureOutbox,
    PurgeIdempotencyKeys,
    ReprocessDeliveries,
)
from application.outbox import DispatchOutbox
from entrypoints.settings import Settings

log = logging.getLogger("cabanas.sync")

MINUTE = 60.0
HOUR = 3600.0


@dataclass(slots=True)
class Duty:
    name: str
    every_s: float
    run: Callable[[AsyncContainer], Awaitable[Any]]
    due_at: float = 0.0  # monotonic; 0 = at once
    failures: int = field(default=0)


def _duty(kind: type[Any]) -> Callable[[AsyncContainer], Awaitable[Any]]:
    async def run(container: AsyncContainer) -> Any:
        async with container() as scope:
            use_case = await scope.get(kind)
            return await use_case()

    return run


def duties(settings: Settings) -> list[Duty]:
    return [
        Duty("outbox", settings.outbox_poll_seconds, _duty(DispatchOutbox)),
        Duty("expire_holds", MINUTE, _duty(ExpireLapsedHolds)),
        Duty("reprocess_deliveries", MINUTE, _duty(ReprocessDeliveries)),
        Duty("measure_outbox", MINUTE, _duty(MeasureOutbox)),
        Duty("purge_idempotency_keys", HOUR, _duty(PurgeIdempotencyKeys)),
    ]


async def run_duty(duty: Duty, container: AsyncContainer) -> bool:
    started = time.perf_counter()
    try:
        result = await duty.run(container)
    except Exception:
        duty.failures += 1
        log.exception("duty_failed", extra={"duty": duty.name})
        return False
    if result:
        log.debug(
            "duty_done",
            extra={"duty": duty.name, "ms": round((time.perf_counter() - started) * 1000, 1)},
        )
    return True


async def run_once(container: AsyncContainer, settings: Settings) -> bool:
    ok = True
    for duty in duties(settings):
        ok &= await run_duty(duty, container)
    return ok


async def run_forever(container: AsyncContainer, settings: Settings, stop: asyncio.Event) -> None:
    """Each duty when due (with a little jitter so several machines do not beat in step)."""
    plan = duties(settings)
    while not stop.is_set():
        now = time.monotonic()
        for duty in plan:
            if stop.is_set():
                return
            if duty.due_at <= now:
                await run_duty(duty, container)
                duty.due_at = time.monotonic() + duty.every_s * random.uniform(0.9, 1.1)  # noqa: S311
        wait = max(0.05, min(d.due_at for d in plan) - time.monotonic())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=wait)


async def main_async(settings: Settings, *, once: bool) -> int:
    from entrypoints.container import make_container

    container = make_container(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        if once:
            return 0 if await run_once(container, settings) else 1
        log.info("sync_started", extra={"outbox_poll_seconds": settings.outbox_poll_seconds})
        await run_forever(container, settings, stop)
        log.info("sync_stopped")
        return 0
    finally:
        await container.close()


def main(argv: list[str] | None = None) -> int:
    from entrypoints.cli import main as cli_main

    parser = argparse.ArgumentParser(prog="python -m entrypoints.sync")
    parser.add_argument("--once", action="store_true", help="one pass, exit 1 if any duty failed")
    args = parser.parse_args(argv)
    return cli_main(["sync", *(["--once"] if args.once else [])])


if __name__ == "__main__":
    raise SystemExit(main())
