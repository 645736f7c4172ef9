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
