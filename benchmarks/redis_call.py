"""CPU per rate-limit call: our RESP pipe (adapters/redis/resp.py) against redis-py, with its
pure-Python parser and with hiredis, on one embedded Redis, one call at a time.

Each round runs every client for N calls (``time.process_time``: waiting on Redis is not
counted), and the rounds interleave the clients so that drift on a shared machine hits them
alike. hiredis is not a dependency: install it into the venv to include it
(``.tools/bin/uv pip install --python .venv/bin/python hiredis``; ``make install`` removes it).

    .venv/bin/python -m benchmarks.redis_call      (N=5000 calls, ROUNDS=5)
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import uvloop
from redis.asyncio import Redis
from redis.asyncio.connection import _AsyncRESP2Parser

from adapters.redis.resp import RespPipe
from entrypoints.embedded import EmbeddedRedis

# A two-command script (INCRBY + EXPIRE) of the size a rate-limit call has: what is measured is
# the client's cost per EVALSHA round trip, not the limiter's own logic.
_PUSH = """
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return count
"""

Call = Callable[[int], Awaitable[object]]


async def clients(url: str) -> dict[str, tuple[Call, Callable[[], Awaitable[None]]]]:
    pipe = RespPipe(url)
    plain = Redis.from_url(url, parser_class=_AsyncRESP2Parser)
    found: dict[str, tuple[Call, Callable[[], Awaitable[None]]]] = {
        "resp.py": (lambda i: pipe.eval_script(_PUSH, [f"k{i % 100}"], [1, 61]), pipe.aclose),
    }
    plain_script = plain.register_script(_PUSH)
    found["redis-py"] = (lambda i: plain_script(keys=[f"k{i % 100}"], args=[1, 61]), plain.aclose)
    try:
        from redis.asyncio.connection import _AsyncHiredisParser

        fast = Redis.from_url(url, parser_class=_AsyncHiredisParser)
        fast_script = fast.register_script(_PUSH)
        await fast.ping()  # the parser refuses to start without hiredis installed
        found["redis-py+hiredis"] = (
            lambda i: fast_script(keys=[f"k{i % 100}"], args=[1, 61]),
            fast.aclose,
        )
    except Exception as exc:
        print(f"redis-py+hiredis skipped: {type(exc).__name__}: {exc}")
    return found


async def measure(url: str, n: int, rounds: int) -> dict[str, list[float]]:
    found = await clients(url)
    for call, _ in found.values():  # connect, load the script
        for i in range(200):
            await call(i)
    results: dict[str, list[float]] = {name: [] for name in found}
    for _ in range(rounds):
        for name, (call, _) in found.items():
            started = time.process_time()
            for i in range(n):
                await call(i)
            results[name].append((time.process_time() - started) / n * 1e6)
    for _, close in found.values():
        await close()
    return results


def main() -> None:
    n = int(os.environ.get("N", "5000"))
    rounds = int(os.environ.get("ROUNDS", "5"))
    with tempfile.TemporaryDirectory() as tmp:
        redis = EmbeddedRedis(Path(tmp), persistent=False).start()
        try:
            results = uvloop.run(measure(redis.url(), n, rounds))
        finally:
            redis.stop()
    print(f"| client | CPU µs per call, {rounds} rounds of {n} | median |")
    print("|---|---|---|")
    for name, values in results.items():
        each = ", ".join(f"{v:.0f}" for v in values)
        print(f"| {name} | {each} | {statistics.median(values):.0f} |")


if __name__ == "__main__":
    asyncio.set_event_loop_policy(None)
    main()
