"""The owner's console under load, on the bench data (50 cabins, ~50,000 reservations): Hoy and
the 60-day calendar, signed in (the session is resolved on every request, as in use), at
BENCH_CONNECTIONS (16) connections through wrk against the production server line. Target:
p95 under 50 ms. Also prints the plan of the calendar's one query for its rows, and each
page's CPU per request in one process (no server, no load generator: the figure that moves
least between runs) with its size as a browser receives it (``Accept-Encoding: gzip, br``) and
uncompressed.

    .venv/bin/python -m benchmarks.console         (also part of `make bench`)
    .venv/bin/python -m benchmarks.console --cpu   (only the in-process CPU and bytes)

``CONSOLE_LIVE_HOLDS=20000``: that many more live holds on the seeded data, as a full `make
bench` leaves them when it reaches the console (15,000–25,000).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from application.accounts.invitations import AcceptInvitation, InviteUser
from application.accounts.sessions import SignIn
from domain.accounts import Role
from entrypoints.container import make_container
from entrypoints.embedded import EmbeddedPostgres, EmbeddedRedis
from entrypoints.migrate import upgrade
from entrypoints.settings import Settings

OWNER = "bench@cabanas.local"
PASSWORD = "una frase larga para medir el panel"  # pragma: allowlist secret
TARGET_P95_MS = 50
DAYS = 60


def scenarios(today: dt.date) -> list[tuple[str, str]]:
    start = today.replace(day=1)
    return [
        ("GET /panel/ (Hoy)", "/panel/"),
        (f"GET /panel/calendario ({DAYS} days)", f"/panel/calendario?desde={start}&dias={DAYS}"),
    ]


def session_cookie(database_url: str, redis_url: str) -> str:
    """An owner signed in through the console's own use cases: its session token."""

    async def run() -> str:
        settings = Settings(
            database_url=database_url, redis_url=redis_url, admin_allowed_emails=[OWNER]
        )
        container = make_container(settings)
        try:
            async with container() as request:
                token = await (await request.get(InviteUser))(OWNER, Role.OWNER, "bench")
            async with container() as request:
                await (await request.get(AcceptInvitation))(token, PASSWORD)
            async with container() as request:
                signed = await (await request.get(SignIn))(OWNER, PASSWORD, "127.0.0.1")
            return signed.token
        finally:
            await container.close()

    return asyncio.run(run())


def calendar_plan(pg: EmbeddedPostgres, database: str, today: dt.date) -> str:
    """EXPLAIN ANALYZE of the calendar's two statements (adapters/postgres/back_office.py:
    ITEMS_BETWEEN for every row holding a night, COLLISIONS_BETWEEN) for the scenario's
    window."""
    start = today.replace(day=1)
    end = start + dt.timedelta(days=DAYS)
    explain = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON) "
    items = (
        "SELECT code, accommodation_id, check_in, check_out, kind, channel, status, guest_name, "
        "guests, expires_at, total_cents, deposit_cents, block_reason FROM reservations "
        "WHERE status IN ('pre_reserved', 'confirmed') "
        "AND (status <> 'pre_reserved' OR expires_at > now()) "
        f"AND stay && daterange('{start}', '{end}', '[)') ORDER BY accommodation_id, check_in"
    )
    collisions = (
        "SELECT c.accommodation_id, c.check_in, c.check_out, f.source, c.other_code, "
        "c.detected_at FROM ical_conflicts c JOIN ical_feeds f ON f.id = c.feed_id "
        f"WHERE c.check_in < '{end}' AND c.check_out > '{start}' "
        "ORDER BY c.accommodation_id, c.check_in"
    )
    return "\n".join(pg.psql(explain + sql, database) for sql in (items, collisions))


def measure(pg: EmbeddedPostgres, redis: EmbeddedRedis, database: str) -> dict[str, Any]:
    """``database``: one already seeded with the bench data (benchmarks/seed.py)."""
    from benchmarks.run import APPS, CONNECTIONS, SECONDS, server, wrk

    today = dt.datetime.now(ZoneInfo("America/Argentina/Buenos_Aires")).date()
    url = pg.url(database)
    cookie = session_cookie(url, redis.url())
    results: dict[str, Any] = {"scenarios": {}, "target_p95_ms": TARGET_P95_MS}
    # The server's environment (benchmarks.run.server passes ours on): the owner stays allowed.
    os.environ["ADMIN_ALLOWED_EMAILS"] = OWNER
    os.environ["BENCH_COOKIE"] = f"cabanas_sesion={cookie}"
    with server(APPS["ours"], url, redis.url()) as port:
        for label, path in scenarios(today):
            wrk(port, path, "console.lua", 2, CONNECTIONS)  # warm-up
            run = wrk(port, path, "console.lua", SECONDS, CONNECTIONS)
            results["scenarios"][label] = run
            print(
                f"[bench {time.strftime('%H:%M:%S')}] console {label:32} {run['rps']:8.1f} req/s  "
                f"p50 {run['p50_ms']:6.2f}  p95 {run['p95_ms']:6.2f}  p99 {run['p99_ms']:7.2f} ms  "
                f"non-2xx {run['client_errors'] + run['server_errors']}",
                flush=True,
            )
    results["calendar_plan"] = calendar_plan(pg, database, today)
    return results


CPU_REQUESTS = int(os.environ.get("N", "300"))
LIVE_HOLDS = int(os.environ.get("CONSOLE_LIVE_HOLDS", "0"))
BROWSER = ((b"accept-encoding", b"gzip, deflate, br"),)


def page_costs(database_url: str, redis_url: str, metrics_dir: str) -> dict[str, Any]:
    """Per page: CPU ms per request in this process (``CPU_REQUESTS`` after 50 to warm up), as
    a browser asks (compression included) and uncompressed, and the bytes sent either way."""
    import importlib

    import uvloop

    from benchmarks.inprocess import ASGI, call_for_body
    from benchmarks.run import APPS, app_env

    os.environ.update(app_env(database_url, redis_url, metrics_dir))
    today = dt.datetime.now(ZoneInfo("America/Argentina/Buenos_Aires")).date()

    async def run() -> dict[str, Any]:
        module, factory = APPS["ours"].split(":")
        app: ASGI = getattr(importlib.import_module(module), factory)()
        state: dict[str, Any] = {}
        inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        await inbox.put({"type": "lifespan.startup"})
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": state}
        lifespan = asyncio.create_task(app(scope, inbox.get, outbox.put))
        await outbox.get()
        costs: dict[str, Any] = {}
        for label, target in scenarios(today):
            path, _, query = target.partition("?")
            req = ("GET", path, query.encode(), b"")
            status, plain = await call_for_body(app, state, req)
            if status != 200:
                raise SystemExit(f"{label}: status {status}")
            for _ in range(50):
                await call_for_body(app, state, req, BROWSER)
            # Alternated, so both see the same machine: as a browser asks, and uncompressed.
            cpu, cpu_plain = 0.0, 0.0
            for _ in range(CPU_REQUESTS):
                t = time.process_time()
                _, sent = await call_for_body(app, state, req, BROWSER)
                cpu += time.process_time() - t
                t = time.process_time()
                await call_for_body(app, state, req)
                cpu_plain += time.process_time() - t
            costs[label] = {
                "cpu_ms": 1000 * cpu / CPU_REQUESTS,
                "cpu_ms_uncompressed": 1000 * cpu_plain / CPU_REQUESTS,
                "bytes": len(plain),
                "bytes_sent": len(sent),
            }
            print(
                f"[bench {time.strftime('%H:%M:%S')}] console {label:32} "
                f"{costs[label]['cpu_ms']:6.2f} ms CPU per request, {len(sent):,} bytes sent "
                f"({costs[label]['cpu_ms_uncompressed']:.2f} ms, {len(plain):,} bytes "
                "uncompressed)",
                flush=True,
            )
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await lifespan
        return costs

    return uvloop.run(run())


def report(results: dict[str, Any]) -> list[str]:
    lines = [
        "| Console, signed in | req/s | p50 / p95 / p99 ms | non-2xx | p95 target |",
        "|---|---|---|---|---|",
    ]
    for label, r in results["scenarios"].items():
        bad = r["client_errors"] + r["server_errors"] + r["socket_errors"]
        ok = "✅" if r["p95_ms"] < TARGET_P95_MS and bad == 0 else "❌"
        lines.append(
            f"| {label} | {r['rps']:.0f} | {r['p50_ms']:.1f} / {r['p95_ms']:.1f} / "
            f"{r['p99_ms']:.1f} | {bad} | < {TARGET_P95_MS} ms: {ok} |"
        )
    if results.get("costs"):
        lines += [
            "",
            "| Console page, in one process | CPU ms per request: as a browser asks "
            "/ uncompressed | bytes sent (gzip) | bytes uncompressed |",
            "|---|---|---|---|",
        ]
        for label, c in results["costs"].items():
            lines.append(
                f"| {label} | {c['cpu_ms']:.2f} / {c['cpu_ms_uncompressed']:.2f} "
                f"| {c['bytes_sent']:,} | {c['bytes']:,} |"
            )
    return lines


def main() -> int:
    from benchmarks.seed import SEED_SQL, live_holds_sql

    cpu_only = "--cpu" in sys.argv[1:]
    with tempfile.TemporaryDirectory(prefix="cabanas-bench-console-") as tmp:
        pg = EmbeddedPostgres(Path(tmp) / "pg").start()
        redis = EmbeddedRedis(Path(tmp) / "redis", persistent=False).start()
        try:
            pg.create_database("bench_console")
            upgrade(pg.url("bench_console"))
            for sql in SEED_SQL:
                pg.psql(sql, "bench_console")
            if LIVE_HOLDS:
                pg.psql(live_holds_sql(LIVE_HOLDS), "bench_console")
                pg.psql("ANALYZE reservations", "bench_console")
            url = pg.url("bench_console")
            results: dict[str, Any] = {"scenarios": {}}
            if not cpu_only:
                results = measure(pg, redis, "bench_console")
            if cpu_only:  # measure() signed the owner in already
                cookie = session_cookie(url, redis.url())
                os.environ["ADMIN_ALLOWED_EMAILS"] = OWNER
                os.environ["BENCH_COOKIE"] = f"cabanas_sesion={cookie}"
            metrics_dir = tempfile.mkdtemp(dir=tmp)
            results["costs"] = page_costs(url, redis.url(), metrics_dir)
        finally:
            redis.stop()
            pg.stop()
    print("\n" + "\n".join(report(results)) + "\n")
    if "calendar_plan" in results:
        print(results["calendar_plan"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
