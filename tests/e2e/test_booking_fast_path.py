"""``POST /api/v1/reservations`` through the fast path
(entrypoints/http/public/booking_fast_path.py) answers exactly as Litestar's route does,
through the real app, PostgreSQL and Redis.

The route is reached with a trailing slash: Litestar routes it to the same handler, and the fast
path takes only the exact path. Every answer is compared whole: status, headers (all but the
per-request trace id) and body bytes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.routes.http import HTTPRoute
from litestar.testing import AsyncTestClient

from tests.e2e.test_api import BOOKING

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]

FAST = "/reservations"
ROUTE = "/reservations/"
# The same stay a week later: another hold, priced the same (same weekdays).
WEEK_LATER = {**BOOKING, "check_in": "2026-12-25", "check_out": "2026-12-28"}


@pytest.fixture
def route_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the requests that went through a Litestar HTTP route."""
    calls: list[str] = []
    real = HTTPRoute._get_response_for_request  # looked up on every request (not bound early)

    async def counted(self: HTTPRoute, scope: Any, **kwargs: Any) -> Any:
        calls.append(scope["raw_path"].decode())
        return await real(self, scope=scope, **kwargs)

    monkeypatch.setattr(HTTPRoute, "_get_response_for_request", counted)
    return calls


def _headers(r: httpx.Response) -> list[tuple[str, str]]:
    return [(k, v) for k, v in r.headers.multi_items() if k != "x-request-id"]


def assert_same_answer(fast: httpx.Response, route: httpx.Response) -> None:
    assert (fast.status_code, _headers(fast), fast.content) == (
        route.status_code,
        _headers(route),
        route.content,
    )


async def test_a_plain_booking_skips_the_route_and_answers_as_it_does(
    client: Client, route_calls: list[str]
) -> None:
    fast = await client.post(FAST, json=BOOKING)
    assert fast.status_code == 201, fast.text
    assert route_calls == []  # answered without Litestar's route
    route = await client.post(ROUTE, json=WEEK_LATER)
    assert route.status_code == 201, route.text
    assert route_calls == ["/api/v1/reservations/"]

    # Same headers, in the same order, each for its own hold.
    assert [k for k, _ in _headers(fast)] == [k for k, _ in _headers(route)]
    assert fast.headers["location"] == f"/api/v1/reservations/{fast.json()['code']}"
    assert route.headers["location"] == f"/api/v1/reservations/{route.json()['code']}"
    assert fast.headers["content-type"] == route.headers["content-type"] == "application/json"
    assert int(fast.headers["content-length"]) == len(fast.content)
    # Same body but for the hold's own code and dates (the clock is fixed: same created_at
    # and expiry; same weekdays: same price).
    own = {"code", "code_display", "check_in", "check_out"}
    fast_body, route_body = fast.json(), route.json()
    assert list(fast_body) == list(route_body)
    assert {k: v for k, v in fast_body.items() if k not in own} == {
        k: v for k, v in route_body.items() if k not in own
    }
    assert (fast_body["check_in"], fast_body["status"]) == ("2026-12-18", "pre_reserved")

    # The booking is there, as any other.
    got = await client.get(f"/reservations/{fast_body['code']}")
    assert got.status_code == 200
    assert got.json()["code"] == fast_body["code"]


async def test_a_retry_of_the_same_booking_is_replayed_as_the_route_replays_it(
    client: Client, route_calls: list[str]
) -> None:
    await client.post(FAST, json=BOOKING)
    await client.post(ROUTE, json=WEEK_LATER)
    # The same body again from the same client: the answer that never arrived, once more.
    fast = await client.post(FAST, json=BOOKING)
    route = await client.post(ROUTE, json=WEEK_LATER)
    assert fast.status_code == route.status_code == 201
    assert fast.headers["idempotent-replayed"] == route.headers["idempotent-replayed"] == "true"
    assert [k for k, _ in _headers(fast)] == [k for k, _ in _headers(route)]
    assert route_calls == ["/api/v1/reservations/"] * 2


@pytest.mark.parametrize(
    "change",
    [
        {"accommodation_id": 999},  # no such cabin
        {"check_in": "2026-12-21", "check_out": "2026-12-18"},  # ends before it starts
        {"check_in": "2026-11-20", "check_out": "2026-11-22"},  # in the past
        {"guests": 40},  # more than the cabin holds
        {"guest_name": "   "},  # a name of spaces
    ],
)
async def test_refusals_from_the_use_case_are_the_routes_own(
    client: Client, route_calls: list[str], change: dict[str, object]
) -> None:
    body = {**BOOKING, **change}
    fast = await client.post(FAST, json=body)
    route = await client.post(ROUTE, json=body)
    assert 400 <= fast.status_code < 500, fast.text
    assert_same_answer(fast, route)
    assert route_calls == ["/api/v1/reservations/"]  # the fast path answered its own


async def test_taken_nights_are_the_same_409(client: Client, route_calls: list[str]) -> None:
    assert (await client.post(FAST, json=BOOKING)).status_code == 201
    other = {**BOOKING, "guest_phone": "+5491166667777", "guest_name": "Otra Persona"}
    fast = await client.post(FAST, json=other)
    route = await client.post(ROUTE, json=other)
    assert fast.status_code == 409, fast.text
    assert_same_answer(fast, route)
    assert route_calls == ["/api/v1/reservations/"]


@pytest.mark.parametrize(
    "content",
    [
        b'{"accommodation_id": 1',  # not JSON
        b"[]",  # not an object
        b"",  # no body
        b'{"accommodation_id": 1, "check_in": "2026-12-18", "check_out": "2026-12-21",'
        b' "guests": 2, "guest_name": "Juana", "guest_phone": "+5491155551234", "x": 1}',
        b'{"accommodation_id": 1, "check_in": "2026-12-18", "check_out": "2026-12-21",'
        b' "guests": 2, "guest_name": "Juana", "guest_phone": "5555"}',  # not E.164
        b'{"guest_name": "\xe9"}',  # not UTF-8
        b"[" * 10_000 + b"]" * 10_000,  # nested too deep
    ],
)
async def test_a_body_that_does_not_decode_goes_to_the_route(
    client: Client, route_calls: list[str], content: bytes
) -> None:
    headers = {"content-type": "application/json"}
    fast = await client.post(FAST, content=content, headers=headers)
    route = await client.post(ROUTE, content=content, headers=headers)
    assert 400 <= fast.status_code < 500, fast.text
    assert_same_answer(fast, route)
    # Both were answered by Litestar's route, which was handed the body the fast path read.
    assert route_calls == ["/api/v1/reservations", "/api/v1/reservations/"]


async def test_a_body_only_the_route_accepts_is_still_accepted(
    client: Client, route_calls: list[str]
) -> None:
    """Litestar's route converts leniently ("1" for 1); the fast path decodes strictly and
    hands such a body on, so it is booked as before."""
    content = (
        b'{"accommodation_id": "1", "check_in": "2026-12-18", "check_out": "2026-12-21",'
        b' "guests": "2", "guest_name": "Juana", "guest_phone": "+5491155551234"}'
    )
    r = await client.post(FAST, content=content, headers={"content-type": "application/json"})
    assert r.status_code == 201, r.text
    assert (r.json()["accommodation_id"], r.json()["guests"]) == (1, 2)
    assert route_calls == ["/api/v1/reservations"]


async def test_a_keyed_booking_goes_to_the_route(client: Client, route_calls: list[str]) -> None:
    first = await client.post(FAST, json=BOOKING, headers={"Idempotency-Key": "k-1"})
    again = await client.post(FAST, json=BOOKING, headers={"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    assert route_calls == ["/api/v1/reservations"] * 2


async def test_a_body_over_the_limit_goes_to_the_route(
    client: Client, route_calls: list[str]
) -> None:
    body = {**BOOKING, "notes": "x" * 300_000}
    fast = await client.post(FAST, json=body)
    route = await client.post(ROUTE, json=body)
    assert fast.status_code == 413, fast.text
    assert_same_answer(fast, route)
    assert route_calls == ["/api/v1/reservations", "/api/v1/reservations/"]


async def test_a_body_in_pieces_is_read_whole(client: Client, route_calls: list[str]) -> None:
    """A client that sends the body in chunks (``more_body``): the fast path joins them."""
    app = client.app
    raw = httpx.Request("POST", "http://x", json=BOOKING).content
    pieces = [raw[:10], raw[10:50], raw[50:]]
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": p, "more_body": i < len(pieces) - 1}
        for i, p in enumerate(pieces)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/reservations",
        "raw_path": b"/api/v1/reservations",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver.local"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 5555),
        "server": ("127.0.0.1", 80),
    }
    await app(scope, receive, send)  # type: ignore[arg-type]
    assert sent[0]["status"] == 201
    assert b'"status":"pre_reserved"' in sent[1]["body"]
    assert route_calls == []
