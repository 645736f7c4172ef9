"""Each HTTP request gets a dependency scope of its own, where dishka's ``@inject`` finds it,
closed (its generators finalised: a pooled connection returned) once the answer is sent; and
the wiring refuses a provider that would need the Litestar request as context."""

from __future__ import annotations

from collections.abc import AsyncIterator
from itertools import count
from typing import Any

import httpx
import pytest
from dishka import Provider, Scope, make_async_container, provide
from dishka.exceptions import GraphMissingFactoryError
from dishka.integrations.litestar import FromDishka, inject
from litestar import Litestar, Request, get

from entrypoints.container import make_container
from entrypoints.http.request_scope import with_request_scope
from entrypoints.settings import Settings


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


def test_a_provider_asking_for_the_litestar_request_is_refused_when_the_container_is_built() -> (
    None
):
    # The scope is opened without the Request as context (request_scope.py), so the wiring must
    # not accept a provider that needs it: that mistake shows at start-up, not as a 500.
    class NeedsRequest(Provider):
        @provide(scope=Scope.REQUEST)
        def path(self, request: Request[Any, Any, Any]) -> str:
            return request.url.path

    settings = Settings(database_url="postgresql://x@127.0.0.1/x", redis_url="redis://127.0.0.1")
    with pytest.raises(GraphMissingFactoryError):
        make_container(settings, NeedsRequest())
