"""Each HTTP request's dependency scope, opened around the app and closed after its answer.

The same contract as dishka's Litestar integration (``setup_dishka``): the request's container
is ``request.state.dishka_container``, where dishka's ``@inject`` and our console guards find
it. Kept here because the integration also wraps each request in a Litestar ``Request`` object
and hands it to the container as context, which no provider of ours reads: written straight
into the scope's state, a request opens its scope with a dozen fewer calls."""

from __future__ import annotations

from typing import Any, cast

from dishka import AsyncContainer, Scope
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Send
from litestar.types import Scope as ASGIScope

KEY = "dishka_container"  # what dishka's @inject reads: request.state.dishka_container


def with_request_scope(app: ASGIApp, container: AsyncContainer) -> ASGIApp:
    async def request_scope(scope: ASGIScope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == ScopeType.HTTP:
            di_scope = Scope.REQUEST
        elif kind == ScopeType.WEBSOCKET:
            di_scope = Scope.SESSION
        else:
            await app(scope, receive, send)
            return
        # The state Litestar's Request reads (uvicorn hands every request a copy of the
        # lifespan's; a bare ASGI caller may not).
        state = cast(dict[str, Any], scope).setdefault("state", {})
        async with container(scope=di_scope) as request_container:
            state[KEY] = request_container
            await app(scope, receive, send)

    return request_scope
