"""`make bench-scale`: the cost curve — the main scenarios for both apps at several sizes of the
business, then the calendar sync pass at several numbers of feeds.

For each size in ``BENCH_SCALE`` (cabins × reservations, default
``10x50000,50x50000,200x50000,50x500000``) the data is seeded afresh (benchmarks/seed.py keeps
the per-cabin shape), both servers start on their own copies of it, and the catalogue, the
availability search, the booking lookup and the closed booking loop run against both, back to
back in alternating order, ``SCALE_REPEATS`` times for ``SCALE_SECONDS`` each (shorter than
`make bench`: this is a curve, not a verdict). Before every booking run both copies lose the
bench's own bookings (``Bench …`` guests), so each run starts from the seeded nights: the share
of 409s then depends on the size (fewer cabins, more collisions), not on the runs before it.
The sync pass (benchmarks/sync_pass.py) runs at each count in ``SCALE_FEEDS`` (10,100).

Results: tables on stdout and JSON under benchmarks/results/scale-<time>.json.
Before the load at each size, the query plans (benchmarks/explain.py) on that size's data.
Knobs: BENCH_SCALE, SCALE_SECONDS (5), SCALE_REPEATS (2), SCALE_FEEDS, SCALE_EXPLAIN (1; 0 to
skip the plans), and run.py's BENCH_CONNECTIONS, BENCH_WORKERS.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import explain, sync_pass
from benchmarks.run import (
    APPS,
    CONNECTIONS,
    RESULTS,
    ROOT,
    combine,
    ensure_wrk,
    log,
    machine,
    prepare_database,
    server,
    split,
    wrk,
)
from benchmarks.seed import DEFAULT, Scale, parse_scale
from entrypoints.embedded import EmbeddedPostgres, EmbeddedRedis

DEFAULT_SIZES = "10x50000,50x50000,200x50000,50x500000"
SECONDS = int(os.environ.get("SCALE_SECONDS", "5"))
REPEATS = int(os.environ.get("SCALE_REPEATS", "2"))
EXPLAIN = os.environ.get("SCALE_EXPLAIN", "1") == "1"
FEEDS = [int(f) for f in os.environ.get("SCALE_FEEDS", "10,100").split(",") if f.strip()]
# (name, path, wrk script): the booking loop last, so its holds never sit under the others.
SCENARIOS = [
    ("catalogue", "/api/v1/accommodations", "get.lua"),
    ("availability", "/", "availability.lua"),
    ("lookup", "/", "lookup.lua"),
    ("booking", "/", "reserve.lua"),
]
DATABASES = ("bench_template", *(f"bench_{name}" for name in APPS))
RESET_SQL = "DELETE FROM reservations WHERE guest_name LIKE 'Bench %'; VACUUM reservations;"


def drop_databases(pg: EmbeddedPostgres) -> None:
    for name in DATABASES:
        pg.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def lookup_codes(pg: EmbeddedPostgres, path: Path, n: int = 2000) -> None:
    """Codes of seeded bookings, past and future, for the lookup script (same in every copy)."""
    codes = pg.psql(
        f"SELECT code FROM reservations WHERE kind = 'booking' ORDER BY random() LIMIT {n}",
        "bench_template",
    )
    path.write_text(codes + "\n")


def measure_size(
    pg: EmbeddedPostgres, redis: EmbeddedRedis, scale: Scale, work: Path
) -> dict[str, Any]:
    started = time.monotonic()
    drop_databases(pg)
    prepare_database(pg, scale)
    seeded_s = round(time.monotonic() - started, 1)
    out: dict[str, Any] = {
        "scale": scale._asdict(),
        "seed_seconds": seeded_s,
        "load_before": os.getloadavg(),
    }
    if EXPLAIN:
        out["plans"] = explain.capture(pg.url("bench_template"), scale)
    codes = work / f"codes-{scale.label}.txt"
    lookup_codes(pg, codes)
    env = {"BENCH_BOOK_CABINS": str(scale.cabins - 1), "BENCH_CODES_FILE": str(codes)}
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {
        name: {s[0]: [] for s in SCENARIOS} for name in APPS
    }
    with contextlib.ExitStack() as stack:
        ports = {
            name: stack.enter_context(server(APPS[name], pg.url(f"bench_{name}"), redis.url()))
            for name in APPS
        }
        for scenario, path, script in SCENARIOS:
            booking = scenario == "booking"
            for port in ports.values():  # warm-up: pools, caches, prepared statements
                wrk(port, path, script, 1, CONNECTIONS, env)
            for rep in range(REPEATS):
                order = list(ports) if rep % 2 == 0 else list(reversed(ports))
                for name in order:
                    if booking:
                        pg.psql(RESET_SQL, f"bench_{name}")
                    r = wrk(ports[name], path, script, SECONDS, CONNECTIONS, env)
                    runs[name][scenario].append(r)
                    log(
                        f"{scale.label:>10} {name:9} {scenario:12} {r['rps']:8.1f} req/s  "
                        f"p99 {r['p99_ms']:7.2f} ms  201/409/4xx {r['created']}/{r['conflict']}/"
                        f"{r['client_errors']}  5xx {r['server_errors']}  split {split(r)}"
                    )
    out["apps"] = {
        name: {scenario: combine(rs) for scenario, rs in by.items()} for name, by in runs.items()
    }
    out["load_after"] = os.getloadavg()
    out["seconds"] = round(time.monotonic() - started, 1)
    return out


def ratio(ours: float, reference: float) -> str:
    return f"{ours / reference:.0%}" if reference else "n/a"


def size_table(results: dict[str, dict[str, Any]]) -> list[str]:
    """One row per size and scenario: both apps' throughput and p99, and the ratios."""
    lines = [
        f"| size (cabins × reservations) | scenario ({CONNECTIONS} connections) | ours req/s "
        "| ours p99 ms | reference req/s | reference p99 ms | throughput ours / ref "
        "| p99 ours / ref | ours 201 / 409 / other 4xx / 5xx |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, size in results.items():
        ours, ref = size["apps"]["ours"], size["apps"]["reference"]
        for scenario in ours:
            o, r = ours[scenario], ref[scenario]
            p99 = f"{o['p99_ms'] / r['p99_ms']:.2f}×" if r["p99_ms"] else "n/a"
            lines.append(
                f"| {label} | {scenario} | {o['rps']:.0f} | {o['p99_ms']:.1f} | {r['rps']:.0f} "
                f"| {r['p99_ms']:.1f} | {ratio(o['rps'], r['rps'])} | {p99} "
                f"| {o['created']} / {o['conflict']} / {o['client_errors']} / {o['server_errors']} |"
            )
    return lines


def growth_table(results: dict[str, dict[str, Any]], baseline: str = DEFAULT.label) -> list[str]:
    """Each app's req/s at every size, and as a multiple of its req/s at ``baseline`` (the
    default size): 1.00× flat, 0.25× a quarter of the throughput."""
    labels = list(results)
    base = results.get(baseline)
    lines = [
        "| scenario | app | " + " | ".join(labels) + " |",
        "|---|---|" + "---|" * len(labels),
    ]
    scenarios = list(next(iter(results.values()))["apps"]["ours"]) if results else []
    for scenario in scenarios:
        for app in APPS:
            cells = []
            for label in labels:
                rps = results[label]["apps"][app][scenario]["rps"]
                cell = f"{rps:.0f}"
                if base is not None and base["apps"][app][scenario]["rps"]:
                    cell += f" ({rps / base['apps'][app][scenario]['rps']:.2f}×)"
                cells.append(cell)
            lines.append(f"| {scenario} | {app} | " + " | ".join(cells) + " |")
    return lines


def sync_table(passes: list[dict[str, Any]]) -> list[str]:
    """The sync pass at each feed count: seconds per pass and per feed."""
    lines = [
        "| feeds × 500 events | first pass s (places all) | per feed | second s (read whole, "
        "unchanged) | per feed | third s (304) | share of the 300 s interval (worst) |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in passes:
        feeds = result["feeds"]
        first, second, third = (p["seconds"] for p in result["passes"][:3])
        worst = max(first, second, third) / result["budget_s"]
        lines.append(
            f"| {feeds} | {first:.2f} | {first / feeds:.3f} | {second:.2f} | {second / feeds:.3f} "
            f"| {third:.2f} | {worst:.1%} |"
        )
    return lines


def main() -> int:
    started = time.monotonic()
    ensure_wrk()
    sizes = parse_scale(os.environ.get("BENCH_SCALE", DEFAULT_SIZES))
    info_before = machine()
    results: dict[str, dict[str, Any]] = {}
    syncs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="cabanas-scale-") as tmp:
        pg = EmbeddedPostgres(Path(tmp) / "pg").start()
        redis = EmbeddedRedis(Path(tmp) / "redis", persistent=False).start()
        try:
            for scale in sizes:
                results[scale.label] = measure_size(pg, redis, scale, Path(tmp))
                log(f"{scale.label} done in {results[scale.label]['seconds']} s")
            drop_databases(pg)
            for feeds in FEEDS:
                syncs.append(sync_pass.measure(pg, redis, feeds))
                log(f"sync pass, {feeds} feeds: {syncs[-1]['passes']}")
        finally:
            redis.stop()
            pg.stop()
    lines = size_table(results) + [""] + growth_table(results)
    if syncs:
        lines += [""] + sync_table(syncs)
    if EXPLAIN:
        lines += [""] + explain.table({label: r["plans"] for label, r in results.items()})
    print("\n" + "\n".join(lines) + "\n")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"scale-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "machine_before": info_before,
                "machine_after": machine(),
                "seconds_per_run": SECONDS,
                "repeats": REPEATS,
                "elapsed_s": round(time.monotonic() - started, 1),
                "sizes": results,
                "sync_pass": syncs,
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
