"""HEAD answered by the GET route: its status and headers, Content-Length the GET body's, and
no body (RFC 9110 §9.3.2). Uptime monitors and link checkers probe with HEAD, and Litestar
answers 405 to HEAD on a route that declares only GET.

The outermost middleware (``observability.py``) hands a HEAD on as a GET before anything else
sees it, so the rate limit, the HTTPS redirect, the security headers and every other answer
apply to it as to a GET, and the GET handler runs once, as for a GET. Only its ``send`` changes
(``without_body``). A route that declares HEAD itself (the health checks, the calendar export,
static files) answers it as declared. Nothing here runs for any other method: the cost on every
other request is one comparison of the method. The /metrics app on METRICS_PORT, which has no
such middleware, answers HEAD the same way (``answering_head``), and so does the sync process's
WSGI one (``entrypoints.cli.metrics_server``).

So a 405's ``Allow`` names HEAD wherever it names GET (``allowed_headers``): the API's problem
JSON and the console's and guest pages' HTML pages alike (RFC 9110 §15.5.6).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, cast

from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.routes import BaseRoute, HTTPRoute
from litestar.types import ASGIApp, Message, Receive, Scope, Send

_PARAM = re.compile(r"\{[^}:]+:([^}]+)\}")


def declared_head(routes: Iterable[BaseRoute]) -> re.Pattern[str] | None:
    """The paths of the routes that answer HEAD themselves, as one pattern (None: none do)."""
    templates = [
        route.path for route in routes if isinstance(route, HTTPRoute) and "HEAD" in route.methods
    ]
    if not templates:
        return None
    return re.compile("|".join(f"(?:{_pattern(t)})/?" for t in sorted(templates)))


def _pattern(template: str) -> str:
    """A route template as a regular expression: ``{name:path}`` is the rest of the path, any
    other parameter one segment."""
    parts: list[str] = []
    end = 0
    for param in _PARAM.finditer(template):
        parts.append(re.escape(template[end : param.start()]))
        parts.append(".*" if param.group(1) == "path" else "[^/]+")
        end = param.end()
    parts.append(re.escape(template[end:]))
    return "".join(parts)


def allowed_headers(exc: HTTPException) -> dict[str, str]:
    """A 405's headers as the app answers: its ``Allow`` (the router's) with HEAD beside GET."""
    return {
        name: _with_head(value) if name.lower() == "allow" else value
        for name, value in (exc.headers or {}).items()
    }


def _with_head(allow: str) -> str:
    methods = [m.strip() for m in allow.split(",")]
    if "GET" in methods and "HEAD" not in methods:
        methods.append("HEAD")
    return ", ".join(methods)


def answering_head(app: ASGIApp) -> ASGIApp:
    """``app`` with every GET route answering HEAD, for an app without the middleware that
    does it (the /metrics app on METRICS_PORT)."""

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and scope["method"] == "HEAD":
            scope, send = as_get(scope, send)
        await app(scope, receive, send)

    return handle


def as_get(scope: Scope, send: Send) -> tuple[Scope, Send]:
    """A HEAD as the GET its route answers: the scope every layer inside sees, and the ``send``
    its answer goes out through (``without_body``). A copy of the scope: the server's own says
    HEAD still, and the server frames the answer by it (a HEAD's has no body)."""
    as_sent = cast(dict[str, Any], scope)
    return cast(Scope, {**as_sent, "method": "GET"}), without_body(send)


def without_body(send: Send) -> Send:
    """``send`` for a HEAD answered by a GET route: the answer's start as the route sends it,
    then one empty body. A start that names no Content-Length waits for the body's end, to say
    the length the GET body had."""
    held: dict[str, Any] | None = None
    length = 0
    ended = False

    async def send_head(message: Message) -> None:
        nonlocal held, length, ended
        event = cast(dict[str, Any], message)
        kind = event["type"]
        if kind == "http.response.start":
            if any(name.lower() == b"content-length" for name, _ in event.get("headers", ())):
                await send(message)
            else:
                held = event
            return
        if ended:
            return
        if kind == "http.response.body":
            length += len(event.get("body", b""))
            if event.get("more_body", False):
                return
        ended = True
        if held is not None:
            if kind == "http.response.body":  # a file sent another way: its length unknown here
                held["headers"] = [*held.get("headers", ()), (b"content-length", b"%d" % length)]
            await send(cast(Message, held))
        end: Any = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(end)

    return send_head
