"""A client that starts a body and stalls gets 408 once REQUEST_BODY_TIMEOUT_SECONDS have passed
since its headers, on a real server (uvicorn with uvloop and httptools, as production): its
request slot is freed, the connection closed, and nothing counts as a server error."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator

import httpx
import pytest

from entrypoints.embedded import EmbeddedRedis
from tests.e2e.conftest import seed
from tests.e2e.servers import GENEROUS_HEALTH, uvicorn_server

pytestmark = pytest.mark.db

TIMEOUT_S = 0.5


@pytest.fixture(scope="module")
def server(pg_server: object, template_db: str, redis_server: EmbeddedRedis) -> Iterator[str]:
    from tests.conftest import fresh_database

    url = pg_server.url(fresh_database(pg_server, template_db))  # type: ignore[attr-defined]
    seed(url)
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": redis_server.url(),
        "REQUEST_BODY_TIMEOUT_SECONDS": str(TIMEOUT_S),
    } | GENEROUS_HEALTH
    with uvicorn_server(env) as base:
        yield base


def _port(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def _stall(base: str, path: str, declared: int, sent: bytes) -> socket.socket:
    """Headers that promise ``declared`` bytes of JSON, and only ``sent`` of them."""
    sock = socket.create_connection(("127.0.0.1", _port(base)), timeout=20)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    ).encode()
    sock.sendall(head + sent)
    return sock


def _answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes, bool]:
    """The status, headers and body of the one answer, and whether the server then closed
    the connection (read until it does: the socket's timeout bounds the wait)."""
    data = b""
    closed = False
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            closed = True
            break
        data += chunk
        head, sep, body = data.partition(b"\r\n\r\n")
        if sep:
            lines = head.decode("latin-1").split("\r\n")
            headers = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
            if len(body) >= int(headers.get("content-length", "0")):
                break
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    if not closed:
        try:
            closed = sock.recv(1) == b""
        except TimeoutError:
            closed = False
    return status, headers, body, closed


def _count(base: str, route: str, status: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    pattern = (
        r'^http_requests_total\{(?=[^}]*method="POST")(?=[^}]*route="'
        + re.escape(route)
        + r'")(?=[^}]*status="'
        + status
        + r'")[^}]*\} (\S+)$'
    )
    return sum(float(m) for m in re.findall(pattern, text, re.MULTILINE))


@pytest.mark.parametrize(
    ("path", "route"),
    [
        ("/api/v1/reservations", "/api/v1/reservations"),  # the booking's own fast path
        ("/api/v1/webhooks/mercadopago", "/api/v1/webhooks/mercadopago"),  # a declared route
    ],
)
def test_a_body_that_stops_coming_gets_408_and_the_connection_closed(
    server: str, path: str, route: str
) -> None:
    before = {s: _count(server, route, s) for s in ("408", "499", "500")}
    with _stall(server, path, 400, b'{"accommodation_id": 1, ') as sock:
        status, headers, body, closed = _answer(sock)
    assert status == 408
    assert headers["content-type"].startswith("application/problem+json")
    assert headers["connection"] == "close"
    assert headers["x-request-id"]
    problem = json.loads(body)
    assert problem["status"] == 408
    assert problem["code"] == "request_timeout"
    assert closed, "the rest of the body must not be read on this connection"
    after = {s: _count(server, route, s) for s in ("408", "499", "500")}
    assert {s: after[s] - before[s] for s in after} == {"408": 1, "499": 0, "500": 0}


def test_several_stalled_clients_are_all_let_go_and_the_server_keeps_answering(
    server: str,
) -> None:
    socks = [_stall(server, "/api/v1/reservations", 300, b"{") for _ in range(6)]
    try:
        answers = [_answer(s) for s in socks]
    finally:
        for s in socks:
            s.close()
    assert [a[0] for a in answers] == [408] * 6
    assert all(a[3] for a in answers)
    # Bodies that do arrive, in pieces or at once, are answered as always.
    with socket.create_connection(("127.0.0.1", _port(server)), timeout=20) as sock:
        body = b'{"accommodation_id": 999999}'
        head = (
            "POST /api/v1/reservations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        sock.sendall(head + body[:10])
        sock.sendall(body[10:])
        status, _, answer, _ = _answer(sock)
    assert status == 422, answer  # the fields it lacks are named, as ever: not a 408
    assert httpx.get(f"{server}/api/v1/accommodations", timeout=10).status_code == 200


def test_a_body_that_arrives_in_time_is_not_cut(server: str) -> None:
    """The deadline is for the body: an answer that takes longer than it to make (the app's
    own work after the body is in) is never replaced by a 408."""
    response = httpx.post(
        f"{server}/api/v1/reservations",
        json={"accommodation_id": 999999},
        timeout=10,
    )
    assert response.status_code == 422
