"""/api/v1/admin/messages/undeliverable: notifications no channel delivered (the action queue
the console shows)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, get, post
from litestar.params import JSONBody, Parameter

from application.back_office.queue_items import MessageResolution, ResolveUndeliverable
from application.messaging.undeliverable import ListUndeliverableMessages
from domain.codes import ReservationCode
from entrypoints.http.admin.auth import current_admin, require_admin
from entrypoints.http.openapi import problems
from entrypoints.http.params import RowId


class UndeliverableView(msgspec.Struct):
    id: int | None
    topic: str  # booking_confirmed, deposit_link, owner_alert, reply…
    recipient: str  # guest | owner
    reservation: str | None  # the code as displayed
    errors: list[str]  # one line per channel tried
    failed_at: datetime


class ResolveUndeliverableRequest(msgspec.Struct, forbid_unknown_fields=True):
    resolution: MessageResolution  # retried | dismissed
    reason: Annotated[str, msgspec.Meta(max_length=500)] | None = None  # required to dismiss


class Resolved(msgspec.Struct):
    requeued: int  # outbox rows sent again (0 when dismissed)


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

    @post(
        "/undeliverable/{item_id:int}/resolve",
        status_code=200,
        summary="Retry or dismiss an undeliverable message (audited); it leaves the queue",
        responses=problems(401, 403, 404, 422),
    )
    @inject
    async def resolve(
        self,
        request: Request[Any, Any, Any],
        item_id: RowId,
        data: JSONBody[ResolveUndeliverableRequest],
        use_case: FromDishka[ResolveUndeliverable],
    ) -> Resolved:
        email = current_admin(request).email
        return Resolved(await use_case(item_id, data.resolution, data.reason, email))
