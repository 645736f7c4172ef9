"""Each HTTP request gets a dependency scope of its own, where dishka's ``@inject`` finds it,
closed (its generators finalised: a pooled connection returned) once the answer is sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from itertools import count
from typing import Any

import httpx
from dishka import Provider, Scope, make_async_container, provide
from dishka.integrations.litestar import FromDishka, inject
from litestar import Litestar, Request, get

from entrypoints.http.request_scope import with_request_scope


class Handle:
    def __init__(self, number: int) -> None:
        self.number = number
        self.closed = False


def make_app() -> tuple[Litestar, list[Handle]]:
    made: list[Handle] = []
    numbers = count(1)

    class Per(Provider):
        @provide(scope=Scope.REQUEST)
        async def handle(self) -> AsyncIterator[Handle]:
            handle = Handle(next(numbers))
            made.append(handle)
            yield handle
            handle.closed = True

    @get("/twice")
    @inject
    async def twice(request: Request[Any, Any, Any], a: FromDishka[Handle]) -> dict[str, object]:
        # The same request asks its scope again (as the console's guard and pages do).
        b = await request.state.dishka_container.get(Handle)
        return {"a": a.number, "same": a is b, "open": not a.closed}

    container = make_async_container(Per())
    app = Litestar(route_handlers=[twice])
    app.asgi_handler = with_request_scope(app.asgi_handler, container)
    return app, made


async def test_each_request_has_its_own_scope_closed_after_its_answer() -> None:
    app, made = make_app()
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        first = (await client.get("/twice")).json()
        second = (await client.get("/twice")).json()
    assert first == {"a": 1, "same": True, "open": True}
    assert second == {"a": 2, "same": True, "open": True}
    assert [h.closed for h in made] == [True, True]


async def test_a_bare_asgi_caller_without_state_still_gets_a_scope() -> None:
    app, made = make_app()
    messages: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/twice",
        "raw_path": b"/twice",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"test")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    await app(scope, receive, send)  # type: ignore[arg-type]
    assert messages[0]["status"] == 200
    assert b'"same":true' in messages[1]["body"]  # type: ignore[operator]
    assert made[0].closed
