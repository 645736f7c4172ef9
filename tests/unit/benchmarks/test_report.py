"""The bench report's arithmetic: what it averages, what it keeps the worst of, and the verdicts
it prints for both apps (the harness itself runs under `make bench`, not here)."""

from __future__ import annotations

from typing import Any

from benchmarks import run


def wrk_run(
    rps: float, p99: float, *, server_errors: int = 0, split: list[int] | None = None
) -> dict[str, Any]:
    return {
        "requests": int(rps * 10),
        "created": 0,
        "conflict": 0,
        "client_errors": 0,
        "server_errors": server_errors,
        "socket_errors": 0,
        "rps": rps,
        "p50_ms": p99 / 2,
        "p95_ms": p99 * 0.8,
        "p99_ms": p99,
        "max_ms": p99 * 2,
        "connections_per_worker": split,
    }


def test_repeats_average_throughput_and_keep_the_worst_tail() -> None:
    combined = run.combine([wrk_run(800, 20), wrk_run(600, 40, server_errors=1)])

    assert combined["rps"] == 700
    assert combined["p50_ms"] == 15
    assert combined["p99_ms"] == 40
    assert combined["max_ms"] == 80
    assert combined["requests"] == 14000
    assert combined["server_errors"] == 1


def test_a_target_is_met_only_under_it_and_without_server_errors() -> None:
    assert run.verdict(wrk_run(900, 29.9), 30) == "✅"
    assert run.verdict(wrk_run(900, 30.0), 30) == "❌"
    assert run.verdict(wrk_run(900, 10.0, server_errors=1), 30) == "❌"


def test_the_table_gives_the_ratio_and_both_apps_verdicts(monkeypatch: Any) -> None:
    label = "GET /api/v1/availability"
    monkeypatch.setattr(run, "SCENARIOS", [s for s in run.SCENARIOS if s[0] == label])
    hot = {
        "clients": 50,
        "rounds": 40,
        "rounds_with_exactly_one_winner": 40,
        "winner_p99_ms": 50.0,
        "loser_p50_ms": 45.0,
        "loser_p99_ms": 80.0,
        "statuses": {201: 40, 409: 1960},
    }
    open_loop = {
        "rate": 100.0,
        "seconds": 60.0,
        "sent": 6000,
        "p50_ms": 5.0,
        "p95_ms": 8.0,
        "p99_ms": 10.0,
        "errors": 0,
        "error_rate": 0.0,
    }
    results = {
        "ours": {
            label: run.combine([wrk_run(900, 28, split=[8, 8]), wrk_run(900, 29, split=[9, 7])]),
            "hot_spot": hot,
            "open_loop": open_loop,
        },
        "reference": {
            label: run.combine([wrk_run(600, 42, split=[11, 5]), wrk_run(600, 35)]),
            "hot_spot": hot,
        },
    }

    lines = run.report(results)

    row = next(li for li in lines if li.startswith(f"| {label} |"))
    assert "| 900 | 14.2 / 22.8 / 29.0 | 600 | 42.0 | 150% | < 30 ms: ✅, ❌ | – | – |" in row
    split_row = next(li for li in lines if "connections per worker" in li)
    assert "ours 8/8, 9/7" in split_row
    assert "reference 11/5, ?" in split_row
    assert "rate limit" not in split_row
    # Every row has the header's number of cells.
    widths = {li.count("|") for li in lines}
    assert widths == {lines[0].count("|")}

    # The reference with the service's rate limit: its throughput and tail, and ours against it.
    results[run.LIMITED] = {
        label: run.combine([wrk_run(400, 50, split=[8, 8]), wrk_run(600, 45, split=[10, 6])])
    }
    lines = run.report(results)

    row = next(li for li in lines if li.startswith(f"| {label} |"))
    assert row.endswith("| < 30 ms: ✅, ❌ | 500, 50.0 | 180% |")
    split_row = next(li for li in lines if "connections per worker" in li)
    assert "reference 11/5, ?, + rate limit 8/8, 10/6" in split_row
    assert {li.count("|") for li in lines} == {lines[0].count("|")}
