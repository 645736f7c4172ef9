"""The sync loop: a long calendar pass runs beside the other duties, never in front of them,
and is let finish on shutdown; `--once` (run_once) stops on request too."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest

from application.calendar_sync.sync_feeds import FeedResult, SyncAllFeeds
from entrypoints import worker
from entrypoints.settings import Settings


async def test_a_long_concurrent_duty_does_not_hold_up_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast_runs: list[float] = []
    slow_done = asyncio.Event()

    async def slow(_: Any) -> bool:
        await asyncio.sleep(0.6)
        slow_done.set()
        return True

    async def fast(_: Any) -> bool:
        fast_runs.append(asyncio.get_running_loop().time())
        return True

    plan = [
        worker.Duty("calendars", 60, slow, concurrent=True),
        worker.Duty("outbox", 0.05, fast),
    ]
    monkeypatch.setattr(worker, "duties", lambda settings, stop=None: plan)
    stop = asyncio.Event()
    loop = asyncio.create_task(worker.run_forever(None, Settings(), stop))  # type: ignore[arg-type]
    await asyncio.sleep(0.4)
    assert not slow_done.is_set()
    assert len(fast_runs) >= 3  # the outbox kept going while the calendar pass ran
    stop.set()
    await asyncio.wait_for(loop, 2)
    assert slow_done.is_set()  # shutdown waited for the pass in progress


class _Feeds:
    """What SyncAllFeeds needs of a unit of work and a lock: two enabled feeds, lock granted."""

    def __init__(self) -> None:
        async def list_feeds(*, only_enabled: bool) -> list[Any]:
            return [SimpleNamespace(id=1), SimpleNamespace(id=2)]

        self.feeds = SimpleNamespace(list_feeds=list_feeds)

    @contextlib.asynccontextmanager
    async def __call__(self) -> AsyncIterator[_Feeds]:  # Transactions: a unit of work
        yield self

    @contextlib.asynccontextmanager
    async def hold(self) -> AsyncIterator[bool]:
        yield True


class _Container:
    """Stands in for the dishka container: the real calendar pass over fake feeds (SIGTERM
    arrives while feed 1 is fetched); every other duty only records that it ran."""

    def __init__(self, stop: asyncio.Event) -> None:
        self.fetched: list[int] = []
        self.ran: list[str] = []

        async def sync_feed(feed_id: int) -> FeedResult:
            self.fetched.append(feed_id)
            stop.set()  # the signal handler's work, mid-feed
            await asyncio.sleep(0)
            return FeedResult(feed_id, "updated")

        self.sync_all = SyncAllFeeds(_Feeds(), _Feeds(), sync_feed)  # type: ignore[arg-type]

    @contextlib.asynccontextmanager
    async def __call__(self) -> AsyncIterator[_Container]:
        yield self

    async def get(self, kind: type[Any]) -> Any:
        if kind is SyncAllFeeds:
            return self.sync_all

        async def record() -> bool:
            self.ran.append(kind.__name__)
            return True

        return record


async def test_run_once_stops_between_feeds_and_duties_when_asked() -> None:
    stop = asyncio.Event()
    container = _Container(stop)
    ok = await worker.run_once(container, Settings(), stop)  # type: ignore[arg-type]
    assert container.fetched == [1]  # feed 1 finished; feed 2 never fetched
    assert container.ran == []  # no duty after the calendar pass
    assert ok is True  # a requested stop is not a failure


async def test_run_once_without_a_stop_runs_everything() -> None:
    container = _Container(asyncio.Event())  # sets an event run_once never sees
    assert await worker.run_once(container, Settings()) is True  # type: ignore[arg-type]
    assert container.fetched == [1, 2]
    assert container.ran == [
        "SendStayMessages",  # the scheduled messages, queued before the outbox is sent
        "RemindBalancesDue",
        "SendDailySummary",
        "DispatchOutbox",
        "ExpireLapsedHolds",
        "ReconcileMoneyToReturn",
        "ReprocessDeliveries",
        "MeasureOutbox",
        "PurgeIdempotencyKeys",
        "AnonymizeOldGuests",
    ]
