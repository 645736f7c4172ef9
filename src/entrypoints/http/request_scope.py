"""Each HTTP request's dependency scope, opened around the app and closed after its answer.

The contract dishka's ``@inject`` and our console guards rely on, as dishka's Litestar
integration (``setup_dishka``) keeps it: the request's container is
``request.state.dishka_container``. Unlike that integration, the scope is opened without the
Litestar ``Request`` as context (building one per request for the container cost a dozen calls,
and no provider reads it): the containers are made without dishka's ``LitestarProvider``, so a
provider that asked for ``Request`` would fail when the container is built, not on a request."""

from __future__ import annotations

from dishka import AsyncContainer, Scope
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Send
from litestar.types import Scope as ASGIScope

KEY = "dishka_container"  # what dishka's @inject reads: request.state.dishka_container


def with_request_scope(app: ASGIApp, container: AsyncContainer) -> ASGIApp:
    """Wraps Litestar's own handler (``app.asgi_handler``): Litestar has already given the scope
    the ``state`` dict its ``Request`` reads."""

    async def request_scope(scope: ASGIScope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == ScopeType.HTTP:
            di_scope = Scope.REQUEST
        elif kind == ScopeType.WEBSOCKET:
            di_scope = Scope.SESSION
        else:
            await app(scope, receive, send)
            return
        async with container(scope=di_scope) as request_container:
            scope["state"][KEY] = request_container
            await app(scope, receive, send)

    return request_scope
