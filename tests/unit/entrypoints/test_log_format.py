"""The JSON line's exact shape, where operators depend on more than its parse."""

from __future__ import annotations

import json
import logging

from entrypoints.logs import JsonFormatter


def access_record(status: int, **extra: object) -> logging.LogRecord:
    fields = {"method": "GET", "route": "/api/v1/availability", "status": status, **extra}
    return logging.makeLogRecord(
        {"name": "cabanas.access", "levelname": "ERROR", "msg": "GET %s", "args": (status,)}
        | fields
    )


def test_a_5xx_line_matches_the_documented_saved_search() -> None:
    # docs/operations/logging.md tells operators to search for `"status": 5` (5xx errors).
    line = JsonFormatter().format(access_record(503))
    assert '"status": 5' in line
    assert '"status": 5' not in JsonFormatter().format(access_record(404))


def test_a_string_that_is_not_valid_utf8_still_gives_a_line() -> None:
    # A lone surrogate (e.g. from a client token decoded by json.loads) must not drop the line.
    line = JsonFormatter().format(access_record(400, note="bad \ud800 token"))
    entry = json.loads(line)
    assert entry["status"] == 400
    assert entry["note"].startswith("bad ")
