"""`make bench`: the service in its production shape against a bare reference, same data, same run.

Closed-loop scenarios are driven by wrk (a separate C process); the hot spot and the open-loop
mix by benchmarks/loadgen.py; then the calendar sync pass (benchmarks/sync_pass.py). Results: a table on stdout and JSON under benchmarks/results/.
Knobs (environment): BENCH_SECONDS (10), BENCH_CONNECTIONS (16), BENCH_WORKERS (2),
BENCH_REPEATS (2), BENCH_SCENARIOS (all), OPEN_LOOP_RATE (100), OPEN_LOOP_SECONDS (60),
HOT_SPOT_ROUNDS (40). The owner's console alone: `python -m benchmarks.console`.

The closed loop also runs a third app, the reference with the service's exact rate limit in
front of it (``LIMITED``: benchmarks/reference_app.py, ``REFERENCE_RATE_LIMIT``): the limit is a
feature the bare reference does not have, and this row tells its cost apart from the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from benchmarks import console, sync_pass
from benchmarks.loadgen import hot_spot, open_loop, percentile
from benchmarks.seed import DEFAULT, Scale, seed_sql
from entrypoints.embedded import EmbeddedPostgres, EmbeddedRedis, free_port
from entrypoints.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
LUA = ROOT / "benchmarks" / "lua"
RESULTS = ROOT / "benchmarks" / "results"
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
OPEN_RATE = float(os.environ.get("OPEN_LOOP_RATE", "100"))
OPEN_SECONDS = float(os.environ.get("OPEN_LOOP_SECONDS", "60"))
HOT_ROUNDS = int(os.environ.get("HOT_SPOT_ROUNDS", "40"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "2"))
SERVER = os.environ.get("BENCH_SERVER", "uvicorn")
APPS = {"ours": "entrypoints.asgi:create", "reference": "benchmarks.reference_app:create"}
# Ours' exact rate limit, on as in production but far above what one load generator sends: we
# measure its cost (a Redis round trip per request), not its refusals.
RATE_LIMIT = os.environ.get("BENCH_RATE_LIMIT", "1000000000")
# The reference with the service's exact rate limit, at the limit ours runs with (closed loop
# only, on its own copy of the data).
LIMITED = "limited"
SCENARIOS = [
    ("GET /api/v1/healthz", "/api/v1/healthz", "get.lua"),
    ("GET /api/v1/accommodations", "/api/v1/accommodations", "get.lua"),
    ("GET /api/v1/availability", "/", "availability.lua"),
    ("POST /api/v1/reservations", "/", "reserve.lua"),
]
# BENCH_SCENARIOS="POST,availability": only the closed-loop scenarios whose label contains one of
# these (a quicker loop while working on one endpoint; the report then lists only those).
_ONLY = [w.strip() for w in os.environ.get("BENCH_SCENARIOS", "").split(",") if w.strip()]
if _ONLY:
    SCENARIOS = [s for s in SCENARIOS if any(w in s[0] for w in _ONLY)]
TARGET_P99_MS = {
    "GET /api/v1/healthz": 20,
    "GET /api/v1/accommodations": 30,
    "GET /api/v1/availability": 30,
    "POST /api/v1/reservations": 50,
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk (Debian package)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env, capture_output=True
        )
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is needed for `make bench` (Debian/Ubuntu: apt-get install wrk)")
    return found


def app_env(database_url: str, redis_url: str, metrics_dir: str) -> dict[str, str]:
    """The app's settings in every measurement (also ``benchmarks.inprocess``)."""
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DB_POOL_SIZE": "10",
        # Production shape: JSON access log per request (to a file here), metrics on, in
        # multiprocess mode across the workers.
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "info"),
        "PROMETHEUS_MULTIPROC_DIR": metrics_dir,
        "RATE_LIMIT_PER_MINUTE": RATE_LIMIT,
        # As behind Fly's proxy: the load generators send each request from a guest address of
        # its own (Fly-Client-IP), so the sliding-window log and the live-hold limits work on
        # many small budgets, as in production. Hold limits stay at their defaults.
        "TRUSTED_PROXY": "true",
    }


# port → the server's process id (its workers are its children), while it runs.
SERVER_PIDS: dict[int, int] = {}


@contextlib.contextmanager
def server(
    factory: str,
    database_url: str,
    redis_url: str,
    *,
    workers: int | None = None,
    env_extra: dict[str, str] | None = None,
) -> Iterator[int]:
    port = free_port()
    metrics_dir = tempfile.mkdtemp(prefix="cabanas-bench-metrics-")
    env = {
        **os.environ,
        **app_env(database_url, redis_url, metrics_dir),
        "PYTHONPATH": str(ROOT),
        **(env_extra or {}),
    }
    cmd = server_command(factory, port, workers or WORKERS)
    log_path = Path(metrics_dir).parent / f"{factory.split('.', maxsplit=1)[0]}-server.log"
    log_file = log_path.open("ab")
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log_file, stderr=log_file)
    SERVER_PIDS[port] = proc.pid
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if (
                    httpx.get(f"http://127.0.0.1:{port}/api/v1/healthz", timeout=1).status_code
                    == 200
                ):
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{factory} did not start")
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(30)
        log_file.close()
        SERVER_PIDS.pop(port, None)
        shutil.rmtree(metrics_dir, ignore_errors=True)  # one per server start, never reused


def server_command(factory: str, port: int, workers: int = WORKERS) -> list[str]:
    """The production server line (the Dockerfile/fly.toml use the same flags)."""
    if SERVER == "granian":
        return [
            str(Path(sys.executable).with_name("granian")),
            "--interface",
            "asgi",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--loop",
            "uvloop",
            "--log-level",
            "warning",
            "--no-ws",
            factory,
        ]
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-proxy-headers",
        "--no-server-header",
        "--log-config",
        "src/entrypoints/uvicorn_log.json",
    ]


def wrk(
    port: int,
    path: str,
    script: str,
    seconds: float,
    connections: int,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One closed-loop run; ``env`` reaches the Lua script (``os.getenv``)."""
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "5s"]
    cmd += ["-s", str(LUA / script), f"http://127.0.0.1:{port}{path}"]
    with subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "BENCH_LUA_DIR": str(LUA), **(env or {})},
    ) as proc:
        # Halfway through, how wrk's keep-alive connections landed on the server's workers:
        # the worker holding more of them sets the p99 (5/11 and even 16/0 have been seen).
        time.sleep(seconds / 2)
        split = connections_per_worker(port)
        out, err = proc.communicate()
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd, out, err)
    line = next(li for li in out.splitlines() if li.startswith("WRKJSON "))
    data: dict[str, Any] = json.loads(line.removeprefix("WRKJSON "))
    data["rps"] = round(data["requests"] / (data["duration_us"] / 1e6), 1)
    for key in ("p50", "p95", "p99", "max"):
        data[f"{key}_ms"] = round(data.pop(f"{key}_us") / 1000, 2)
    data["connections_per_worker"] = split
    return data


def connections_per_worker(port: int) -> list[int] | None:
    """Established connections on ``port``, counted per server process, busiest first (None
    when ``ss`` is not there to ask). Workers holding none do not appear."""
    try:
        out = subprocess.run(
            ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    counts = Counter(re.findall(r"pid=(\d+)", out))
    return sorted(counts.values(), reverse=True)


def machine() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "workers": WORKERS,
        "server": SERVER,
        "repeats": REPEATS,
    }


def prepare_database(pg: EmbeddedPostgres, scale: Scale = DEFAULT) -> None:
    log(f"seeding {scale.cabins} cabins and {scale.reservations:,} reservations")
    pg.create_database("bench_template")
    upgrade(pg.url("bench_template"))
    for sql in seed_sql(scale):
        pg.psql(sql, "bench_template")
    for name in APPS:
        pg.create_database(f"bench_{name}", template="bench_template")


def split(run: dict[str, Any]) -> str:
    counts = run.get("connections_per_worker")
    return "/".join(map(str, counts)) if counts else "?"


def combine(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Repeated wrk runs of one scenario: throughput averaged, p50/p95 averaged, p99 and max the
    worst seen (a tail that showed up once is a tail)."""
    out: dict[str, Any] = {
        key: sum(r[key] for r in runs)
        for key in (
            "requests",
            "created",
            "conflict",
            "client_errors",
            "server_errors",
            "socket_errors",
        )
    }
    out["rps"] = round(sum(r["rps"] for r in runs) / len(runs), 1)
    for key in ("p50_ms", "p95_ms"):
        out[key] = round(sum(r[key] for r in runs) / len(runs), 2)
    for key in ("p99_ms", "max_ms"):
        out[key] = max(r[key] for r in runs)
    out["runs"] = runs
    return out


def closed_loop(ports: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Each scenario against both apps, back to back and in alternating order, REPEATS times:
    the machine's drift (other load, thermal, caches) then hits both sides of the ratio alike
    instead of whichever app happened to run during a noisy minute."""
    results: dict[str, dict[str, Any]] = {name: {} for name in ports}
    for label, path, script in SCENARIOS:
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in ports}
        for port in ports.values():
            wrk(port, path, script, 2, CONNECTIONS)  # warm-up: pools, caches, prepared statements
        for rep in range(REPEATS):
            order = list(ports) if rep % 2 == 0 else list(reversed(ports))
            for name in order:
                r = wrk(ports[name], path, script, SECONDS, CONNECTIONS)
                runs[name].append(r)
                log(
                    f"{name:9} {label:28} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:6.2f}  "
                    f"p99 {r['p99_ms']:7.2f} ms  connections per worker {split(r)}"
                )
        for name in ports:
            results[name][label] = combine(runs[name])
    return results


def hot_spot_run(port: int, today: dt.date) -> dict[str, Any]:
    hot = asyncio.run(hot_spot("127.0.0.1", port, today, rounds=HOT_ROUNDS))
    return {
        "rounds": hot.rounds,
        "clients": hot.clients,
        "rounds_with_exactly_one_winner": hot.rounds_with_one_winner,
        "statuses": dict(hot.statuses),
        "winner_p99_ms": round(percentile(hot.winner_ms, 99), 2),
        "loser_p50_ms": round(percentile(hot.loser_ms, 50), 2),
        "loser_p99_ms": round(percentile(hot.loser_ms, 99), 2),
    }


def open_loop_run(port: int, today: dt.date, codes: list[str]) -> dict[str, Any]:
    log(f"open loop: {OPEN_RATE:.0f} req/s for {OPEN_SECONDS:.0f} s")
    ol = asyncio.run(
        open_loop("127.0.0.1", port, today, rate=OPEN_RATE, seconds=OPEN_SECONDS, codes=codes)
    )
    errors = ol.socket_errors + sum(n for s, n in ol.statuses.items() if s >= 500)
    return {
        "rate": ol.rate,
        "seconds": ol.seconds,
        "sent": ol.sent,
        "statuses": dict(ol.statuses),
        "errors": errors,
        "error_rate": round(errors / max(ol.sent, 1), 4),
        "p50_ms": round(percentile(ol.latencies_ms, 50), 2),
        "p95_ms": round(percentile(ol.latencies_ms, 95), 2),
        "p99_ms": round(percentile(ol.latencies_ms, 99), 2),
        "max_generator_lag_ms": round(ol.max_lag_ms, 2),
    }


def run_apps(pg: EmbeddedPostgres, redis: EmbeddedRedis, today: dt.date) -> dict[str, Any]:
    """The servers up at once (an idle one costs nothing), each on its own copy of the data."""
    pg.create_database(f"bench_{LIMITED}", template="bench_template")
    with contextlib.ExitStack() as stack:
        ports = {
            name: stack.enter_context(server(APPS[name], pg.url(f"bench_{name}"), redis.url()))
            for name in APPS
        }
        ports[LIMITED] = stack.enter_context(
            server(
                APPS["reference"],
                pg.url(f"bench_{LIMITED}"),
                redis.url(),
                env_extra={"REFERENCE_RATE_LIMIT": RATE_LIMIT},
            )
        )
        results = closed_loop(ports)
        for name in APPS:
            port = ports[name]
            results[name]["hot_spot"] = hot_spot_run(port, today)
            log(f"{name:9} hot spot {results[name]['hot_spot']}")
        codes = pg.psql(
            "SELECT code FROM reservations ORDER BY random() LIMIT 500", "bench_ours"
        ).split()
        results["ours"]["open_loop"] = open_loop_run(ports["ours"], today, codes)
        log(f"open loop {results['ours']['open_loop']}")
    return results


def verdict(result: dict[str, Any], target_ms: float) -> str:
    return "✅" if result["p99_ms"] < target_ms and result["server_errors"] == 0 else "❌"


def _ratio(ours: dict[str, Any], other: dict[str, Any]) -> str:
    return f"{ours['rps'] / other['rps']:.0%}" if other["rps"] else "–"


def report(results: dict[str, dict[str, Any]]) -> list[str]:
    ours, ref = results["ours"], results["reference"]
    limited = results.get(LIMITED, {})
    lines = [
        f"| Scenario ({CONNECTIONS} connections) | ours req/s | ours p50 / p95 / p99 ms | reference req/s | reference p99 ms | ratio | p99 target: ours, reference | reference + rate limit: req/s, p99 ms | ratio to it |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, _, _ in SCENARIOS:
        o, r = ours[label], ref[label]
        target = TARGET_P99_MS[label]
        with_limit = "– | –"
        if label in limited:
            lr = limited[label]
            with_limit = f"{lr['rps']:.0f}, {lr['p99_ms']:.1f} | {_ratio(o, lr)}"
        # The reference's verdict too: when the bare app misses the same target in the same run,
        # the machine (not the service) is what sets the tail at that moment.
        lines.append(
            f"| {label} | {o['rps']:.0f} | {o['p50_ms']:.1f} / {o['p95_ms']:.1f} / {o['p99_ms']:.1f} "
            f"| {r['rps']:.0f} | {r['p99_ms']:.1f} | {_ratio(o, r)} "
            f"| < {target} ms: {verdict(o, target)}, {verdict(r, target)} | {with_limit} |"
        )
    for label, _, _ in SCENARIOS:
        also = ""
        if label in limited:
            also = f", + rate limit {', '.join(split(r) for r in limited[label]['runs'])}"
        lines.append(
            f"| {label}: connections per worker, each run | ours "
            f"{', '.join(split(r) for r in ours[label]['runs'])} | reference "
            f"{', '.join(split(r) for r in ref[label]['runs'])}{also} | | | | | | |"
        )
    for name in ("ours", "reference"):
        h = results[name]["hot_spot"]
        lines.append(
            f"| hot spot ({name}): {h['clients']} clients × {h['rounds']} stays | one winner in "
            f"{h['rounds_with_exactly_one_winner']}/{h['rounds']} | winners p99 {h['winner_p99_ms']} ms, "
            f"losers p50 {h['loser_p50_ms']} / p99 {h['loser_p99_ms']} ms | statuses {h['statuses']} | | | < 100 ms | | |"
        )
    ol = ours["open_loop"]
    lines.append(
        f"| open loop {ol['rate']:.0f} req/s × {ol['seconds']:.0f} s (ours) | sent {ol['sent']} | "
        f"p50 {ol['p50_ms']} / p95 {ol['p95_ms']} / p99 {ol['p99_ms']} ms | errors {ol['errors']} "
        f"({ol['error_rate']:.2%}) | | | p95 < 50 ms | | |"
    )
    return lines


def main() -> int:
    started = time.monotonic()
    ensure_wrk()
    info_before = machine()
    today = dt.datetime.now(ZoneInfo("America/Argentina/Buenos_Aires")).date()
    with tempfile.TemporaryDirectory(prefix="cabanas-bench-") as tmp:
        pg = EmbeddedPostgres(Path(tmp) / "pg").start()
        redis = EmbeddedRedis(Path(tmp) / "redis", persistent=False).start()
        try:
            prepare_database(pg)
            results = run_apps(pg, redis, today)
            results["sync_pass"] = sync_pass.measure(pg, redis)
            log(f"sync pass {results['sync_pass']['passes']}")
            results["console"] = console.measure(pg, redis, "bench_ours")
        finally:
            redis.stop()
            pg.stop()
    lines = (
        report(results)
        + [""]
        + sync_pass.report(results["sync_pass"])
        + [""]
        + console.report(results["console"])
    )
    print("\n" + "\n".join(lines) + "\n")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"bench-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "machine_before": info_before,
                "machine_after": machine(),
                "elapsed_s": round(time.monotonic() - started, 1),
                "results": results,
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
