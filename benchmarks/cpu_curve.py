"""CPU per request at each size, both apps, without HTTP server or load generator
(benchmarks/inprocess.py's driver): the cost curve free of the shared machine's noise.

For each size in BENCH_SCALE the data is seeded once; then, for availability, the booking
lookup and bookings (in that order: bookings last), ours and the reference alternate
``CURVE_REPEATS`` times, N requests each (``time.process_time``: waiting on PostgreSQL and
Redis is not counted). The median per app is reported, and each size against the default one.

    .venv/bin/python -m benchmarks.cpu_curve     (N=1000, CURVE_REPEATS=2)
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
from pathlib import Path

import uvloop

from benchmarks import inprocess
from benchmarks.run import APPS, app_env, log, prepare_database
from benchmarks.scale import DEFAULT_SIZES
from benchmarks.seed import DEFAULT, parse_scale
from entrypoints.embedded import EmbeddedPostgres, EmbeddedRedis

KINDS = ("availability", "lookup", "booking")


def table(curve: dict[str, dict[str, dict[str, list[float]]]]) -> list[str]:
    """size → kind → app → CPU ms per request of each repeat; the median of each, the ratio,
    and each app's median against its own at the default size."""
    sizes = list(curve)
    lines = [
        "| request | app | " + " | ".join(f"{s}: ms CPU" for s in sizes) + " |",
        "|---|---|" + "---|" * len(sizes),
    ]
    kinds = [k for k in KINDS if any(k in curve[s] for s in sizes)]
    for kind in kinds:
        for app in APPS:
            cells = []
            for size in sizes:
                values = curve[size].get(kind, {}).get(app)
                if not values:
                    cells.append("n/a")
                    continue
                cell = f"{statistics.median(values):.3f}"
                base = curve.get(DEFAULT.label, {}).get(kind, {}).get(app)
                if base and size != DEFAULT.label:
                    cell += f" ({statistics.median(values) / statistics.median(base):.2f}×)"
                cells.append(cell)
            lines.append(f"| {kind} | {app} | " + " | ".join(cells) + " |")
        ratios = []
        for size in sizes:
            ours = curve[size].get(kind, {}).get("ours")
            ref = curve[size].get(kind, {}).get("reference")
            ratios.append(
                f"{statistics.median(ours) / statistics.median(ref):.1f}×"
                if ours and ref
                else "n/a"
            )
        lines.append(f"| {kind} | ours / reference | " + " | ".join(ratios) + " |")
    return lines


def main() -> int:
    sizes = parse_scale(os.environ.get("BENCH_SCALE", DEFAULT_SIZES))
    n = int(os.environ.get("N", "1000"))
    repeats = int(os.environ.get("CURVE_REPEATS", "2"))
    today = dt.date.today()
    curve: dict[str, dict[str, dict[str, list[float]]]] = {}
    with tempfile.TemporaryDirectory(prefix="cabanas-cpu-curve-") as tmp:
        pg = EmbeddedPostgres(Path(tmp) / "pg", ephemeral=True).start()
        redis = EmbeddedRedis(Path(tmp) / "redis", persistent=False).start()
        # The app logs a line per request (and the migrations theirs) to stderr: to a file, as
        # the bench does; progress and results go to stdout.
        app_log = open(Path(tmp) / "app.log", "w")  # noqa: SIM115 - closed with the directory
        os.dup2(app_log.fileno(), 2)
        try:
            for size in sizes:
                for db in ("bench_template", *(f"bench_{a}" for a in APPS)):
                    pg.psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
                prepare_database(pg, size)
                inprocess.SIZE = size
                curve[size.label] = {k: {a: [] for a in APPS} for k in KINDS}
                for kind in KINDS:
                    for rep in range(repeats):
                        order = list(APPS) if rep % 2 == 0 else list(reversed(APPS))
                        for app in order:
                            metrics = tempfile.mkdtemp(dir=tmp)
                            os.environ.update(app_env(pg.url(f"bench_{app}"), redis.url(), metrics))
                            ms = uvloop.run(
                                inprocess.drive(app, kind, n, today, offset=rep * (n + 200))
                            )
                            curve[size.label][kind][app].append(ms)
                log(f"{size.label}: {curve[size.label]}")
        finally:
            redis.stop()
            pg.stop()
            app_log.close()
    print("\n" + "\n".join(table(curve)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
