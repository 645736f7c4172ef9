"""Bloqueo (/panel/calendario/bloqueos/{code}), opened from a block's cell on the calendar:
the cabin, its nights, the reason, who made it; and **Quitar bloqueo**, the same
``DeleteBlock`` use case (and audit entry) as DELETE /api/v1/admin/blocks/{code}. Owners and
staff, like blocking nights. A block already removed is not found (the 404 page)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from application.back_office.blocks import DeleteBlock, GetBlock
from entrypoints.http.console.auth import console_user
from entrypoints.http.console.rendering import PREFIX, page

ConsoleRequest = Request[Any, Any, Any]
STAFF = {"staff": True}


class BlockController(Controller):
    path = f"{PREFIX}/calendario/bloqueos"
    include_in_schema = False

    @get("/{code:str}", opt=STAFF)
    @inject
    async def detail(
        self, request: ConsoleRequest, code: FromPath[str], use_case: FromDishka[GetBlock]
    ) -> Template:
        found = await use_case(code)
        return page(
            request,
            "block_detail.html",
            title=f"Bloqueo de {found.cabin_name or 'una cabaña'}",
            b=found.block,
            cabin_name=found.cabin_name,
            created_by=found.created_by,
        )

    @post("/{code:str}/quitar", opt=STAFF)
    @inject
    async def remove(
        self, request: ConsoleRequest, code: FromPath[str], use_case: FromDishka[DeleteBlock]
    ) -> Redirect:
        removed = await use_case(code, console_user(request).email)
        stay = removed.stay
        query = urlencode(
            {
                "desde": stay.check_in.replace(day=1).isoformat(),
                "libre_desde": stay.check_in.isoformat(),
                "libre_hasta": stay.check_out.isoformat(),
            }
        )
        return Redirect(f"{PREFIX}/calendario?{query}", status_code=303)
