"""The in-process driver's requests and its server CPU reading."""

from __future__ import annotations

import datetime as dt
import json
import os
import time

from benchmarks.inprocess import request_for, servers_cpu


def test_conflict_requests_all_ask_for_the_same_night() -> None:
    today = dt.date(2026, 12, 2)
    bodies = [json.loads(request_for("conflict", i, today)[3]) for i in range(50)]
    stays = {(b["accommodation_id"], b["check_in"], b["check_out"]) for b in bodies}
    assert len(stays) == 1  # one winner, then the hot spot's losers
    assert len({b["guest_phone"] for b in bodies}) == 50  # no hold limit in the way


def test_server_cpu_counts_a_process_and_its_children() -> None:
    start = servers_cpu((os.getpid(),))
    deadline = time.process_time() + 0.1
    while time.process_time() < deadline:  # burn 100 ms of CPU in this process
        pass
    assert servers_cpu((os.getpid(),)) - start >= 0.05


def test_spread_bookings_ask_for_free_nights_on_many_cabins() -> None:
    today = dt.date(2026, 12, 2)
    bodies = [json.loads(request_for("spread", i, today)[3]) for i in range(200)]
    assert len({b["accommodation_id"] for b in bodies}) > 20
    assert all(1 <= b["accommodation_id"] <= 49 for b in bodies)  # never the hot spot's cabin
    # Nights that start free in the seeded data: 5 + 9k + 2 … 5 + 9k + 8 days from today.
    offsets = {(dt.date.fromisoformat(b["check_in"]) - today).days for b in bodies}
    assert all((d - 5) % 9 >= 2 for d in offsets)
    assert len({b["guest_phone"] for b in bodies}) == 200


def test_wrk_cpu_runs_ours_once_more_per_setting() -> None:
    from benchmarks.wrk_cpu import variants

    assert variants("") == [("ours", "ours", {}), ("reference", "reference", {})]
    assert variants("RATE_LIMIT_PER_MINUTE=0; LOG_LEVEL=warning") == [
        ("ours", "ours", {}),
        ("ours RATE_LIMIT_PER_MINUTE=0", "ours", {"RATE_LIMIT_PER_MINUTE": "0"}),
        ("ours LOG_LEVEL=warning", "ours", {"LOG_LEVEL": "warning"}),
        ("reference", "reference", {}),
    ]
