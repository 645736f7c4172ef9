"""The trace id of the work in progress, as a context variable.

The HTTP edge sets it per request (from ``traceparent`` / ``X-Request-ID`` or a new one); every
log line reads it; outbox rows store it when written, and the worker restores it while it sends
them — so one search by trace id follows a request into the jobs it caused.

It sits with the ports because every layer shares it: the outbox adapter writes it, the
dispatcher restores it, the log formatter reads it.
"""

from __future__ import annotations

import contextvars

current_trace: contextvars.ContextVar[str | None] = contextvars.ContextVar("trace_id", default=None)
