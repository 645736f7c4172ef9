"""Hoy's action queue, settled from Hoy (owners): a calendar collision dismissed with a reason
(``DismissCollision``), an undeliverable message sent again or dismissed with a reason
(``ResolveUndeliverable``) — the use cases behind the admin API's ``…/conflicts/{id}/dismiss``
and ``/api/v1/admin/messages/undeliverable/{id}/resolve``. Hoy (``today.py``) draws the forms."""

from __future__ import annotations

from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, post
from litestar.params import FromPath
from litestar.response import Redirect

from application.back_office.queue_items import (
    DismissCollision,
    MessageResolution,
    ResolveUndeliverable,
)
from domain.errors import DomainError
from entrypoints.http.console.auth import console_user
from entrypoints.http.console.forms import read_form
from entrypoints.http.console.messages import spanish
from entrypoints.http.console.rendering import PREFIX, page

ConsoleRequest = Request[Any, Any, Any]
NO_REASON = "Escribí por qué lo sacás de la lista."


class QueueController(Controller):
    path = f"{PREFIX}/cola"
    include_in_schema = False

    @post("/choques/{collision_id:int}/descartar")
    @inject
    async def dismiss_collision(
        self,
        request: ConsoleRequest,
        collision_id: FromPath[int],
        use_case: FromDishka[DismissCollision],
    ) -> Response[Any]:
        reason = (await read_form(request)).text("motivo", 500)
        if not reason:
            return _refused(request, NO_REASON)
        try:
            await use_case(collision_id, reason, console_user(request).email)
        except DomainError as err:
            return _refused(request, spanish(err))
        return Redirect(f"{PREFIX}/", status_code=303)

    @post("/mensajes/{item_id:int}/reintentar")
    @inject
    async def retry_message(
        self,
        request: ConsoleRequest,
        item_id: FromPath[int],
        use_case: FromDishka[ResolveUndeliverable],
    ) -> Response[Any]:
        try:
            await use_case(item_id, MessageResolution.RETRIED, None, console_user(request).email)
        except DomainError as err:
            return _refused(request, spanish(err))
        return Redirect(f"{PREFIX}/", status_code=303)

    @post("/mensajes/{item_id:int}/descartar")
    @inject
    async def dismiss_message(
        self,
        request: ConsoleRequest,
        item_id: FromPath[int],
        use_case: FromDishka[ResolveUndeliverable],
    ) -> Response[Any]:
        reason = (await read_form(request)).text("motivo", 500)
        if not reason:
            return _refused(request, NO_REASON)
        email = console_user(request).email
        try:
            await use_case(item_id, MessageResolution.DISMISSED, reason, email)
        except DomainError as err:
            return _refused(request, spanish(err))
        return Redirect(f"{PREFIX}/", status_code=303)


def _refused(request: ConsoleRequest, message: str) -> Response[Any]:
    return page(
        request,
        "error.html",
        status=400,
        title="No se pudo",
        heading="No se pudo resolver",
        message=message,
        trace_id=None,
    )
