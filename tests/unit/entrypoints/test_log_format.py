"""The JSON line's exact shape, where operators depend on more than its parse."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

from entrypoints.logs import JsonFormatter

SRC = Path(__file__).resolve().parents[3] / "src"


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


def test_uvicorns_own_lines_are_json_too() -> None:
    """The production launcher passes --log-config src/entrypoints/uvicorn_log.json, so the
    parent process's lines ("Started parent process", "Waiting for child process") are JSON
    objects like every other line, without uvicorn's ANSI-coloured copy of the message. (A
    process of its own: logging's configuration is global.)"""
    config = str(SRC / "entrypoints" / "uvicorn_log.json")
    script = f"""
import json, logging, logging.config
logging.config.dictConfig(json.loads(open({config!r}).read()))
logging.getLogger("uvicorn.error").info(
    "Started parent process [%d]", 42, extra={{"color_message": "\\x1b[1m%d\\x1b[0m"}}
)
logging.getLogger("uvicorn.access").info("access line, not wanted")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=30
    )
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    entry = json.loads(lines[0])
    assert (entry["event"], entry["logger"], entry["level"]) == (
        "Started parent process [42]",
        "uvicorn.error",
        "info",
    )
    assert "color_message" not in entry


def test_the_access_line_is_the_line_the_logging_call_would_write() -> None:
    """``log_access`` builds its record and its line without the logging module's per-call
    work; the line must stay byte for byte what ``access_log.info(...)`` writes (saved
    searches match its spacing), the time apart."""
    from entrypoints.logs import access_log, log_access, trace_id_var

    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(JsonFormatter().format(record))

    handler = Keep()
    access_log.addHandler(handler)
    old_level = access_log.level
    access_log.setLevel(logging.INFO)
    token = trace_id_var.set("0af7651916cd43dd8448eb211c80319c")
    try:
        fields = ("POST", "/api/v1/reservations", 201, 12.5, "198.51.100.7")
        log_access(*fields)
        access_log.info(
            "%s %s %s",
            *fields[:3],
            extra=dict(
                zip(("method", "route", "status", "duration_ms", "client_ip"), fields, strict=True)
            )
            | {"_trusted_event": True},
        )
        access_log.setLevel(logging.WARNING)
        log_access(*fields)  # below the level: no line
    finally:
        trace_id_var.reset(token)
        access_log.setLevel(old_level)
        access_log.removeHandler(handler)
    fast, slow = (line.split('"level"', 1)[1] for line in lines)
    assert len(lines) == 2
    assert fast == slow


def test_the_access_line_written_straight_to_the_json_handler_is_the_same_line() -> None:
    """With ``configure_logging``'s handler alone (the production setup), ``log_access`` writes
    its line to the handler's stream itself: byte for byte the line ``access_log.info(...)``
    writes through the handler, the time apart; a filter on the logger sends it back through
    the handlers (and the filter is obeyed)."""
    import io

    from entrypoints.logs import access_log, log_access, trace_id_var

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    saved = root.handlers[:], root.level, access_log.level, access_log.handlers[:]
    root.handlers[:] = [handler]
    access_log.handlers[:] = []
    access_log.setLevel(logging.INFO)
    token = trace_id_var.set("0af7651916cd43dd8448eb211c80319c")
    fields = ("POST", "/api/v1/reservations/{code:str}", 201, 12.5, "2001:db8::7")
    # Escaping (a quote, a backslash, a control and a non-ASCII character), and values of other
    # types (an IntEnum status, a non-finite duration) that take json.dumps's own path.
    odd = ("GET", '/panel/"cabaña"\\\n\u2028', 404, 0.25, "::1")
    other = ("GET", "/panel/", HTTPStatus.NOT_FOUND, float("nan"), "::1")
    names = ("method", "route", "status", "duration_ms", "client_ip")
    try:
        for sent in (fields, odd, other):
            log_access(*sent)
            extra = dict(zip(names, sent, strict=True)) | {"_trusted_event": True}
            access_log.info("%s %s %s", *sent[:3], extra=extra)
        trace_id_var.set("")  # an empty trace id, as the record would carry it
        log_access(*fields)
        extra = dict(zip(names, fields, strict=True)) | {"_trusted_event": True}
        access_log.info("%s %s %s", *fields[:3], extra=extra)
        access_log.addFilter(lambda record: record.__dict__["status"] != 201)
        log_access(*fields)  # filtered out: no line
    finally:
        trace_id_var.reset(token)
        root.handlers[:], _, _, access_log.handlers[:] = saved
        root.setLevel(saved[1])
        access_log.setLevel(saved[2])
        access_log.filters.clear()
    lines = stream.getvalue().split("\n")
    assert lines[-1] == ""  # every line ends with the handler's terminator
    lines = lines[:-1]
    assert len(lines) == 8
    fast, slow, fast_odd, slow_odd, fast_other, slow_other, fast_untraced, slow_untraced = (
        line.split('"level"', 1)[1] for line in lines
    )
    assert fast == slow
    assert fast_odd == slow_odd
    assert fast_other == slow_other
    assert fast_untraced == slow_untraced
    assert '"route": "/panel/\\"cabaña\\"\\\\\\n\u2028"' in fast_odd
    assert '"status": 404, "duration_ms": NaN' in fast_other
    assert '"trace_id": "0af7651916cd43dd8448eb211c80319c"' in fast
    assert lines[0].startswith('{"timestamp": "')
