"""The sync process's /metrics server: prometheus_client's WSGI app on its threading server, as
``prometheus_client.start_http_server`` runs them, but answering HEAD as the web app's /metrics
does (``entrypoints.http.head``): the GET's status and headers, Content-Length the GET body's,
and no body (RFC 9110 §9.3.2). prometheus_client's app answers HEAD with 405, and uptime
monitors probe with HEAD.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable
from types import TracebackType
from wsgiref.simple_server import WSGIRequestHandler, make_server
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from prometheus_client import CollectorRegistry, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

ExcInfo = tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None]


def start_metrics_server(port: int, host: str, registry: CollectorRegistry) -> ThreadingWSGIServer:
    """Serve ``registry`` on ``host``:``port`` from a daemon thread (an IPv6 host such as
    ``::`` listens on IPv6). Returns the server: ``shutdown()`` stops it."""
    family, address = _family(host, port)

    class Server(ThreadingWSGIServer):
        address_family = family

    app = answering_head(make_wsgi_app(registry))
    server = make_server(address, port, app, Server, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, name="sync-metrics", daemon=True).start()
    return server


def answering_head(app: WSGIApplication) -> WSGIApplication:
    """``app`` answering HEAD as its GET, without the body; and naming HEAD beside GET in
    ``Allow`` (its 405s and OPTIONS), as the web app does."""

    # (The request's WSGI dict is ``request``: only settings.py reads anything named environ.)
    def handle(request: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if request["REQUEST_METHOD"] != "HEAD":
            return app(request, _allowing_head(start_response))
        answer: list[tuple[str, list[tuple[str, str]]]] = []
        written: list[bytes] = []

        def keep(
            status: str, headers: list[tuple[str, str]], exc_info: ExcInfo | None = None, /
        ) -> Callable[[bytes], object]:
            answer[:] = [(status, headers)]
            return written.append

        result = app({**request, "REQUEST_METHOD": "GET"}, keep)
        try:
            length = sum(len(chunk) for chunk in result)
            length += sum(len(chunk) for chunk in written)  # write() may run while iterating
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        [(status, headers)] = answer
        if not any(name.lower() == "content-length" for name, _ in headers):
            headers = [*headers, ("Content-Length", str(length))]
        # No body: wsgiref then sends the headers with the Content-Length given here.
        _allowing_head(start_response)(status, headers)
        return []

    return handle


def _allowing_head(start_response: StartResponse) -> StartResponse:
    def start(
        status: str, headers: list[tuple[str, str]], exc_info: ExcInfo | None = None, /
    ) -> Callable[[bytes], object]:
        named = [
            (name, _with_head(value) if name.lower() == "allow" else value)
            for name, value in headers
        ]
        return start_response(status, named, exc_info)

    return start


def _with_head(allow: str) -> str:
    methods = [m.strip() for m in allow.split(",")]
    return ",".join([*methods, "HEAD"] if "GET" in methods and "HEAD" not in methods else methods)


def _family(host: str, port: int) -> tuple[socket.AddressFamily, str]:
    """The address family ``host`` needs (IPv4's is the server's default)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, _, _, _, address = infos[0]
    return family, str(address[0])


class _Quiet(WSGIRequestHandler):
    """No line on stderr per scrape (the process logs JSON)."""

    def log_message(self, format: str, *args: object) -> None:
        return
