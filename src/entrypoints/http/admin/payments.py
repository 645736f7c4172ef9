"""/api/v1/admin/payments: what Mercado Pago told us, and what needs a person (also each
booking's money to give back: ``provider`` "ledger"; and the payments recorded by hand whose
amount matched nothing owed: ``provider`` "manual", id ``manual:N``, settled only by dismissing
them with a reason, as on the console's Pagos)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from application.payments.admin import ListPaymentsNeedingAttention, PaymentsOfReservation
from application.payments.attention import (
    ListLedgerFlags,
    PaymentResolution,
    QueueItemNotOpen,
    ResolveLedgerFlag,
    ResolvePaymentAttention,
)
from application.ports.ledger import FlaggedPayment
from application.ports.payments import PaymentRecord
from domain.codes import ReservationCode
from domain.errors import InvalidValue
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


MANUAL = "manual"  # a payment recorded by hand: ``manual:`` and its movement's number
_MANUAL_PREFIX = f"{MANUAL}:"
_WHY = {
    "unmatched": "matches nothing owed (not the deposit, the total or the balance)",
    "overpaid": "more than everything the booking owed",
}


def manual_view(f: FlaggedPayment) -> PaymentView:
    """A payment recorded by hand that matched nothing owed, in the same shape: received
    (``approved``), its method as ``status_detail``, who recorded it and the note in
    ``attention_reason``."""
    why = f"recorded by hand by {f.recorded_by}: {_WHY.get(f.flag.value, f.flag.value)}"
    return PaymentView(
        id=f"{_MANUAL_PREFIX}{f.id}",
        provider=MANUAL,
        status="approved",
        status_detail=f.method.value,
        amount=f.amount.cents / 100,
        refunded_amount=0.0,
        currency=f.amount.currency,
        reservation_code=f.code,
        external_reference=None,
        purpose=None,
        attention=f.flag.value,
        attention_reason=f"{why} ({f.note})" if f.note else why,
        approved_at=f.recorded_at,
        first_seen_at=f.recorded_at,
        updated_at=f.recorded_at,
    )


def _manual_id(payment_id: str) -> int | None:
    if not payment_id.startswith(_MANUAL_PREFIX):
        return None
    number = payment_id.removeprefix(_MANUAL_PREFIX)
    if not number.isascii() or not number.isdigit() or len(number) > 18:
        raise QueueItemNotOpen("that payment has no open attention flag")
    return int(number)


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
        flags: FromDishka[ListLedgerFlags],
        of_reservation: FromDishka[PaymentsOfReservation],
        reservation: Annotated[str | None, QueryParameter(max_length=20)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> list[PaymentView]:
        if reservation:
            records = await of_reservation(ReservationCode.parse(reservation).value)
            return [payment_view(r) for r in records]
        views = [payment_view(r) for r in await attention(limit)]
        views += [manual_view(f) for f in await flags(limit)]
        views.sort(key=lambda v: v.first_seen_at, reverse=True)
        return views[:limit]

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
        ledger_flag: FromDishka[ResolveLedgerFlag],
    ) -> None:
        actor = current_admin(request).email
        item = _manual_id(payment_id)
        if item is None:
            await use_case(payment_id[:64], data.resolution, data.reason, actor)
            return
        if data.resolution is not PaymentResolution.DISMISSED:
            # The ledger already counts the money: what became of it is the owner's reason.
            raise InvalidValue(
                "a payment recorded by hand is settled by dismissing it with a reason "
                "(the ledger already counts it; record a refund on the booking to give "
                "money back)"
            )
        await ledger_flag(item, data.reason, actor)
