"""Outermost middleware: a trace id for every request (in the logs and the X-Request-ID
header), one JSON access line, the HTTP metrics labelled by route template, and the
keep-alive connections recycled after ``KEEPALIVE_REQUESTS`` answers; and a HEAD answered by
its GET route, without the body (``head.py``), for every layer inside to see as a GET.

Why recycle: each server worker keeps the connections it accepted, and a proxy (Fly's, or a
load generator) holds a few long-lived ones. Whichever worker happened to be waiting when
they opened keeps them — 16 of 16 on one of two workers has been seen — and then one core
serves everything while the other idles. An answer with ``Connection: close`` ends its
connection; the client's next one is accepted by a worker that is free to accept it, the
less busy one, so the split evens out within seconds.

A client that hangs up before its answer starts (a body cut short, a request abandoned) is
recorded as 499, nginx's "client closed request": whatever the app answered to nobody (a 500
for the body that never came) is not a fault of ours, and must not count towards the 5xx rate
the error alert watches.

A client that starts a body and then stalls (a slow-loris, or a connection gone quiet without a
close) would hold its request slot for as long as it likes: Fly's proxy allows 64 requests in
flight per machine. The whole body must arrive within ``body_timeout_s`` of the request's
headers; if it has not, the app is told the client left, and the client gets 408 with
``Connection: close`` (nginx's ``client_body_timeout``, for the whole body rather than between
two reads). The deadline costs the request almost nothing: a request registers only while it
waits for its body, and one ticker per worker, alive only while bodies are being read, looks
for the late ones a few times a second."""

from __future__ import annotations

import asyncio
import functools
import re
import time
from typing import Any

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

from adapters.prometheus.metrics import HTTP_REQUEST_DURATION, HTTP_REQUESTS
from entrypoints.http.errors import PROBLEM_JSON, problem
from entrypoints.http.head import as_get
from entrypoints.logs import log_access, trace_id_from, trace_id_var
from entrypoints.urls import api_path

CLIENT_CLOSED_REQUEST = 499  # the client left before the answer started
REQUEST_TIMEOUT = 408  # the body did not arrive in time
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
    def __init__(
        self,
        app: ASGIApp,
        client_ip: Any,
        keepalive_requests: int = 0,
        body_timeout_s: float = 15.0,
        declared_head: re.Pattern[str] | None = None,
    ) -> None:
        self.app = app
        # The routes that answer HEAD themselves; any other HEAD is answered by its GET route.
        self._declared_head = declared_head
        self._late = _LateBodies(body_timeout_s)
        self.client_ip = client_ip  # callable(scope) -> str, the same rule as the rate limit
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self.keepalive_requests = keepalive_requests  # 0: connections are never recycled
        # Answers so far per connection (the peer's address and port name one connection).
        self._answered: dict[Any, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        if (method := scope["method"]) == "HEAD":
            scope, send = self._head_as_get(scope, send)
        headers = dict(scope.get("headers", ()))
        trace_id = trace_id_from(
            (headers.get(b"traceparent") or b"").decode("latin-1") or None,
            (headers.get(b"x-request-id") or b"").decode("latin-1") or None,
        )
        token = trace_id_var.set(trace_id)
        status = 500
        answering = left = body_done = False
        started = time.perf_counter()
        extra = [(b"x-request-id", trace_id.encode())]
        if self.keepalive_requests and self._last_answer_on_connection(scope):
            extra.append((b"connection", b"close"))
        late = self._late
        # This request's place among those waiting for their body (its own dict key).
        waiting = object()

        async def receive_watched() -> ReceiveMessage:
            nonlocal left, body_done
            if body_done:
                message = await receive()
            else:
                message = await late.receive(receive, waiting, started)
                if message is _LEFT:
                    return message  # the body is late (not the client leaving): asked again, again
                if message["type"] != "http.request" or not message.get("more_body", False):
                    body_done = True
            if message["type"] == "http.disconnect" and not answering:
                left = True
            return message

        async def send_traced(message: Message) -> None:
            nonlocal status, answering
            if waiting in late.timed_out:
                return  # the app's answer to a late body: the 408 below replaces it
            if message["type"] == "http.response.start":
                status = message["status"]
                answering = True
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            try:
                await self.app(scope, receive_watched, send_traced)
            except Exception:
                if waiting not in late.timed_out or answering:
                    raise  # a late body's unwinding is answered below, anything else is not ours
            if waiting in late.timed_out and not answering:
                status = REQUEST_TIMEOUT
                await _request_timeout(send, scope["path"], extra)
        finally:
            late.timed_out.discard(waiting)
            if left and status != REQUEST_TIMEOUT:
                status = CLIENT_CLOSED_REQUEST
            self._record(scope, method, status, time.perf_counter() - started)
            trace_id_var.reset(token)

    def _head_as_get(self, scope: Scope, send: Send) -> tuple[Scope, Send]:
        """A HEAD to a route that does not declare HEAD: every layer inside and the route see
        a GET, and its answer goes out without the body (``head.py``)."""
        if self._declared_head is not None and self._declared_head.fullmatch(scope["path"]):
            return scope, send
        return as_get(scope, send)

    def _record(self, scope: Scope, method: str, status: int, elapsed: float) -> None:
        """The request's metrics and access line."""
        route = route_template(scope)
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


_LEFT: ReceiveMessage = {"type": "http.disconnect"}


async def _request_timeout(send: Send, path: str, extra: list[tuple[bytes, bytes]]) -> None:
    body = msgspec.json.encode(
        problem(
            REQUEST_TIMEOUT,
            "the request body did not arrive in time; send it again",
            code="request_timeout",
            instance=path,
        )
    )
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
        *(h for h in extra if h[0] != b"connection"),
        (b"connection", b"close"),  # the rest of the body may still come: not on this connection
    ]
    start: Any = {"type": "http.response.start", "status": REQUEST_TIMEOUT, "headers": headers}
    await send(start)
    end: Any = {"type": "http.response.body", "body": body}
    await send(end)


class _LateBodies:
    """The requests of one worker that are waiting for their body, each with its deadline. A
    ticker task runs while any request has waited in the last tick; a request still waiting
    past its deadline is cancelled where it waits (``receive``) and marked ``timed_out``."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.tick_s = max(0.01, min(1.0, timeout_s / 4))
        self.timed_out: set[object] = set()
        self._waiting: dict[object, tuple[float, asyncio.Task[Any] | None]] = {}
        self._cancelling: set[object] = set()
        self._waits = 0  # waits registered so far: the ticker stops once a tick saw none
        self._ticker: asyncio.Task[None] | None = None

    async def receive(self, receive: Receive, key: object, started: float) -> ReceiveMessage:
        """``receive()`` for a request whose body is still coming (``started``: its
        ``perf_counter`` when its headers came); once the body is late, the client's departure
        (the app unwinds as if it had left)."""
        if key in self.timed_out:
            return _LEFT
        self._waiting[key] = (started + self.timeout_s, asyncio.current_task())
        self._waits += 1
        if self._ticker is None:
            self._ticker = asyncio.get_running_loop().create_task(self._tick())
        try:
            return await receive()
        except asyncio.CancelledError:
            if key not in self._cancelling:
                raise  # not ours: the server's, or the app's
            self._cancelling.discard(key)
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            return _LEFT
        finally:
            self._waiting.pop(key, None)

    async def _tick(self) -> None:
        try:
            while True:
                seen = self._waits
                await asyncio.sleep(self.tick_s)
                now = time.perf_counter()
                for key, (deadline, task) in list(self._waiting.items()):
                    if now >= deadline and task is not None and key not in self._cancelling:
                        self.timed_out.add(key)
                        self._cancelling.add(key)
                        task.cancel()
                if not self._waiting and self._waits == seen:
                    return
        finally:
            self._ticker = None


# More connections than one worker holds at once (each costs a dict entry: ~100 bytes).
_CONNECTIONS_TRACKED = 4096
