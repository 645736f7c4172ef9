"""The CPU curve's table: medians per app and size, each against the default size, and ours
against the reference."""

from __future__ import annotations

from benchmarks import cpu_curve


def test_medians_their_growth_and_the_ratio_per_size() -> None:
    curve = {
        "10x50000": {
            "availability": {"ours": [2.0, 3.0, 2.4], "reference": [0.5, 0.7, 0.6]},
            "booking": {"ours": [1.0], "reference": [0.4]},
        },
        "50x50000": {
            "availability": {"ours": [4.8], "reference": [0.8]},
            "booking": {"ours": [1.1], "reference": [0.4]},
        },
    }
    lines = cpu_curve.table(curve)
    assert lines[0] == "| request | app | 10x50000: ms CPU | 50x50000: ms CPU |"
    assert "| availability | ours | 2.400 (0.50×) | 4.800 |" in lines
    assert "| availability | reference | 0.600 (0.75×) | 0.800 |" in lines
    assert "| availability | ours / reference | 4.0× | 6.0× |" in lines
    assert "| booking | ours / reference | 2.5× | 2.8× |" in lines
    assert not any(line.startswith("| lookup") for line in lines)


def test_a_size_missing_a_measurement_says_so() -> None:
    curve = {"200x50000": {"lookup": {"ours": [1.2], "reference": []}}}
    lines = cpu_curve.table(curve)
    assert "| lookup | reference | n/a |" in lines
    assert "| lookup | ours / reference | n/a |" in lines
