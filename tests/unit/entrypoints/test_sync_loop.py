"""The sync loop: a long calendar pass runs beside the other duties, never in front of them,
and is let finish on shutdown."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from entrypoints import sync
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
        sync.Duty("calendars", 60, slow, concurrent=True),
        sync.Duty("outbox", 0.05, fast),
    ]
    monkeypatch.setattr(sync, "duties", lambda settings, stop=None: plan)
    stop = asyncio.Event()
    loop = asyncio.create_task(sync.run_forever(None, Settings(), stop))  # type: ignore[arg-type]
    await asyncio.sleep(0.4)
    assert not slow_done.is_set()
    assert len(fast_runs) >= 3  # the outbox kept going while the calendar pass ran
    stop.set()
    await asyncio.wait_for(loop, 2)
    assert slow_done.is_set()  # shutdown waited for the pass in progress
