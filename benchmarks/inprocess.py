"""CPU per request with no HTTP server and no load generator: the ASGI app driven in this
process, one request at a time, against the bench data.

Under wrk the load generator, PostgreSQL and both workers share the cores, and runs drift by
±20 %. This measures only the app's own CPU (``time.process_time``: waiting on PostgreSQL or
Redis is not counted), which moves far less between runs, so a change to the hot path can be
judged in a minute. ``PROFILE=1`` adds a cProfile listing (its overhead inflates small calls).

    .venv/bin/python -m benchmarks.inprocess availability [ours|reference]
    (kinds: healthz, accommodations, availability, booking, spread — bookings over random
    cabins and nights, as wrk's —, conflict — the hot spot's 409s —, lookup, and the console
    signed in: hoy, calendario — its 60-day view; N requests, default 3000; BENCH_SIZE=200x50000 for
    the data at another size)
"""

from __future__ import annotations

import asyncio
import cProfile
import datetime as dt
import hashlib
import importlib
import os
import pstats
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import uvloop

from benchmarks.loadgen import booking, free_night, guest_address
from benchmarks.run import APPS, app_env, prepare_database
from benchmarks.seed import DEFAULT, parse_scale
from entrypoints.embedded import EmbeddedPostgres, EmbeddedRedis

Request = tuple[str, str, bytes, bytes]  # method, path, query string, body
ASGI = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


# BENCH_SIZE=200x50000: the data at another size (benchmarks/seed.py), as `make bench-scale`.
SIZE = parse_scale(os.environ.get("BENCH_SIZE", DEFAULT.label))[0]
# CONCURRENCY=8: requests from that many callers at once (one at a time by default).
CONCURRENCY = int(os.environ.get("CONCURRENCY", "1"))


def request_for(kind: str, i: int, today: dt.date) -> Request:
    if kind == "availability":
        start = today + dt.timedelta(days=random.randint(5, 500))
        end = start + dt.timedelta(days=random.randint(2, 4))
        return (
            "GET",
            "/api/v1/availability",
            f"check_in={start}&check_out={end}&guests=2".encode(),
            b"",
        )
    if kind == "lookup":
        # A seeded booking's code (benchmarks/seed.py: the future stays' codes).
        seed = f"future:{1 + i % SIZE.cabins}:{i // SIZE.cabins % 60}".encode()
        code = hashlib.md5(seed, usedforsecurity=False).hexdigest()[:12].upper()
        return "GET", f"/api/v1/reservations/{code}", b"", b""
    if kind == "booking":
        # One night each, on the nights the seed leaves free (as the other scenarios do).
        night = today + dt.timedelta(days=free_night(i))
        return "POST", "/api/v1/reservations", b"", booking(1 + i // 420 % SIZE.cabins, night, 1, i)
    if kind == "spread":
        # As wrk's reserve.lua books: a random cabin of the 49 and a random night that starts
        # free, a guest of its own (per request number); some find the night already taken (409).
        night = today + dt.timedelta(days=free_night(random.randrange(420)))
        cabin = random.randint(1, max(1, SIZE.cabins - 1))
        return (
            "POST",
            "/api/v1/reservations",
            b"",
            booking(cabin, night, 1, i),
        )
    if kind == "conflict":
        # Everyone after the first asks for the same taken night: the hot spot's losers (409).
        night = today + dt.timedelta(days=free_night(0))
        return "POST", "/api/v1/reservations", b"", booking(SIZE.cabins, night, 1, i)
    if kind == "hoy":
        return "GET", "/panel/", b"", b""
    if kind == "calendario":
        return "GET", "/panel/calendario/", f"desde={today.replace(day=1)}&dias=60".encode(), b""
    return "GET", f"/api/v1/{kind}", b"", b""


async def call(app: ASGI, state: dict[str, Any], req: Request) -> int:
    return (await call_for_body(app, state, req))[0]


async def call_for_body(
    app: ASGI,
    state: dict[str, Any],
    req: Request,
    headers: tuple[tuple[bytes, bytes], ...] = (),
) -> tuple[int, bytes]:
    """The status and the body as sent (compressed when ``headers`` accept it)."""
    method, path, query, body = req
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            # A guest address of its own per request, as the load generators send behind Fly.
            (b"fly-client-ip", guest_address().encode()),
            *(
                [(b"cookie", os.environ["BENCH_COOKIE"].encode())]
                if path.startswith("/panel")
                else []
            ),
            *headers,
        ],
        "client": ("127.0.0.1", 5555),
        "server": ("127.0.0.1", 8000),
        "state": dict(state),
    }
    sent = False
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client never disconnects
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    await app(scope, receive, send)
    sent_body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return int(messages[0]["status"]), sent_body


_TICK = os.sysconf("SC_CLK_TCK")


def servers_cpu(pids: tuple[int, ...]) -> float:
    """CPU seconds used so far by these processes and their children (PostgreSQL's backends
    are children of its postmaster)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # gone meanwhile
        pid = int(stat.parent.name)
        if pid in pids or int(fields[1]) in pids:  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime
    return total


async def drive(
    app_name: str,
    kind: str,
    n: int,
    today: dt.date,
    offset: int = 0,
    servers: tuple[int, ...] = (),
) -> float:
    """CPU ms per request over ``n`` requests (after 200 to warm up); ``offset`` moves the
    requests' numbering (a later booking run then asks for other nights)."""
    module, factory = APPS[app_name].split(":")
    app: ASGI = getattr(importlib.import_module(module), factory)()
    state: dict[str, Any] = {}
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    lifespan = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": state}, inbox.get, outbox.put)
    )
    started = await outbox.get()
    if started["type"] != "lifespan.startup.complete":
        raise SystemExit(f"startup failed: {started}")
    for i in range(200):  # warm-up: pools, caches, prepared statements
        await call(app, state, request_for(kind, offset + i, today))
    requests = [request_for(kind, offset + 200 + i, today) for i in range(n)]
    statuses: Counter[int] = Counter()
    profile = cProfile.Profile(time.process_time) if os.environ.get("PROFILE") else None
    server_cpu = servers_cpu(servers)
    cpu = time.process_time()
    if profile:
        profile.enable()
    if CONCURRENCY == 1:
        for req in requests:
            statuses[await call(app, state, req)] += 1
    else:  # CONCURRENCY=8: that many callers at once, as wrk's connections on one worker

        async def caller(share: list[Request]) -> None:
            for req in share:
                statuses[await call(app, state, req)] += 1

        await asyncio.gather(*(caller(requests[k::CONCURRENCY]) for k in range(CONCURRENCY)))
    if profile:
        profile.disable()
    cpu = time.process_time() - cpu
    server_cpu = servers_cpu(servers) - server_cpu
    print(
        f"{kind} ({app_name}): {1000 * cpu / n:.3f} ms CPU per request over {n} "
        f"(statuses {dict(statuses)}); PostgreSQL and Redis: {1000 * server_cpu / n:.3f} ms",
    )
    if profile:
        order = os.environ.get("PROFILE_SORT", "tottime")  # or cumulative
        stats = pstats.Stats(profile, stream=sys.stdout).sort_stats(order)
        if os.environ.get("PROFILE_OUT"):  # PROFILE_OUT=file: the raw stats, for pstats/snakeviz
            stats.dump_stats(os.environ["PROFILE_OUT"])
        stats.print_stats(30)
        if os.environ.get("CALLERS"):  # CALLERS=name: who calls the functions matching it
            stats.print_callers(os.environ["CALLERS"])
    await inbox.put({"type": "lifespan.shutdown"})
    await outbox.get()
    await lifespan
    return 1000 * cpu / n


def main() -> int:
    kind = sys.argv[1] if len(sys.argv) > 1 else "availability"
    app_name = sys.argv[2] if len(sys.argv) > 2 else "ours"
    n = int(os.environ.get("N", "3000"))
    today = dt.date.today()
    with tempfile.TemporaryDirectory(prefix="cabanas-inprocess-") as tmp:
        pg = EmbeddedPostgres(Path(tmp) / "pg", ephemeral=True).start()
        redis = EmbeddedRedis(Path(tmp) / "redis", persistent=False).start()
        try:
            prepare_database(pg, SIZE)
            metrics_dir = tempfile.mkdtemp(dir=tmp)
            os.environ.update(app_env(pg.url(f"bench_{app_name}"), redis.url(), metrics_dir))
            if kind in ("hoy", "calendario"):
                from benchmarks.console import OWNER, session_cookie

                cookie = session_cookie(pg.url(f"bench_{app_name}"), redis.url())
                os.environ["ADMIN_ALLOWED_EMAILS"] = OWNER
                os.environ["BENCH_COOKIE"] = f"cabanas_sesion={cookie}"
            # The app logs to stderr (one access line per request): send it to a file, as
            # `make bench` does; the results go to stdout.
            with open(Path(tmp) / "app.log", "w") as log_file:
                os.dup2(log_file.fileno(), 2)
                postmaster = int((pg.data_dir / "postmaster.pid").read_text().split()[0])
                servers = tuple(p for p in (postmaster, redis.pid) if p is not None)
                uvloop.run(drive(app_name, kind, n, today, servers=servers))
        finally:
            redis.stop()
            pg.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
