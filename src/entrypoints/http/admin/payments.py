"""/api/v1/admin/payments: what Mercado Pago told us, and what needs a person (also each
booking's money to give back: ``provider`` "ledger")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from application.payments.admin import ListPaymentsNeedingAttention, PaymentsOfReservation
from application.payments.attention import PaymentResolution, ResolvePaymentAttention
from application.ports.payments import PaymentRecord
from domain.codes import ReservationCode
from entrypoints.http.admin.auth import current_admin, require_admin
from entrypoints.http.openapi import problems


class PaymentView(msgspec.Struct):
    id: str
    provider: str  # mercadopago | ledger (a booking that gives no nights holds this money)
    status: str
    status_detail: str | None
    amount: float
    refunded_amount: float
    currency: str
    reservation_code: str | None  # the booking's, whichever of its links paid
    # As Mercado Pago reports it: the code for the deposit's link, CODE:balance for the balance's.
    external_reference: str | None
    purpose: str | None  # deposit | balance (None: no booking of ours, or provider "ledger")
    attention: str | None
    attention_reason: str | None
    approved_at: datetime | None
    first_seen_at: datetime
    updated_at: datetime


class ResolveAttentionRequest(msgspec.Struct, forbid_unknown_fields=True):
    # payment_recorded | refunded | dismissed (credited, money_to_return: by the booking's money)
    resolution: PaymentResolution
    reason: Annotated[str, msgspec.Meta(max_length=500)] | None = None  # required to dismiss


def payment_view(r: PaymentRecord) -> PaymentView:
    p = r.payment
    return PaymentView(
        id=p.id,
        provider=r.provider,
        status=p.status.value,
        status_detail=p.status_detail,
        amount=p.amount.cents / 100,
        refunded_amount=p.refunded.cents / 100 if p.refunded else 0.0,
        currency=p.amount.currency,
        reservation_code=r.reservation_code,
        external_reference=p.external_reference,
        purpose=r.purpose.value if r.purpose else None,
        attention=r.attention.value if r.attention else None,
        attention_reason=r.attention_reason,
        approved_at=p.approved_at,
        first_seen_at=r.first_seen_at,
        updated_at=r.updated_at,
    )


class AdminPaymentController(Controller):
    path = "/admin/payments"
    tags = ["admin"]
    guards = [require_admin]
    security = [{"BearerToken": []}]

    @get(
        "/",
        summary="Payments needing attention (default), or those of one reservation",
        responses=problems(400, 401, 403, 422),
    )
    @inject
    async def list_payments(
        self,
        attention: FromDishka[ListPaymentsNeedingAttention],
        of_reservation: FromDishka[PaymentsOfReservation],
        reservation: Annotated[str | None, QueryParameter(max_length=20)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> list[PaymentView]:
        if reservation:
            records = await of_reservation(ReservationCode.parse(reservation).value)
        else:
            records = await attention(limit)
        return [payment_view(r) for r in records]

    @post(
        "/{payment_id:str}/attention/resolve",
        status_code=204,
        summary="Settle a payment's attention flag (audited); it leaves the action queue",
        responses=problems(401, 403, 404, 422),
    )
    @inject
    async def resolve_attention(
        self,
        request: Request[Any, Any, Any],
        payment_id: FromPath[str],
        data: JSONBody[ResolveAttentionRequest],
        use_case: FromDishka[ResolvePaymentAttention],
    ) -> None:
        await use_case(payment_id[:64], data.resolution, data.reason, current_admin(request).email)
