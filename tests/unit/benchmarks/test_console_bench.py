"""The console bench's table: its verdict needs p95 under the target and no failed page."""

from __future__ import annotations

import datetime as dt

from benchmarks import console


def run(p95: float, client_errors: int = 0) -> dict[str, float | int]:
    return {
        "rps": 300.0,
        "p50_ms": 10.0,
        "p95_ms": p95,
        "p99_ms": p95 + 5,
        "client_errors": client_errors,  # a redirect to sign-in counts here (console.lua)
        "server_errors": 0,
        "socket_errors": 0,
    }


def test_a_page_meets_the_target_only_fast_and_signed_in() -> None:
    lines = console.report(
        {"scenarios": {"fast": run(20), "slow": run(60), "signed out": run(5, client_errors=3)}}
    )
    assert lines[2].endswith("< 50 ms: ✅ |")
    assert lines[3].endswith("< 50 ms: ❌ |")
    assert lines[4].endswith("< 50 ms: ❌ |")


def test_the_scenarios_are_hoy_and_sixty_nights_from_the_first_of_the_month() -> None:
    [(_, hoy), (_, calendar)] = console.scenarios(dt.date(2026, 12, 17))
    assert hoy == "/panel/"
    assert calendar == "/panel/calendario?desde=2026-12-01&dias=60"


def test_the_in_process_costs_are_tabled_with_both_sizes() -> None:
    cost = {"cpu_ms": 9.66, "cpu_ms_uncompressed": 8.1, "bytes_sent": 11547, "bytes": 173897}
    lines = console.report({"scenarios": {}, "costs": {"GET /panel/calendario": cost}})
    assert lines[-1] == "| GET /panel/calendario | 9.66 / 8.10 | 11,547 | 173,897 |"
