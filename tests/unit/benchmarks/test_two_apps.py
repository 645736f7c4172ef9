"""The two-process benchmark's accounting: CPU of a process tree from /proc, the machine's busy
share, and the report it prints (throughput per process, CPU per request, the hot spot, nights
sold twice, inserts per second)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from benchmarks import two_apps


def test_a_process_trees_cpu_includes_its_children() -> None:
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\nt = time.process_time()\n"
            "while time.process_time() - t < 0.3: pass\ntime.sleep(30)",
        ]
    )
    try:
        deadline = time.monotonic() + 20
        while two_apps.tree_cpu_seconds(child.pid) < 0.25 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert two_apps.tree_cpu_seconds(child.pid) >= 0.25
        assert two_apps.tree_cpu_seconds(os.getpid()) >= two_apps.tree_cpu_seconds(child.pid)
    finally:
        child.kill()
        child.wait()


def test_the_machine_is_never_busier_than_its_total() -> None:
    busy, total = two_apps.machine_cpu()
    assert 0 <= busy <= total


def _phase(rps: list[float]) -> dict[str, object]:
    return {
        "processes": len(rps),
        "rps_each": rps,
        "rps_total": sum(rps),
        "p99_ms_worst": 80.0,
        "created": 900,
        "conflict": 100,
        "client_errors": 0,
        "server_errors": 0,
        "app_cpu_ms_per_request": 0.9,
        "pg_cpu_ms_per_request": 0.6,
        "app_and_pg_share_of_the_cores": 0.75,
        "machine_busy": 0.98,
        "peak_connections": 24,
        "redis_commands_per_request": 6.0,
    }


def test_the_report_adds_the_processes_up_and_states_correctness() -> None:
    lines = two_apps.report(
        {
            "phases": {"one process": _phase([600.0]), "two processes": _phase([450.0, 400.0])},
            "hot_spot": {
                "rounds": 20,
                "rounds_with_exactly_one_winner": 20,
                "wins_per_process": [11, 9],
                "loser_p99_ms": 95.5,
            },
            "overlapping_pairs": 0,
            "insert_concurrency": [1, 16],
            "inserts_per_second": {"plain": [320.0, 2650.4], "hold": [480.0, 1250.0]},
        }
    )
    row = next(li for li in lines if li.startswith("| two processes |"))
    assert row == (
        "| two processes | 850 (450 + 400) | 80.0 | 900 / 100 / 0 / 0 | 0.90 | 0.60 | 75% | 98% "
        "| 24 | 6.0 |"
    )
    assert any(
        "one winner in 20/20 rounds (wins per process [11, 9])" in li
        and "Nights sold twice: 0." in li
        for li in lines
    )
    assert "| plain | 320 | 2650 |" in lines
    assert "| hold | 480 | 1250 |" in lines
