"""Two app processes, one PostgreSQL: does booking throughput add up, and does correctness hold?

The service is stateless behind Fly's proxy, with PostgreSQL as the only judge of a night. This
starts our app as one process and then as two processes (one worker each, as two machines would
run) against one database, drives the closed booking loop at every process at once, and reports:
- bookings per second, alone and together, and the CPU each side spent per booking (app
  processes, PostgreSQL's processes, measured from /proc): on a shared 2-core box the sum is
  bounded by the cores, and the CPU split says which side would need the next core;
- the same two processes with the read-replica path on (``DATABASE_READ_URL`` pointing at the
  same server: the catalogue and other reads go through the replica engine, bookings never do);
- the hot spot across both processes: 50 clients, half at each, booking the same stay, rounds
  with exactly one winner;
- no night sold twice (tests/e2e/test_concurrency.py's overlap query) after everything;
- connections PostgreSQL saw at the peak, and Redis commands per booking;
- inserts per second through the exclusion constraint alone (asyncpg, no app), for the plain
  insert and for the service's whole hold statement, at 1, 4, 16 and 64 connections.

    .venv/bin/python -m benchmarks.two_apps     (TWO_APPS_SECONDS=10, BENCH_CONNECTIONS=16 per process)
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import redis

from adapters.postgres.repositories import PLACE_HOLD_RAW
from benchmarks.loadgen import Conn, booking, free_night, percentile
from benchmarks.run import (
    APPS,
    CONNECTIONS,
    RESULTS,
    ROOT,
    SERVER_PIDS,
    ensure_wrk,
    log,
    machine,
    prepare_database,
    server,
    wrk,
)
from benchmarks.seed import DEFAULT
from entrypoints.embedded import EmbeddedPostgres, EmbeddedRedis

SECONDS = int(os.environ.get("TWO_APPS_SECONDS", "10"))
INSERT_SECONDS = float(os.environ.get("INSERT_SECONDS", "5"))
HOT_ROUNDS = int(os.environ.get("HOT_SPOT_ROUNDS", "20"))
OVERLAPS = (
    "SELECT count(*) FROM reservations a JOIN reservations b"
    " ON a.accommodation_id = b.accommodation_id AND a.id < b.id AND a.stay && b.stay"
    " WHERE a.status IN ('pre_reserved', 'confirmed') AND b.status IN ('pre_reserved', 'confirmed')"
)
CLK_TCK = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU of a process and all its descendants alive now (from /proc)."""
    children: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            pid = int(entry.name)
            children.setdefault(int(fields[1]), []).append(pid)
            cpu[pid] = (int(fields[11]) + int(fields[12])) / CLK_TCK
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += cpu.get(pid, 0.0)
        todo += children.get(pid, [])
    return total


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine (/proc/stat): everyone's load counts."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


class PeakConnections:
    """Samples pg_stat_activity's client backends every half second while the block runs."""

    def __init__(self, pg: EmbeddedPostgres) -> None:
        self.pg, self.peak, self._stop = pg, 0, threading.Event()

    def __enter__(self) -> PeakConnections:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            with contextlib.suppress(Exception):
                found = self.pg.psql(
                    "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                )
                self.peak = max(self.peak, int(found) - 1)  # not this probe's own session

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def fresh_copy(pg: EmbeddedPostgres, name: str) -> str:
    pg.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg.create_database(name, template="bench_template")
    return pg.url(name)


def drive(
    pg: EmbeddedPostgres, rds: EmbeddedRedis, url: str, processes: int, env: dict[str, str]
) -> dict[str, Any]:
    """``processes`` app servers (1 worker each) on ``url``; the booking loop at each at once."""
    client = redis.Redis.from_url(rds.url())
    with contextlib.ExitStack() as stack:
        ports = [
            stack.enter_context(server(APPS["ours"], url, rds.url(), workers=1, env_extra=env))
            for _ in range(processes)
        ]
        for i, port in enumerate(ports):  # warm-up
            wrk(port, "/", "reserve.lua", 1, CONNECTIONS, {"BENCH_SEED": str(10 + i)})
        commands = int(client.info("stats")["total_commands_processed"])
        app_cpu = sum(tree_cpu_seconds(SERVER_PIDS[p]) for p in ports)
        pg_cpu = tree_cpu_seconds(pg._proc.pid) if pg._proc else 0.0
        busy, total = machine_cpu()
        started = time.monotonic()
        with PeakConnections(pg) as peak, ThreadPoolExecutor(len(ports)) as pool:
            runs = list(
                pool.map(
                    lambda ip: wrk(
                        ip[1], "/", "reserve.lua", SECONDS, CONNECTIONS, {"BENCH_SEED": str(ip[0])}
                    ),
                    enumerate(ports),
                )
            )
        elapsed = time.monotonic() - started
        busy, total = (b - a for a, b in zip((busy, total), machine_cpu(), strict=True))
        app_cpu = sum(tree_cpu_seconds(SERVER_PIDS[p]) for p in ports) - app_cpu
        pg_cpu = (tree_cpu_seconds(pg._proc.pid) if pg._proc else 0.0) - pg_cpu
        commands = int(client.info("stats")["total_commands_processed"]) - commands
    client.close()
    requests = sum(r["requests"] for r in runs)
    return {
        "processes": processes,
        "rps_each": [r["rps"] for r in runs],
        "rps_total": round(sum(r["rps"] for r in runs), 1),
        "p99_ms_worst": max(r["p99_ms"] for r in runs),
        "created": sum(r["created"] for r in runs),
        "conflict": sum(r["conflict"] for r in runs),
        "client_errors": sum(r["client_errors"] for r in runs),
        "server_errors": sum(r["server_errors"] for r in runs),
        "app_cpu_ms_per_request": round(1000 * app_cpu / max(requests, 1), 3),
        "pg_cpu_ms_per_request": round(1000 * pg_cpu / max(requests, 1), 3),
        "app_and_pg_share_of_the_cores": round((app_cpu + pg_cpu) / elapsed / CORES, 3),
        "machine_busy": round(busy / max(total, 1), 3),
        "peak_connections": peak.peak,
        "redis_commands_per_request": round(commands / max(requests, 1), 2),
    }


async def hot_spot_across(ports: list[int], today: dt.date, rounds: int) -> dict[str, Any]:
    """50 clients split across the processes book the same stay at once, ``rounds`` times."""
    conns = [Conn("127.0.0.1", ports[i % len(ports)]) for i in range(50)]
    one_winner, winners_per_port, losers_ms = 0, dict.fromkeys(ports, 0), []

    async def one(conn: Conn, body: bytes) -> tuple[int, int, float]:
        started = time.perf_counter()
        status, _ = await conn.request("POST", "/api/v1/reservations", body)
        return conn.port, status, (time.perf_counter() - started) * 1000

    for r in range(rounds):
        # Cabin 50 (no closed loop books it): the same night for everyone in the round.
        check_in = today + dt.timedelta(days=free_night(r))
        out = await asyncio.gather(
            *(one(c, booking(50, check_in, 1, 9_000_000 + r * 50 + i)) for i, c in enumerate(conns))
        )
        wins = [port for port, status, _ in out if status == 201]
        one_winner += len(wins) == 1
        for port in wins:
            winners_per_port[port] += 1
        losers_ms += [ms for _, status, ms in out if status != 201]
    for c in conns:
        c.close()
    return {
        "rounds": rounds,
        "rounds_with_exactly_one_winner": one_winner,
        "wins_per_process": list(winners_per_port.values()),
        "loser_p99_ms": round(percentile(losers_ms, 99), 2),
    }


async def inserts_per_second(url: str, concurrency: int, statement: str) -> float:
    """Non-overlapping one-night holds on cabins 1–49 from ``concurrency`` connections, each
    statement its own transaction, for INSERT_SECONDS. ``statement``: "plain" (an INSERT … ON
    CONFLICT ON CONSTRAINT reservations_no_overlap DO NOTHING) or "hold" (the service's whole
    PLACE_HOLD statement: basis check, quota function with its advisory locks, insert)."""
    today = dt.datetime.now(ZoneInfo("America/Argentina/Buenos_Aires")).date()
    now = dt.datetime.now(dt.UTC)
    plain = (
        "INSERT INTO reservations (code, accommodation_id, check_in, check_out, guests,"
        " guest_name, guest_phone, total_cents, deposit_cents, currency, channel, status,"
        " expires_at, created_at, updated_at) VALUES ($1, $2, $3, $4, 2, 'Bench', '+5491100',"
        " 5000000, 1500000, 'ARS', 'api', 'pre_reserved', $5, $6, $6)"
        " ON CONFLICT ON CONSTRAINT reservations_no_overlap DO NOTHING RETURNING id"
    )
    counter = iter(range(10**9))
    done = 0
    deadline = time.monotonic() + INSERT_SECONDS

    def nights(n: int) -> tuple[int, dt.date]:
        # Night k of cabin c: the seed's free nights, then the nights past the seeded ones.
        cabin, k = 1 + n % 49, n // 49
        day = free_night(k) if k < 420 else 540 + (k - 420)
        return cabin, today + dt.timedelta(days=day)

    async def worker() -> None:
        nonlocal done
        conn = await asyncpg.connect(url)
        try:
            while time.monotonic() < deadline:
                n = next(counter)
                cabin, night = nights(n)
                code = f"I{concurrency:02d}{statement[0]}{n:08d}"[:12]
                if statement == "plain":
                    await conn.fetchrow(
                        plain, code, cabin, night, night + dt.timedelta(days=1), now, now
                    )
                else:
                    await conn.fetchrow(
                        PLACE_HOLD_RAW.sql, *PLACE_HOLD_RAW.args(hold_values(n, cabin, night, now))
                    )
                done += 1
        finally:
            await conn.close()

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return round(done / (time.monotonic() - started), 1)


def hold_values(n: int, cabin: int, night: dt.date, now: dt.datetime) -> dict[str, Any]:
    return {
        "v_code": f"H{n:011d}",
        "v_accommodation_id": cabin,
        "v_check_in": night,
        "v_check_out": night + dt.timedelta(days=1),
        "v_guests": 2,
        "v_guest_name": "Bench",
        "v_guest_phone": f"+54911{n:08d}",
        "v_guest_email": None,
        "v_notes": None,
        "v_total_cents": 5_000_000,
        "v_deposit_cents": 1_500_000,
        "v_currency": "ARS",
        "v_channel": "api",
        "v_status": "pre_reserved",
        "v_expires_at": now + dt.timedelta(minutes=30),
        "v_created_at": now,
        "v_updated_at": now,
        "v_retry_key": f"r{n}",
        "v_phone_key": f"54911{n:08d}",
        "v_client_key": f"c{n}",
        "b_price_cents": (50000 + cabin * 1000) * 100,
        "b_currency": "ARS",
        "b_weekend_multiplier": Decimal("1.2"),
        "b_capacity": 2 + cabin % 5,
        "b_min_nights": 1,
        "q_per_phone": 2,
        "q_per_client": 3,
    }


@contextlib.contextmanager
def embedded() -> Iterator[tuple[EmbeddedPostgres, EmbeddedRedis]]:
    with tempfile.TemporaryDirectory(prefix="cabanas-two-apps-") as tmp:
        pg = EmbeddedPostgres(Path(tmp) / "pg").start()
        rds = EmbeddedRedis(Path(tmp) / "redis", persistent=False).start()
        try:
            yield pg, rds
        finally:
            rds.stop()
            pg.stop()


def report(result: dict[str, Any]) -> list[str]:
    lines = [
        f"| booking loop, {CONNECTIONS} connections per process | bookings/s (each) | p99 ms "
        "(worst) | 201 / 409 / other 4xx / 5xx | app CPU ms per request | PostgreSQL CPU ms per "
        "request | app + PostgreSQL share of the cores | whole machine busy (everyone) "
        "| peak connections | Redis commands per request (incl. inside the limiter's script) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in result["phases"].items():
        each = " + ".join(f"{x:.0f}" for x in r["rps_each"])
        lines.append(
            f"| {name} | {r['rps_total']:.0f} ({each}) | {r['p99_ms_worst']:.1f} "
            f"| {r['created']} / {r['conflict']} / {r['client_errors']} / {r['server_errors']} "
            f"| {r['app_cpu_ms_per_request']:.2f} | {r['pg_cpu_ms_per_request']:.2f} "
            f"| {r['app_and_pg_share_of_the_cores']:.0%} | {r['machine_busy']:.0%} "
            f"| {r['peak_connections']} "
            f"| {r['redis_commands_per_request']} |"
        )
    h = result["hot_spot"]
    lines += [
        "",
        f"Hot spot across both processes: one winner in {h['rounds_with_exactly_one_winner']}/"
        f"{h['rounds']} rounds (wins per process {h['wins_per_process']}), losers p99 "
        f"{h['loser_p99_ms']} ms. Nights sold twice: {result['overlapping_pairs']}.",
        "",
        "| inserts/s through the exclusion constraint alone | "
        + " | ".join(f"{c} connections" for c in result["insert_concurrency"])
        + " |",
        "|---|" + "---|" * len(result["insert_concurrency"]),
    ]
    for kind, rates in result["inserts_per_second"].items():
        lines.append(f"| {kind} | " + " | ".join(f"{r:.0f}" for r in rates) + " |")
    return lines


def main() -> int:
    started = time.monotonic()
    ensure_wrk()
    info_before = machine()
    today = dt.datetime.now(ZoneInfo("America/Argentina/Buenos_Aires")).date()
    concurrency = [1, 4, 16, 64]
    result: dict[str, Any] = {"phases": {}, "insert_concurrency": concurrency}
    with embedded() as (pg, rds):
        prepare_database(pg, DEFAULT)
        phases = [
            ("one process", 1, False),
            ("two processes", 2, False),
            ("two processes, read-replica path on", 2, True),
        ]
        for name, processes, replica in phases:
            url = fresh_copy(pg, "bench_two")  # every phase from the seeded nights
            env = {"DATABASE_READ_URL": url} if replica else {}
            result["phases"][name] = drive(pg, rds, url, processes, env)
            log(f"{name}: {result['phases'][name]}")
        with contextlib.ExitStack() as stack:
            ports = [
                stack.enter_context(server(APPS["ours"], url, rds.url(), workers=1))
                for _ in range(2)
            ]
            result["hot_spot"] = asyncio.run(hot_spot_across(ports, today, HOT_ROUNDS))
        log(f"hot spot: {result['hot_spot']}")
        result["overlapping_pairs"] = int(pg.psql(OVERLAPS, "bench_two"))
        result["inserts_per_second"] = {}
        for kind in ("plain", "hold"):
            rates = []
            for c in concurrency:
                target = fresh_copy(pg, "bench_inserts")
                rates.append(asyncio.run(inserts_per_second(target, c, kind)))
                log(f"inserts/s, {kind}, {c} connections: {rates[-1]}")
            label = (
                "plain INSERT … ON CONFLICT ON CONSTRAINT reservations_no_overlap"
                if kind == "plain"
                else "the service's hold statement (PLACE_HOLD)"
            )
            result["inserts_per_second"][label] = rates
    lines = report(result)
    print("\n" + "\n".join(lines) + "\n")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"two-apps-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "machine_before": info_before,
                "machine_after": machine(),
                "elapsed_s": round(time.monotonic() - started, 1),
                "result": result,
                "table": lines,
            },
            indent=2,
            default=str,
        )
    )
    log(f"done in {time.monotonic() - started:.0f} s; results in {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
