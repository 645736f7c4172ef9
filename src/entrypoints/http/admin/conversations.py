"""/api/v1/admin/conversations: WhatsApp conversations waiting for the owner."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import unquote

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, get, post
from litestar.params import FromPath

from application.conversation.handovers import ListHandovers, ResumeAssistant
from entrypoints.http.admin.auth import current_admin, require_admin
from entrypoints.http.openapi import problems


class HandoverView(msgspec.Struct):
    phone: str
    whatsapp_link: str
    until: datetime


class AdminConversationController(Controller):
    path = "/admin/conversations"
    tags = ["admin", "whatsapp"]
    guards = [require_admin]
    security = [{"BearerToken": []}]

    @get(
        "/handovers",
        summary="Conversations handed over to a person (the assistant is silent there)",
        responses=problems(401, 403),
    )
    @inject
    async def handovers(self, use_case: FromDishka[ListHandovers]) -> list[HandoverView]:
        return [
            HandoverView(h.phone, f"https://wa.me/{h.phone.lstrip('+')}", h.until)
            for h in await use_case()
        ]

    @post(
        "/{phone:str}/resume",
        summary="Let the assistant answer this phone again",
        status_code=204,
        responses=problems(401, 403, 404),
    )
    @inject
    async def resume(
        self,
        request: Request[Any, Any, Any],
        phone: FromPath[str],
        use_case: FromDishka[ResumeAssistant],
    ) -> None:
        await use_case(unquote(phone).strip().lstrip("+"), current_admin(request).email)
