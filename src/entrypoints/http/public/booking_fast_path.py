"""``POST /api/v1/reservations`` answered without Litestar's per-request handler layer.

The booking POST is the hot write path. Through Litestar's route it pays for building a
``Request``, the kwargs model, the signature model (the body converted twice, then the header
parameters and dishka's wrapper), and a ``Response`` turned into an ``ASGIResponse``. Measured
under load that layer cost more than everything the booking does in our own code
(docs/adr/0015). Here the same request is answered by the same code: the body decoded into
the same ``schemas.ReservationRequest``, the same ``BookOnline`` from the request's container,
the same command, presenter and status, and any exception rendered by the route's own
exception handlers, exactly as Litestar would.

Only the plain case is taken: ``POST`` to exactly this path, no ``Idempotency-Key`` (its header
rules and replays stay with the route), a body within the route's size limit that decodes
strictly. Everything else — a trailing slash, a key, a body that does not decode, one too
large, a malformed Host header — goes to Litestar's route untouched, with the body read so far
handed on, and gets exactly the answer it got before. The route stays declared as it was: the
OpenAPI document, and every request the fast path does not take, use it.
"""

from __future__ import annotations

from typing import Any, cast

import msgspec
from litestar import Litestar
from litestar._asgi.utils import is_valid_host, wrap_in_exception_handler
from litestar.handlers import HTTPRouteHandler
from litestar.status_codes import HTTP_201_CREATED
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from application.booking.book_online import Answer, BookOnline, Held
from entrypoints.http import presenters, schemas
from entrypoints.http.hardening import client_ip
from entrypoints.http.idempotency import REPLAYED
from entrypoints.http.public.api import created_answer, hold_command
from entrypoints.http.request_scope import KEY
from entrypoints.urls import api_path

PATH = api_path("reservations")
_DECODE = msgspec.json.Decoder(schemas.ReservationRequest).decode
_ENCODE = msgspec.json.Encoder().encode
_DATA = "cabanas.booking"  # the decoded body, from the dispatcher to the endpoint
# The header a replayed answer carries, as the route's ``answer`` adds it.
_REPLAYED = [(name.lower().encode(), value.encode()) for name, value in REPLAYED.items()]


class BookingFastPath:
    """Wraps Litestar's handler (inside the request's dependency scope): the plain booking POST
    is answered here, every other request goes on to ``app``. ``ip_header``: the trusted
    client-address header, as the route and the rate limit use it."""

    def __init__(self, app: ASGIApp, litestar: Litestar, ip_header: str | None) -> None:
        self.app = app
        self._litestar = litestar
        self._ip_header = ip_header
        # Litestar's own wrapper around a route: an exception becomes the answer the route's
        # exception handlers give it (problem JSON, with the same status and fields).
        self._guarded = wrap_in_exception_handler(self._endpoint)
        # The route as Litestar's router resolves it, looked up on the first booking (the
        # app's routes are final by then): its handler, template, exception handlers and
        # body size limit.
        self._route: dict[str, Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _plain_booking(cast(dict[str, Any], scope)):
            await self.app(scope, receive, send)
            return
        route = self._resolve()
        body, complete = await _read_body(receive, route["max_body"])
        data: schemas.ReservationRequest | None = None
        if complete:
            try:
                data = _DECODE(body)
            except Exception:  # invalid JSON or UTF-8, a wrong field, nested too deep, …
                data = None  # … Litestar's route says what is wrong with it, in its words
        if data is None:
            await self.app(scope, _replaying(body, complete, receive), send)
            return
        ScopeState.from_scope(scope).exception_handlers = route["exception_handlers"]
        kept = cast(dict[str, Any], scope)  # a plain dict: ASGI scopes take extension keys
        kept["route_handler"] = route["handler"]
        kept["path_template"] = route["template"]
        kept.setdefault("path_params", {})
        kept[_DATA] = data
        await self._guarded(scope, receive, send)

    async def _endpoint(self, scope: Scope, receive: Receive, send: Send) -> None:
        kept = cast(dict[str, Any], scope)
        data: schemas.ReservationRequest = kept.pop(_DATA)
        use_case = await kept["state"][KEY].get(BookOnline)
        address = client_ip(scope, self._ip_header)
        # As ReservationController.create: the same command, answers and presenter.
        match await use_case(hold_command(data, address, None), created_answer):
            case Answer(status, remembered):
                body = msgspec.json.decode(remembered, type=schemas.Reservation)
                replayed = True
            case Held(reservation, as_of, replayed):
                body = presenters.reservation(reservation, as_of)
                status = HTTP_201_CREATED
        payload = _ENCODE(body)
        # The route's headers, in its order: Location, Idempotent-Replayed, then the type and
        # length of the body.
        headers = [(b"location", api_path("reservations", body.code).encode())]
        if replayed:
            headers += _REPLAYED
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
        ]
        start = {"type": "http.response.start", "status": status, "headers": headers}
        await send(cast(Message, start))
        await send(cast(Message, {"type": "http.response.body", "body": payload}))

    def _resolve(self) -> dict[str, Any]:
        route = self._route
        if not route:
            _, found, _, _, template = self._litestar.asgi_router.handle_routing(
                path=PATH, method="POST"
            )
            handler = cast(HTTPRouteHandler, found)
            route.update(
                handler=handler,
                template=template,
                exception_handlers=handler.resolve_exception_handlers(),
                max_body=handler.resolve_request_max_body_size(),
            )
        return route


def _plain_booking(scope: dict[str, Any]) -> bool:
    """``POST`` to exactly the path, with no ``Idempotency-Key`` and no malformed Host."""
    if (
        scope["type"] != "http"
        or scope["method"] != "POST"
        or scope["path"] != PATH
        or scope.get("root_path")
    ):
        return False
    for name, value in scope["headers"]:
        if name == b"idempotency-key" or (name == b"host" and not is_valid_host(value)):
            return False
    return True


async def _read_body(receive: Receive, limit: int | None) -> tuple[bytes, bool]:
    """The body, and whether it is all of it: False when it went past ``limit`` (the rest is
    still coming) or the client left."""
    chunks: list[bytes] = []
    size = 0
    while limit is None or size <= limit:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client left: Litestar's route sees the same
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), limit is None or size <= limit
    return b"".join(chunks), False


def _replaying(body: bytes, complete: bool, receive: Receive) -> Receive:
    """``receive`` for Litestar's route: the body read so far first, then the rest as it
    comes (a body that went past the limit is still being sent)."""
    pending: list[Any] = [{"type": "http.request", "body": body, "more_body": not complete}]

    async def again() -> Any:
        return pending.pop() if pending else await receive()

    return cast(Receive, again)
