"""/api/v1/admin/receipts: transfer receipts guests sent over WhatsApp, waiting for the owner
(the file itself, approving with the amount it shows, rejecting). Audited by the use cases."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.params import JSONBody, QueryParameter

from application.payments.receipts import (
    ApproveReceipt,
    GetReceipt,
    ListReceiptsToApprove,
    RejectReceipt,
)
from entrypoints.http.admin.auth import current_admin, require_admin
from entrypoints.http.admin.ledger import LedgerBody, ledger_body
from entrypoints.http.openapi import problems
from entrypoints.http.params import RowId
from entrypoints.urls import api_path


class ReceiptView(msgspec.Struct):
    id: int
    reservation_code: str
    mime_type: str
    size_bytes: int
    received_at: datetime
    status: str
    content_url: str  # the file itself (GET, same credentials)


class ApproveBody(msgspec.Struct, forbid_unknown_fields=True):
    """The amount the receipt shows, recorded as a transfer payment."""

    amount_cents: Annotated[int, msgspec.Meta(ge=1, le=10**13)]


class RejectBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class AdminReceiptController(Controller):
    path = "/admin/receipts"
    tags = ["admin"]
    guards = [require_admin]
    security = [{"BearerToken": []}]

    @get(
        "/",
        summary="Transfer receipts waiting for approval, oldest first",
        responses=problems(401, 403),
    )
    @inject
    async def pending(
        self,
        use_case: FromDishka[ListReceiptsToApprove],
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> list[ReceiptView]:
        return [
            ReceiptView(
                r.id,
                r.reservation_code,
                r.mime_type,
                r.size,
                r.received_at,
                r.status.value,
                api_path("admin", "receipts", r.id, "content"),
            )
            for r in await use_case(limit)
        ]

    @get(
        "/{receipt_id:int}/content",
        summary="The receipt file as the guest sent it",
        responses=problems(400, 401, 403, 404),
        media_type="application/octet-stream",
    )
    @inject
    async def content(self, receipt_id: RowId, use_case: FromDishka[GetReceipt]) -> Response[bytes]:
        receipt = await use_case(receipt_id)
        extension = receipt.mime_type.rsplit("/", 1)[-1]
        return Response(
            receipt.content,
            media_type=receipt.mime_type,
            headers={
                "Content-Disposition": f'inline; filename="comprobante-{receipt_id}.{extension}"',
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
            },
        )

    @post(
        "/{receipt_id:int}/approve",
        status_code=200,
        summary="Approve: record the transfer it shows (confirms a covered hold; audited)",
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    @inject
    async def approve(
        self,
        request: Request[Any, Any, Any],
        receipt_id: RowId,
        data: JSONBody[ApproveBody],
        use_case: FromDishka[ApproveReceipt],
    ) -> LedgerBody:
        view = await use_case(receipt_id, data.amount_cents, current_admin(request).email)
        return ledger_body(view)

    @post(
        "/{receipt_id:int}/reject",
        status_code=204,
        summary="Reject: it leaves the queue, the guest is told; the hold stays (audited)",
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    @inject
    async def reject(
        self,
        request: Request[Any, Any, Any],
        receipt_id: RowId,
        data: JSONBody[RejectBody],
        use_case: FromDishka[RejectReceipt],
    ) -> None:
        await use_case(receipt_id, current_admin(request).email, data.reason)
