"""CPU per request under load, split by process: our app's workers, PostgreSQL, Redis and wrk,
for a closed-loop scenario against both apps (the production server line, the bench data).

Throughput on this machine is set by CPU: the app, PostgreSQL and wrk share its cores. This
shows whose CPU a request costs, where ``benchmarks.inprocess`` shows only the app's, one
request (or N at once) at a time. Each app gets a fresh server; ours and the reference
alternate, twice. ``AFTER=availability`` runs 20 s of availability traffic first (what a
full ``make bench`` does before its booking runs). ``taken`` books only nights the seed has
taken (every answer a 409, the same in every run). ``OURS_ALSO="RATE_LIMIT_PER_MINUTE=0;
LOG_LEVEL=warning"`` adds our app once more per setting, each alternating with the others.

    .venv/bin/python -m benchmarks.wrk_cpu POST          (or availability, taken)
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from benchmarks.inprocess import servers_cpu
from benchmarks.run import APPS, SERVER_PIDS, prepare_database, server, wrk
from entrypoints.embedded import EmbeddedPostgres, EmbeddedRedis

SCRIPTS = {"POST": "reserve.lua", "availability": "availability.lua", "taken": "taken.lua"}


def variants(also: str) -> list[tuple[str, str, dict[str, str]]]:
    """(label, app, extra environment) for each run of a round: ours, then ours once per
    ``NAME=value`` in ``also`` (separated by ";"), then the reference."""
    extra = [tuple(item.strip().split("=", 1)) for item in also.split(";") if item.strip()]
    return [
        ("ours", "ours", {}),
        *((f"ours {k}={v}", "ours", {k: v}) for k, v in extra),
        ("reference", "reference", {}),
    ]


def main() -> int:
    scenario = sys.argv[1] if len(sys.argv) > 1 else "POST"
    script = SCRIPTS[scenario]
    before = os.environ.get("AFTER")
    with tempfile.TemporaryDirectory(prefix="cabanas-wrk-cpu-") as tmp:
        pg = EmbeddedPostgres(Path(tmp) / "pg").start()
        redis = EmbeddedRedis(Path(tmp) / "redis", persistent=False).start()
        try:
            prepare_database(pg)
            postmaster = int((pg.data_dir / "postmaster.pid").read_text().split()[0])
            redis_pids = tuple(p for p in (redis.pid,) if p is not None)
            for _ in range(2):
                for label, name, env in variants(os.environ.get("OURS_ALSO", "")):
                    db_url = pg.url(f"bench_{name}")
                    with server(APPS[name], db_url, redis.url(), env_extra=env) as port:
                        if before:
                            wrk(port, "/", SCRIPTS[before], 20, 16)
                        wrk(port, "/", script, 3, 16)  # warm-up
                        app_pids = (SERVER_PIDS[port],)
                        app0, pg0 = servers_cpu(app_pids), servers_cpu((postmaster,))
                        redis0, t0 = servers_cpu(redis_pids), os.times()
                        r = wrk(port, "/", script, 10, 16)
                        t1 = os.times()
                        n = r["requests"]
                        app = servers_cpu(app_pids) - app0
                        db = servers_cpu((postmaster,)) - pg0
                        kv = servers_cpu(redis_pids) - redis0
                        gen = t1.children_user + t1.children_system
                        gen -= t0.children_user + t0.children_system
                        print(
                            f"{scenario} {label:9} {r['rps']:7.1f} req/s  p99 {r['p99_ms']:6.1f} ms"
                            f"  CPU ms per request: app {1000 * app / n:.3f}"
                            f"  PostgreSQL {1000 * db / n:.3f}  Redis {1000 * kv / n:.3f}"
                            f"  wrk {1000 * gen / n:.3f}",
                            flush=True,
                        )
        finally:
            redis.stop()
            pg.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
