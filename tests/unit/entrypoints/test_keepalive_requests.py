"""A keep-alive connection is closed after KEEPALIVE_REQUESTS answers, so the client's next one
is accepted by whichever server worker is free (the long-lived connections of a proxy otherwise
stay on the worker that first accepted them)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from entrypoints.http.observability import ObservabilityMiddleware
from entrypoints.settings import Settings
from tests.threaded_server import loopback_socket, port_of, serve_in_thread


async def ok(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    headers = [(b"content-length", b"2")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"ok"})


def edge(keepalive_requests: int) -> ObservabilityMiddleware:
    return ObservabilityMiddleware(ok, lambda scope: "127.0.0.1", keepalive_requests)


async def answer_headers(app: ObservabilityMiddleware, client: Any) -> dict[bytes, bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/x", "headers": [], "client": client}
    await app(scope, receive, send)  # type: ignore[arg-type]
    return dict(sent[0]["headers"])


async def test_every_nth_answer_on_a_connection_closes_it() -> None:
    app = edge(3)
    one, other = ("10.0.0.1", 40001), ["10.0.0.1", 40002]  # ASGI allows a list too
    closes = []
    for _ in range(7):
        closes.append(b"connection" in await answer_headers(app, one))
    assert closes == [False, False, True, False, False, True, False]
    # Another connection (the peer's port differs) counts on its own.
    assert b"connection" not in await answer_headers(app, other)
    assert (await answer_headers(app, one)).get(b"connection") is None
    assert (await answer_headers(app, one)).get(b"connection") == b"close"


async def test_zero_never_closes_and_no_peer_is_never_counted() -> None:
    never = edge(0)
    for _ in range(5):
        assert b"connection" not in await answer_headers(never, ("10.0.0.1", 1))
    app = edge(1)
    assert b"connection" not in await answer_headers(app, None)
    assert (await answer_headers(app, ("10.0.0.1", 1)))[b"connection"] == b"close"


def test_the_default_is_a_hundred_answers() -> None:
    assert Settings().keepalive_requests == 100
    assert Settings.from_env({"KEEPALIVE_REQUESTS": "0"}).keepalive_requests == 0


@pytest.fixture
def server() -> Iterator[int]:
    sock = loopback_socket()
    config = uvicorn.Config(
        edge(2),
        host="127.0.0.1",
        port=port_of(sock),
        http="httptools",
        log_config=None,
        access_log=False,
    )
    served, thread = serve_in_thread(config, sock)
    yield port_of(sock)
    served.should_exit = True
    thread.join(30)


def read_answer(conn: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"ok"):
        chunk = conn.recv(4096)
        assert chunk, "the server closed the connection before answering"
        data += chunk
    return data


def test_the_server_really_closes_the_connection(server: int) -> None:
    request = b"GET / HTTP/1.1\r\nHost: test\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server), timeout=10) as conn:
        conn.sendall(request)
        first = read_answer(conn).lower()
        assert b"connection: close" not in first
        conn.sendall(request)
        second = read_answer(conn).lower()
        assert b"connection: close" in second
        assert conn.recv(4096) == b""  # closed by the server after its answer
