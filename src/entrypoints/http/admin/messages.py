"""/api/v1/admin/messages/undeliverable: notifications no channel delivered (the action queue
the console shows)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, get
from litestar.params import Parameter

from application.messaging.undeliverable import ListUndeliverableMessages
from domain.codes import ReservationCode
from entrypoints.http.admin.auth import require_admin
from entrypoints.http.openapi import problems


class UndeliverableView(msgspec.Struct):
    id: int | None
    topic: str  # booking_confirmed, deposit_link, owner_alert, reply…
    recipient: str  # guest | owner
    reservation: str | None  # the code as displayed
    errors: list[str]  # one line per channel tried
    failed_at: datetime


class AdminMessageController(Controller):
    path = "/admin/messages"
    tags = ["admin"]
    guards = [require_admin]
    security = [{"BearerToken": []}]

    @get(
        "/undeliverable",
        summary="Messages that failed on every channel (newest first)",
        responses=problems(400, 401, 403),
    )
    @inject
    async def undeliverable(
        self,
        use_case: FromDishka[ListUndeliverableMessages],
        limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
    ) -> list[UndeliverableView]:
        return [
            UndeliverableView(
                m.id,
                m.topic,
                m.recipient,
                ReservationCode(m.reservation).display if m.reservation else None,
                m.errors.splitlines(),
                m.failed_at,
            )
            for m in await use_case(limit)
        ]
