"""Outermost middleware: a trace id for every request (in the logs and the X-Request-ID
header), one JSON access line, the HTTP metrics labelled by route template, and the
keep-alive connections recycled after ``KEEPALIVE_REQUESTS`` answers.

Why recycle: each server worker keeps the connections it accepted, and a proxy (Fly's, or a
load generator) holds a few long-lived ones. Whichever worker happened to be waiting when
they opened keeps them — 16 of 16 on one of two workers has been seen — and then one core
serves everything while the other idles. An answer with ``Connection: close`` ends its
connection; the client's next one is accepted by a worker that is free to accept it, the
less busy one, so the split evens out within seconds.

A client that hangs up before its answer starts (a body cut short, a request abandoned) is
recorded as 499, nginx's "client closed request": whatever the app answered to nobody (a 500
for the body that never came) is not a fault of ours, and must not count towards the 5xx rate
the error alert watches."""

from __future__ import annotations

import functools
import re
import time
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

from adapters.prometheus.metrics import HTTP_REQUEST_DURATION, HTTP_REQUESTS
from entrypoints.logs import log_access, trace_id_from, trace_id_var
from entrypoints.urls import api_path

CLIENT_CLOSED_REQUEST = 499  # the client left before the answer started
UNMATCHED_ROUTE = "unmatched"  # every unknown path shares one label value (bounded cardinality)
_PARAM_TYPE = re.compile(r"\{(\w+):\w+\}")
_QUIET = frozenset({api_path("healthz"), api_path("readyz"), "/metrics"})


def route_template(scope: Scope) -> str:
    template = scope.get("path_template")  # set by Litestar's router once it matched a route
    if not template:
        return UNMATCHED_ROUTE
    return _route_label(str(template))


@functools.lru_cache(maxsize=512)  # keyed by the app's route templates: a bounded set
def _route_label(template: str) -> str:
    return _PARAM_TYPE.sub(r"{\1}", template)


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp, client_ip: Any, keepalive_requests: int = 0) -> None:
        self.app = app
        self.client_ip = client_ip  # callable(scope) -> str, the same rule as the rate limit
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self.keepalive_requests = keepalive_requests  # 0: connections are never recycled
        # Answers so far per connection (the peer's address and port name one connection).
        self._answered: dict[Any, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        trace_id = trace_id_from(
            (headers.get(b"traceparent") or b"").decode("latin-1") or None,
            (headers.get(b"x-request-id") or b"").decode("latin-1") or None,
        )
        token = trace_id_var.set(trace_id)
        status = 500
        answering = left = False
        started = time.perf_counter()
        extra = [(b"x-request-id", trace_id.encode())]
        if self.keepalive_requests and self._last_answer_on_connection(scope):
            extra.append((b"connection", b"close"))

        async def receive_watched() -> ReceiveMessage:
            nonlocal left
            message = await receive()
            if message["type"] == "http.disconnect" and not answering:
                left = True
            return message

        async def send_traced(message: Message) -> None:
            nonlocal status, answering
            if message["type"] == "http.response.start":
                status = message["status"]
                answering = True
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, receive_watched, send_traced)
        finally:
            if left:
                status = CLIENT_CLOSED_REQUEST
            elapsed = time.perf_counter() - started
            method, route = scope["method"], route_template(scope)
            series = self._series.get((method, route, status))
            if series is None:
                # Few combinations exist (routes × methods × statuses): resolve each once.
                labels = {"method": method, "route": route, "status": str(status)}
                series = (HTTP_REQUEST_DURATION.labels(**labels), HTTP_REQUESTS.labels(**labels))
                self._series[(method, route, status)] = series
            series[0].observe(elapsed)
            series[1].inc()
            if scope["path"] not in _QUIET or status >= 500:
                log_access(method, route, status, round(elapsed * 1000, 2), self.client_ip(scope))
            trace_id_var.reset(token)

    def _last_answer_on_connection(self, scope: Scope) -> bool:
        connection: Any = scope.get("client")
        if connection is None:
            return False
        if type(connection) is not tuple:  # ASGI allows any pair; a list is not hashable
            connection = tuple(connection)
        answered = self._answered
        count = answered.get(connection, 0) + 1
        if count >= self.keepalive_requests:
            answered.pop(connection, None)
            return True
        if count == 1 and len(answered) >= _CONNECTIONS_TRACKED:
            # Connections the client closed first leave their count behind: start afresh
            # (the worst this does is let some connections serve a few more answers).
            answered.clear()
        answered[connection] = count
        return False


# More connections than one worker holds at once (each costs a dict entry: ~100 bytes).
_CONNECTIONS_TRACKED = 4096
