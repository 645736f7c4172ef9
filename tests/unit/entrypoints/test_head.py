"""HEAD answered by the GET route at the edge (entrypoints/http/head.py): which routes answer
HEAD themselves, and what goes out — the start as the GET's, its Content-Length the GET body's
even when the route streams it without one, and no body."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, get, head
from litestar.params import FromPath
from litestar.response import Response

from entrypoints.http.head import declared_head
from entrypoints.http.observability import ObservabilityMiddleware


def streamed(chunks: list[bytes], length: bool) -> Any:
    """A route's answer in chunks, with or without a Content-Length; what it was asked."""
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["method"])
        headers = [(b"content-type", b"text/plain")]
        if length:
            headers.append((b"content-length", str(sum(map(len, chunks))).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for i, chunk in enumerate(chunks):
            more = i < len(chunks) - 1
            await send({"type": "http.response.body", "body": chunk, "more_body": more})

    app.seen = seen  # type: ignore[attr-defined]
    return app


async def answer(app: Any, method: str, path: str = "/x") -> tuple[dict[str, Any], list[Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "headers": [], "client": None}
    edge = ObservabilityMiddleware(app, lambda scope: "127.0.0.1", 0, 15.0, None)
    await edge(scope, receive, send)  # type: ignore[arg-type]
    assert scope["method"] == method  # the server's own scope frames the answer: left as sent
    return sent[0], sent[1:]


async def test_a_streamed_answer_without_length_is_told_its_length_and_sent_no_body() -> None:
    route = streamed([b"hola ", b"desde ", b"el lago"], length=False)
    start, rest = await answer(route, "HEAD")
    assert route.seen == ["GET"]  # the GET route, once
    assert start["status"] == 200
    assert dict(start["headers"])[b"content-length"] == b"18"
    assert rest == [{"type": "http.response.body", "body": b"", "more_body": False}]


async def test_an_answer_with_its_length_goes_out_as_it_is_without_its_body() -> None:
    route = streamed([b"abc", b"def"], length=True)
    start, rest = await answer(route, "HEAD")
    assert dict(start["headers"])[b"content-length"] == b"6"
    assert [m["body"] for m in rest] == [b""]


async def test_other_methods_pass_untouched() -> None:
    route = streamed([b"abc", b"def"], length=False)
    _, rest = await answer(route, "GET")
    assert route.seen == ["GET"]
    assert [m["body"] for m in rest] == [b"abc", b"def"]


def test_the_routes_that_declare_head_are_matched_by_their_templates() -> None:
    @get("/items")
    async def items() -> list[int]:
        return []

    @head("/api/healthz")
    async def probe() -> None:
        return None

    @head("/ical/{name:str}")
    async def feed(name: FromPath[str]) -> None:
        return None

    @head("/static/{file_path:path}")
    async def files(file_path: FromPath[str]) -> Response[None]:
        return Response(None)

    app = Litestar([items, probe, feed, files])
    pattern = declared_head(app.routes)
    assert pattern is not None
    for path in ("/api/healthz", "/api/healthz/", "/ical/1-airbnb-x.ics", "/static/a/b.css"):
        assert pattern.fullmatch(path), path
    for path in ("/items", "/api/healthzz", "/ical/a/b", "/other/static/a.css"):
        assert not pattern.fullmatch(path), path
    assert declared_head(Litestar([items]).routes) is None
