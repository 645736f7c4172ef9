"""An ASGI app served by uvicorn in a thread, on a loopback port held from the start.

Asking the kernel for a free port, closing it, and letting the server bind it later leaves a
window in which another process (an embedded PostgreSQL or Redis starting, another test
worker's server) takes the port, and the server never starts: a set-up error once in a while
on a busy machine. Here the socket is bound first and handed to uvicorn as it is."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn


def loopback_socket() -> socket.socket:
    """A socket bound to a free 127.0.0.1 port, kept until the server using it closes."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


def port_of(sock: socket.socket) -> int:
    return int(sock.getsockname()[1])


def serve_in_thread(
    config: uvicorn.Config, sock: socket.socket, *, start_within: float = 30.0
) -> tuple[uvicorn.Server, threading.Thread]:
    """Starts the server on ``sock`` and waits until it accepts (or raises, naming why)."""
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=lambda: server.run(sockets=[sock]), name="test-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + start_within
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    return server, thread
