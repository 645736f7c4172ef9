"""Outermost middleware: a trace id for every request (in the logs and the X-Request-ID
header), one JSON access line, and the HTTP metrics labelled by route template."""

from __future__ import annotations

import functools
import re
import time
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from adapters.prometheus.metrics import HTTP_REQUEST_DURATION, HTTP_REQUESTS
from entrypoints.logs import log_access, trace_id_from, trace_id_var
from entrypoints.urls import api_path

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
    def __init__(self, app: ASGIApp, client_ip: Any) -> None:
        self.app = app
        self.client_ip = client_ip  # callable(scope) -> str, the same rule as the rate limit
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}

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
        started = time.perf_counter()

        async def send_traced(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", trace_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_traced)
        finally:
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
