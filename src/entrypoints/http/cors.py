"""CORS for the origins in CORS_ALLOWED_ORIGINS, as a raw ASGI middleware outside the rate limit
and the HTTPS redirect, so their answers (a 429 with ``Retry-After``) carry CORS headers too and
browser code can read them. A refused preflight is problem JSON like every other error."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.http.errors import PROBLEM_JSON, problem

ALLOW_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")
ALLOW_HEADERS = ("Authorization", "Content-Type", "Idempotency-Key")
# Headers browser code may read on our answers (beyond the CORS-safelisted ones).
EXPOSE_HEADERS = (
    "Location",
    "Retry-After",
    "Idempotent-Replayed",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
)
MAX_AGE_S = 600
# Request headers a browser may send without asking (Fetch standard's CORS-safelisted ones).
_SAFELISTED = frozenset({"accept", "accept-language", "content-language", "content-type"})
_ALLOWED_HEADERS = frozenset(h.lower() for h in ALLOW_HEADERS) | _SAFELISTED


def _origin_pattern(origins: Sequence[str]) -> re.Pattern[str]:
    """``*`` in an entry matches anything (development only: production refuses it)."""
    return re.compile("|".join(re.escape(o).replace(r"\*", ".*") for o in origins))


class CORSMiddleware:
    def __init__(self, app: ASGIApp, allowed_origins: Sequence[str]) -> None:
        self.app = app
        self.allowed = _origin_pattern(allowed_origins) if allowed_origins else None
        self.preflight_headers = [
            (b"access-control-allow-methods", ", ".join(ALLOW_METHODS).encode()),
            (b"access-control-allow-headers", ", ".join(ALLOW_HEADERS).encode()),
            (b"access-control-max-age", str(MAX_AGE_S).encode()),
        ]
        self.simple_headers = [
            (b"access-control-expose-headers", ", ".join(EXPOSE_HEADERS).encode()),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or self.allowed is None:
            await self.app(scope, receive, send)
            return
        headers = {name: value.decode("latin-1") for name, value in scope["headers"]}
        origin = headers.get(b"origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        allowed = self.allowed.fullmatch(origin) is not None
        requested_method = headers.get(b"access-control-request-method")
        if scope["method"] == "OPTIONS" and requested_method is not None:
            await self._preflight(scope, send, origin, allowed, requested_method, headers)
            return
        extra = [(b"access-control-allow-origin", origin.encode()), *self.simple_headers]

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                merged = _with_vary(list(message.get("headers", [])))
                message["headers"] = [*merged, *extra] if allowed else merged
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(
        self,
        scope: Scope,
        send: Send,
        origin: str,
        allowed: bool,
        method: str,
        headers: dict[bytes, str],
    ) -> None:
        requested = [
            h.strip() for h in headers.get(b"access-control-request-headers", "").split(",")
        ]
        refused = [h for h in requested if h and h.lower() not in _ALLOWED_HEADERS]
        reasons = []
        if not allowed:
            reasons.append(f"origin {origin} is not allowed")
        if method.upper() not in ALLOW_METHODS:
            reasons.append(f"method {method} is not allowed")
        if refused:
            reasons.append(f"header(s) {', '.join(refused)} not allowed")
        if reasons:
            body = msgspec.json.encode(
                problem(
                    400,
                    f"CORS preflight refused: {'; '.join(reasons)}",
                    code="cors_preflight_refused",
                    instance=scope["path"],
                )
            )
            response = [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"vary", b"Origin"),
            ]
            await _respond(send, 400, response, body)
            return
        response = [
            (b"access-control-allow-origin", origin.encode()),
            (b"vary", b"Origin"),
            *self.preflight_headers,
        ]
        await _respond(send, 204, response, b"")


def _with_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The answer depends on Origin: say so to caches, keeping any Vary already set."""
    for i, (name, value) in enumerate(headers):
        if name.lower() == b"vary":
            if b"origin" not in value.lower():
                headers[i] = (name, value + b", Origin")
            return headers
    headers.append((b"vary", b"Origin"))
    return headers


async def _respond(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    start: Any = {"type": "http.response.start", "status": status, "headers": headers}
    await send(start)
    end: Any = {"type": "http.response.body", "body": body}
    await send(end)
