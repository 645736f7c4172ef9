"""The worker loop: the background duties, each when due, with the same dishka container as
the API. It runs in the sync process (``cabanas sync``, ``entrypoints.cli.sync``) and, in
development, beside the HTTP app (``asgi.create(with_worker=True)`` hands ``running_beside`` to
the app's lifespan).

The duties:
- sync every enabled iCal feed (every ``ICAL_SYNC_INTERVAL``, one pass at a time across
  machines);
- send the outbox (every ``OUTBOX_POLL_SECONDS``);
- expire lapsed holds, re-process unfinished webhook deliveries, measure the outbox (every
  minute); purge idempotency keys older than 48 h and erase guest data past
  ``PII_RETENTION_DAYS`` (every hour);
- keep the owner's queue of money to give back in step with the ledgers of bookings without
  nights (every 10 minutes; the holds the expiry sweeps are brought in step at once);
- queue the scheduled messages (pre-arrival, balance and check-out reminders, thank-you, the
  owner's daily summary) when due (every minute; each once, keyed in the database), just
  before the outbox is sent;
- with ``BACKUP_EVERY_HOURS`` set, back the database up when the newest recorded backup is
  that old (checked every 10 minutes; docs/adr/0002-daily-backups-in-the-sync-process.md).

``run_once`` runs every duty once; ``run_forever`` each when due. Both stop between steps once
``stop`` is set: between duties and between feeds; the step in progress (one transaction)
finishes, never left half-applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from dishka import AsyncContainer

from application.calendar_sync.sync_feeds import SyncAllFeeds
from application.messaging.balance_reminders import RemindBalancesDue
from application.messaging.daily_summary import SendDailySummary
from application.messaging.dispatch_outbox import DispatchOutbox
from application.messaging.stay_messages import SendStayMessages
from application.operations.backups import BackUpWhenDue
from application.operations.maintenance import (
    AnonymizeOldGuests,
    ExpireLapsedHolds,
    MeasureOutbox,
    PurgeIdempotencyKeys,
    ReprocessDeliveries,
)
from application.payments.money_to_return import ReconcileMoneyToReturn
from entrypoints.settings import Settings

log = logging.getLogger("cabanas.sync")

MINUTE = 60.0
HOUR = 3600.0
BACKUP_CHECK_SECONDS = 10 * MINUTE
# Holds a booking expired on its way, bookings from before the queue: minutes late is soon
# enough (the holds the expiry sweeps are done at once).
MONEY_TO_RETURN_SECONDS = 10 * MINUTE


@dataclass(slots=True)
class Duty:
    name: str
    every_s: float
    run: Callable[[AsyncContainer], Awaitable[Any]]
    due_at: float = 0.0  # monotonic; 0 = at once
    failures: int = field(default=0)
    # Runs beside the others (a long calendar pass must not hold up messages and expiry).
    concurrent: bool = False


def _duty(kind: type[Any]) -> Callable[[AsyncContainer], Awaitable[Any]]:
    async def run(container: AsyncContainer) -> Any:
        async with container() as scope:
            use_case = await scope.get(kind)
            return await use_case()

    return run


def _calendars(stop: asyncio.Event | None) -> Callable[[AsyncContainer], Awaitable[Any]]:
    async def run(container: AsyncContainer) -> bool:
        async with container() as scope:
            sync_all = await scope.get(SyncAllFeeds)
            report = await sync_all(should_stop=lambda: stop is not None and stop.is_set())
        if report.locked_out:
            log.info("ical_sync_skipped", extra={"reason": "another pass holds the lock"})
        return report.failed == 0

    return run


def duties(settings: Settings, stop: asyncio.Event | None = None) -> list[Duty]:
    plan = [
        Duty("ical_sync", float(settings.ical_sync_interval), _calendars(stop), concurrent=True),
        # Before the outbox: what they queue goes out in the same pass.
        Duty("stay_messages", MINUTE, _duty(SendStayMessages)),
        Duty("balance_reminders", MINUTE, _duty(RemindBalancesDue)),
        Duty("daily_summary", MINUTE, _duty(SendDailySummary)),
        Duty("outbox", settings.outbox_poll_seconds, _duty(DispatchOutbox)),
        Duty("expire_holds", MINUTE, _duty(ExpireLapsedHolds)),
        Duty("money_to_return", MONEY_TO_RETURN_SECONDS, _duty(ReconcileMoneyToReturn)),
        Duty("reprocess_deliveries", MINUTE, _duty(ReprocessDeliveries)),
        Duty("measure_outbox", MINUTE, _duty(MeasureOutbox)),
        Duty("purge_idempotency_keys", HOUR, _duty(PurgeIdempotencyKeys)),
        Duty("anonymize_old_guests", HOUR, _duty(AnonymizeOldGuests)),
    ]
    if settings.backup_every_hours > 0:
        # Checks often, dumps only when the newest recorded backup is old enough (BackUpWhenDue);
        # beside the others, since a dump takes minutes.
        plan.append(Duty("backup", BACKUP_CHECK_SECONDS, _duty(BackUpWhenDue), concurrent=True))
    return plan


async def run_duty(duty: Duty, container: AsyncContainer) -> bool:
    started = time.perf_counter()
    try:
        result = await duty.run(container)
    except Exception:
        duty.failures += 1
        log.exception("duty_failed", extra={"duty": duty.name})
        return False
    if result is False:  # the duty ran but part of it failed (e.g. one feed)
        duty.failures += 1
        log.warning("duty_failed", extra={"duty": duty.name})
        return False
    if result:
        log.debug(
            "duty_done",
            extra={"duty": duty.name, "ms": round((time.perf_counter() - started) * 1000, 1)},
        )
    return True


async def run_once(
    container: AsyncContainer, settings: Settings, stop: asyncio.Event | None = None
) -> bool:
    """Every duty once, in order; False if any failed. Once ``stop`` is set no further duty
    starts and the calendar pass starts no further feed; the step in progress finishes. Being
    stopped is not a failure (the next run does the rest)."""
    ok = True
    plan = duties(settings, stop)
    for done, duty in enumerate(plan):
        if stop is not None and stop.is_set():
            log.info("sync_stopped", extra={"skipped": [d.name for d in plan[done:]]})
            break
        ok &= await run_duty(duty, container)
    return ok


async def run_forever(container: AsyncContainer, settings: Settings, stop: asyncio.Event) -> None:
    """Each duty when due (with a little jitter so several machines do not beat in step)."""
    plan = duties(settings, stop)
    running: dict[str, asyncio.Task[bool]] = {}
    try:
        while not stop.is_set():
            now = time.monotonic()
            for duty in plan:
                if stop.is_set():
                    break
                if duty.due_at > now or duty.name in running:
                    continue
                if duty.concurrent:
                    task = asyncio.create_task(run_duty(duty, container))
                    running[duty.name] = task
                    task.add_done_callback(partial(_forget, running, duty.name))
                else:
                    await run_duty(duty, container)
                duty.due_at = time.monotonic() + duty.every_s * random.uniform(0.9, 1.1)  # noqa: S311
            wait = max(0.05, min(d.due_at for d in plan) - time.monotonic())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=wait)
    finally:
        # A calendar pass checks `stop` between feeds: let it finish the feed it is on.
        await asyncio.gather(*running.values(), return_exceptions=True)


def _forget(running: dict[str, asyncio.Task[bool]], name: str, _: asyncio.Task[bool]) -> None:
    running.pop(name, None)


@contextlib.asynccontextmanager
async def running_beside(container: AsyncContainer, settings: Settings) -> AsyncIterator[None]:
    """The loop as a lifespan hook: started with the app, stopped (and waited for) with it."""
    stop = asyncio.Event()
    loop = asyncio.create_task(run_forever(container, settings, stop))
    try:
        yield
    finally:
        stop.set()
        await loop
