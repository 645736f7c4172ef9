"""Hoy (/panel/): what needs the owner today."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from entrypoints.http.console.rendering import PREFIX, page

ConsoleRequest = Request[Any, Any, Any]
STAFF = {"staff": True}


class TodayController(Controller):
    path = PREFIX
    include_in_schema = False

    @get("/", opt=STAFF)
    async def today(self, request: ConsoleRequest) -> Template:
        return page(request, "today.html", title="Hoy")
