"""The scale sweep's sizes and tables: what BENCH_SCALE accepts, that each size keeps the seed's
per-cabin shape (the default size is exactly `make bench`'s data), and the arithmetic of the
reports (ratios per size, growth against the default size, seconds per feed)."""

from __future__ import annotations

from typing import Any

import pytest
from benchmarks import scale, seed
from benchmarks.run import combine


def test_sizes_are_cabins_by_reservations_in_the_given_order() -> None:
    assert seed.parse_scale("10x50000, 200×50000,50x500000,") == [
        seed.Scale(10, 50_000),
        seed.Scale(200, 50_000),
        seed.Scale(50, 500_000),
    ]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("", "no sizes"),
        ("50", "not a size"),
        ("50x5e4", "not a size"),
        ("1x50000", "at least 2 cabins"),
        ("500x40000", "at least 100 reservations per cabin"),
    ],
)
def test_sizes_the_layout_cannot_hold_are_refused(text: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        seed.parse_scale(text)


def test_every_size_keeps_the_rows_per_cabin_and_the_future_stays() -> None:
    for size in (seed.Scale(10, 50_000), seed.Scale(200, 50_000), seed.Scale(50, 500_000)):
        assert size.past_per_cabin + seed.FUTURE_PER_CABIN + size.noise_per_cabin == size.per_cabin
        assert size.noise_per_cabin >= 0
        sql = "\n".join(seed.seed_sql(size))
        assert f"generate_series(1, {size.cabins}) a" in sql
        assert f"generate_series(0, {size.past_per_cabin - 1}) i" in sql
        assert f"generate_series(0, {seed.FUTURE_PER_CABIN - 1}) i" in sql
        assert f"generate_series(0, {size.noise_per_cabin - 1}) i" in sql
    # Ten times the history: the confirmed past reaches ten times further back.
    assert seed.Scale(50, 500_000).history_days == 10 * seed.DEFAULT.history_days


def test_the_default_size_is_make_bench_data() -> None:
    assert seed.Scale(50, 50_000) == seed.DEFAULT
    assert seed.seed_sql(seed.DEFAULT) == seed.SEED_SQL
    sql = "\n".join(seed.SEED_SQL)
    # 300 confirmed past stays over 1,200 days, 60 future, 640 noise rows over 1,740 days.
    assert "generate_series(0, 299) i" in sql
    assert "current_date - 1200 + i * 4" in sql
    assert "generate_series(0, 639) i" in sql
    assert "% 1740" in sql


def _run(rps: float, p99: float, created: int = 0, conflict: int = 0) -> dict[str, Any]:
    return {
        "requests": int(rps * 5),
        "created": created,
        "conflict": conflict,
        "client_errors": 0,
        "server_errors": 0,
        "socket_errors": 0,
        "rps": rps,
        "p50_ms": p99 / 3,
        "p95_ms": p99 / 2,
        "p99_ms": p99,
        "max_ms": p99 * 2,
        "connections_per_worker": [8, 8],
    }


def _size(ours: dict[str, float], ref: dict[str, float]) -> dict[str, Any]:
    return {
        "apps": {
            "ours": {s: combine([_run(v, 20.0, created=7, conflict=3)]) for s, v in ours.items()},
            "reference": {s: combine([_run(v, 40.0)]) for s, v in ref.items()},
        }
    }


RESULTS = {
    "10x50000": _size(
        {"availability": 1200, "booking": 500}, {"availability": 1000, "booking": 800}
    ),
    "50x50000": _size({"availability": 600, "booking": 500}, {"availability": 500, "booking": 800}),
    "200x50000": _size(
        {"availability": 150, "booking": 450}, {"availability": 125, "booking": 800}
    ),
}


def test_each_size_gets_both_apps_figures_and_the_ratios() -> None:
    lines = scale.size_table(RESULTS)
    row = next(li for li in lines if li.startswith("| 200x50000 | availability |"))
    assert (
        row
        == "| 200x50000 | availability | 150 | 20.0 | 125 | 40.0 | 120% | 0.50× | 7 / 3 / 0 / 0 |"
    )
    assert sum(li.startswith("| 10x50000 |") for li in lines) == 2


def test_growth_is_each_apps_throughput_against_the_default_size() -> None:
    lines = scale.growth_table(RESULTS)
    assert lines[0] == "| scenario | app | 10x50000 | 50x50000 | 200x50000 |"
    assert "| availability | ours | 1200 (2.00×) | 600 (1.00×) | 150 (0.25×) |" in lines
    assert "| booking | reference | 800 (1.00×) | 800 (1.00×) | 800 (1.00×) |" in lines


def test_without_the_default_size_growth_shows_plain_throughput() -> None:
    lines = scale.growth_table({"10x50000": RESULTS["10x50000"]})
    assert "| availability | ours | 1200 |" in lines


def test_the_sync_table_gives_seconds_per_feed_and_the_worst_share_of_the_interval() -> None:
    def passes(feeds: int, first: float, second: float) -> dict[str, Any]:
        return {
            "feeds": feeds,
            "budget_s": 300,
            "passes": [{"seconds": first}, {"seconds": second}, {"seconds": 0.05}],
        }

    lines = scale.sync_table([passes(10, 8.0, 6.0), passes(100, 90.0, 60.0)])
    assert lines[2] == "| 10 | 8.00 | 0.800 | 6.00 | 0.600 | 0.05 | 2.7% |"
    assert lines[3] == "| 100 | 90.00 | 0.900 | 60.00 | 0.600 | 0.05 | 30.0% |"
