"""Structured logs: one JSON object per line, a trace id on every line, PII and secrets masked.

The standard library is enough (a Formatter, a Filter and a ContextVar); structlog would add a
dependency and a second logging pipeline for the same result.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import secrets
import sys
import threading
import time
from datetime import UTC, datetime
from json.encoder import encode_basestring as _json_str
from typing import Any

from application.ports.tracing import current_trace

# One variable for the whole process (the application layer owns it; see
# application.ports.tracing).
trace_id_var = current_trace

_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# What must never reach a log line, and what it becomes.
_REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+"), r"\1 [redacted]"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), "[jwt redacted]"),
    (
        re.compile(
            r"(?i)\b(authorization|x-hub-signature-256|x-signature|password|passwd|secret|token|"
            r"access_token|api_key|apikey|jwt_secret|ics_salt)(\"?\s*[:=]\s*\"?)([^\s\",;]+)"
        ),
        r"\1\2[redacted]",
    ),
    (
        re.compile(r"(?i)(postgres(?:ql)?(?:\+asyncpg)?|rediss?)://([^:/@\s]+):([^@\s]+)@"),
        r"\1://\2:[redacted]@",
    ),
    (
        re.compile(r"\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b"),
        r"\1***@\2",
    ),
    # Phone numbers, recognised by their shape or by where they stand — never as any run of
    # digits, so timestamps, ids, amounts and addresses come out intact. The last two digits
    # stay (enough to tell two guests apart in an incident).
    # E.164-shaped: "+" and 9 to 16 digits, separators allowed ("+54 9 11 5555-1234").
    (re.compile(r"(?<![\d+])\+\d(?:[\s().-]?\d){6,13}(\d{2})(?!\d)"), r"***\1"),
    # Named: phone …, wa_id=…, "to": "…" (from/to only with ":" or "="), and WhatsApp links
    # (wa.me/549…). Dates are not phones.
    (
        re.compile(
            r"(?i)(\b(?:guest_phone|phone|telefono|celular|wa_id|whatsapp)[\"']?\s*[:=]?\s*[\"']?"
            r"|\b(?:from|to|recipient)[\"']?\s*[:=]\s*[\"']?|\bwa\.me/)"
            r"(?!\d{4}-\d{2}-\d{2})\+?(?:\d[\s().-]?){5,13}(\d{2})(?!\d)"
        ),
        r"\1***\2",
    ),
)
# Structured fields that hold a phone number whatever it looks like.
_PHONE_FIELDS = frozenset({"phone", "guest_phone", "wa_id", "to", "from", "recipient"})


def redact(text: str) -> str:
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


def _scrubbed(value: Any) -> Any:
    """A structured field as logged: its text redacted, inside lists and mappings too (a
    template's parameters may carry a wa.me link)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_scrubbed(item) for item in value]
    if isinstance(value, dict):
        return {
            k: _masked_phone(str(v))
            if k in _PHONE_FIELDS and isinstance(v, str | int)
            else _scrubbed(v)
            for k, v in value.items()
        }
    return value


def _masked_phone(value: str) -> str:
    digits = [c for c in value if c in "0123456789"]
    return "***" + "".join(digits[-2:])


def trace_id_from(traceparent: str | None, request_id: str | None) -> str:
    """W3C traceparent's trace id if valid, else a sane X-Request-ID, else a new one."""
    match = _TRACEPARENT.match(traceparent.strip().lower()) if traceparent else None
    if match and match.group(1) != "0" * 32:
        return match.group(1)
    if request_id and _REQUEST_ID.match(request_id.strip()):
        return request_id.strip()
    return secrets.token_hex(16)


# uvicorn adds ``color_message`` (the message again, with ANSI colour codes) to its records.
_STANDARD = frozenset(vars(logging.makeLogRecord({})).keys()) | {
    "message",
    "asctime",
    "color_message",
}
# Structured fields we write ourselves and that hold no PII or secrets by construction
# (an address like 198.51.100.23 would otherwise look like a phone number to the redactor).
_TRUSTED_FIELDS = frozenset({"method", "route", "status", "duration_ms", "client_ip"})


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if record.__dict__.get("_access"):
            return _access_json(record)
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            # The access line's message is built from the method, the route *template* and the
            # status: nothing to redact, and it is written once per request.
            "event": (
                record.getMessage()
                if getattr(record, "_trusted_event", False)
                else redact(record.getMessage())
            ),
            "trace_id": getattr(record, "trace_id", None) or trace_id_var.get(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key != "trace_id" and not key.startswith("_"):
                if key in _PHONE_FIELDS and isinstance(value, str | int):
                    entry[key] = _masked_phone(str(value))
                    continue
                entry[key] = value if key in _TRUSTED_FIELDS else _scrubbed(value)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        # json.dumps, not msgspec: its `"key": value` spacing is what saved searches match
        # (docs/operations/logging.md), and it writes any str, even one msgspec refuses to
        # encode as UTF-8 (a lone surrogate), instead of dropping the line.
        return json.dumps(entry, ensure_ascii=False, default=str)


def _access_json(record: logging.LogRecord) -> str:
    """``JsonFormatter``'s line for an access record (``log_access``), field for field: the
    same keys in the same order, none of them needing redaction (the event is the method, the
    route template and the status; the rest are trusted fields)."""
    fields = record.__dict__
    return json.dumps(
        {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
            "trace_id": fields.get("trace_id") or trace_id_var.get(),
            "method": fields["method"],
            "route": fields["route"],
            "status": fields["status"],
            "duration_ms": fields["duration_ms"],
            "client_ip": fields["client_ip"],
        },
        ensure_ascii=False,
        default=str,
    )


access_log = logging.getLogger("cabanas.access")
_ACCESS_LOGGER = _json_str(access_log.name)
_ACCESS_PATH = __file__
_process_names: dict[int, str] = {}
_STARTED = time.time()


def log_access(method: str, route: str, status: int, duration_ms: float, client_ip: str) -> None:
    """One request's access line on ``cabanas.access`` at INFO: the line ``access_log.info``
    would write. Written once per request, so this is on every request's path: when the only
    handler the line would reach is ``configure_logging``'s (a plain stream handler with
    ``JsonFormatter``, nothing filtering on the way), the line is written straight to its
    stream, under its lock; otherwise a record goes through the handlers as usual."""
    if not access_log.isEnabledFor(logging.INFO):
        return
    now = time.time()
    handler = _plain_json_handler()
    if handler is None:
        access_log.handle(_access_record(now, method, route, status, duration_ms, client_ip))
        return
    line = _access_line(now, method, route, status, duration_ms, client_ip)
    try:
        with handler.lock:  # type: ignore[union-attr]  # created by Handler.__init__
            handler.stream.write(line + handler.terminator)
            handler.stream.flush()
    except Exception:  # as StreamHandler.emit: reported by the handler, never raised
        handler.handleError(_access_record(now, method, route, status, duration_ms, client_ip))


def _access_line(
    now: float, method: str, route: str, status: int, duration_ms: float, client_ip: str
) -> str:
    """``_access_json``'s line from the values themselves: the same keys, order and spacing
    (``json.dumps``'s), its string escaping (``encode_basestring``, what ``json.dumps`` uses
    with ``ensure_ascii=False``) and its ``repr`` of numbers; any other type or a non-finite
    duration goes through ``json.dumps`` itself."""
    timestamp = datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds")
    trace = trace_id_var.get()
    event = f"{method} {route} {status}"
    if (
        type(status) is not int
        or type(duration_ms) is not float
        or not math.isfinite(duration_ms)
        or type(method) is not str
        or type(route) is not str
        or type(client_ip) is not str
        or (trace is not None and type(trace) is not str)
    ):
        return json.dumps(
            {
                "timestamp": timestamp,
                "level": "info",
                "logger": access_log.name,
                "event": event,
                "trace_id": trace,
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": duration_ms,
                "client_ip": client_ip,
            },
            ensure_ascii=False,
            default=str,
        )
    return (
        f'{{"timestamp": "{timestamp}", "level": "info", "logger": {_ACCESS_LOGGER}, '
        f'"event": {_json_str(event)}, '
        f'"trace_id": {"null" if trace is None else _json_str(trace)}, '
        f'"method": {_json_str(method)}, "route": {_json_str(route)}, '
        f'"status": {status!r}, "duration_ms": {duration_ms!r}, '
        f'"client_ip": {_json_str(client_ip)}}}'
    )


def _plain_json_handler() -> logging.StreamHandler[Any] | None:
    """The one handler an access record would reach, if it is exactly the plain JSON stream
    handler (``configure_logging``'s) and nothing on the way filters, disables or adds a
    handler; None otherwise (a test's handler, a filter, another configuration)."""
    logger: logging.Logger | None = access_log
    if access_log.filters or access_log.disabled:
        return None
    found: logging.Handler | None = None
    while logger is not None:
        for handler in logger.handlers:
            if found is not None:
                return None
            found = handler
        if not logger.propagate:
            break
        logger = logger.parent
    if (
        type(found) is not logging.StreamHandler
        or type(found.formatter) is not JsonFormatter
        or found.filters
        or found.level > logging.INFO
    ):
        return None
    return found


def _access_record(
    now: float, method: str, route: str, status: int, duration_ms: float, client_ip: str
) -> logging.LogRecord:
    """The record ``access_log.info`` would make (every standard attribute set), built without
    ``LogRecord.__init__``'s per-call work (caller lookup, path splitting, thread and process
    names); ``JsonFormatter`` formats it without walking its attributes."""
    record = logging.LogRecord.__new__(logging.LogRecord)
    pid = os.getpid()
    process_name = _process_names.get(pid)
    if process_name is None:
        process_name = _process_names[pid] = _process_name()
    thread = threading.current_thread()
    record.__dict__.update(
        name=access_log.name,
        msg="%s %s %s",
        args=(method, route, status),
        levelname="INFO",
        levelno=logging.INFO,
        pathname=_ACCESS_PATH,
        filename=os.path.basename(_ACCESS_PATH),
        module="logs",
        exc_info=None,
        exc_text=None,
        stack_info=None,
        lineno=0,
        funcName="log_access",
        created=now,
        msecs=(now * 1000) % 1000,
        relativeCreated=(now - _STARTED) * 1000,  # since this module loaded
        thread=thread.ident,
        threadName=thread.name,
        processName=process_name,
        process=pid,
        taskName=None,
        method=method,
        route=route,
        status=status,
        duration_ms=duration_ms,
        client_ip=client_ip,
        _trusted_event=True,
        _access=True,
    )
    return record


def _process_name() -> str:
    mp = sys.modules.get("multiprocessing")
    return mp.current_process().name if mp is not None else "MainProcess"


class ConsoleFormatter(logging.Formatter):
    """Human-readable, for development only (LOG_FORMAT=console); still redacted."""

    def format(self, record: logging.LogRecord) -> str:
        base = super().format(record)
        trace = trace_id_var.get()
        return redact(f"{base} trace_id={trace}" if trace else base)


def log_format(settings: Any) -> str:
    return (
        "console"
        if settings.log_format == "console" and settings.environment == "development"
        else "json"
    )


def configure_logging(level: str, fmt: str = "json") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        ConsoleFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
        if fmt == "console"
        else JsonFormatter()
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Their own handlers would bypass the JSON format and the redaction.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "litestar", "granian"):
        lg = logging.getLogger(name)
        lg.handlers[:] = []
        lg.propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # we write our own access line
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
