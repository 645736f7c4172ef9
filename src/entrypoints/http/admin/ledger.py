"""/api/v1/admin/reservations/{code}: the booking's ledger, payments recorded by hand, and a
hold's extra time. Every write is audited by the use cases."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody

from application.payments.credits import IssueCredit
from application.payments.ledger import ExtendHold, GetLedger, LedgerView, RecordManualPayment
from application.payments.refunds import IssueRefund
from domain.booking.reservation import ReservationStatus
from domain.money import Money
from domain.payments.ledger import BookingLedger, MoneyIn, MoneyOut, PaymentMethod
from domain.payments.standing import Standing, deposit_paid, returnable
from entrypoints.http.admin.auth import current_admin, require_admin
from entrypoints.http.admin.reservations import AdminReservation, admin_view
from entrypoints.http.idempotency import RequiredKey, answer
from entrypoints.http.openapi import problems

Cents = Annotated[int, msgspec.Meta(ge=1, le=10**13, description="integer cents")]


class PaymentBody(msgspec.Struct, forbid_unknown_fields=True):
    method: Literal["transfer", "cash", "other"]
    amount_cents: Cents
    note: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class RefundBody(msgspec.Struct, forbid_unknown_fields=True):
    """``through_mercadopago``: refunded from a Mercado Pago payment of the booking through its
    API; false: the owner gave the money back by hand, recorded only."""

    amount_cents: Cents
    through_mercadopago: bool = True
    note: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class CreditBody(msgspec.Struct, forbid_unknown_fields=True):
    """Keep part or all of what the booking holds as credit for the guest's next booking
    (tied to their phone), instead of a refund; ``valid_days``: null for no end."""

    amount_cents: Cents
    valid_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] | None = None
    note: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class ExtendBody(msgspec.Struct, forbid_unknown_fields=True):
    hours: Annotated[int, msgspec.Meta(ge=1, le=168)]


class MoneyInView(msgspec.Struct):
    reference: str
    method: str
    amount: float
    received_on: date
    recorded_by: str
    covers: str | None  # deposit, balance or total; null when it matched none
    flag: str | None  # unmatched, overpaid, other_currency: for the owner to settle


class MoneyOutView(msgspec.Struct):
    reference: str
    amount: float
    on: date
    recorded_by: str


class LedgerBody(msgspec.Struct):
    """Where the money stands follows the status (``domain.payments.standing``): a booking
    without nights (cancelled, expired) collects nothing — no balance, no deposit to pay, no
    due date — and owes back ``to_return_amount``; a hold or a booking owes nothing back."""

    code: str
    status: str
    currency: str
    total_amount: float
    deposit_due_amount: float
    # The deposit is paid: a hold while what it holds covers it; any other booking once what
    # was paid covered it (a refund after confirming does not un-pay it).
    deposit_paid: bool
    paid_amount: float
    returned_amount: float  # refunded + credited
    held_amount: float  # paid (a credit applied included) and not returned
    # The most that can still be refunded or credited: what the guest paid and has not had
    # back — not a hold's credit from an earlier cancellation, which goes back by itself.
    returnable_amount: float
    balance_due_amount: float  # what the guest still owes; 0 when nothing is collected
    balance_due_on: date | None  # null when nothing is collected (cancelled, expired)
    flagged: int
    deposit_owed_amount: float  # what is still missing of the deposit; 0 when not collected
    credit_applied_amount: float  # paid by credit from the guest's earlier cancellations
    collecting: bool  # the booking still gives nights and collects its balance
    to_return_amount: float  # what goes back to the guest (refund or credit); 0 while collecting
    # False: a confirmed booking with nothing in its ledger (confirmed before it existed, or
    # without an amount): what it owes is unknown — balance_due_amount is 0, not the total;
    # and such a booking cancelled: what goes back is unknown — to_return_amount is 0.
    payments_known: bool
    payments: list[MoneyInView]
    refunds: list[MoneyOutView]
    credits: list[MoneyOutView]
    expires_at: datetime | None = None
    confirmed: bool | None = None  # this payment confirmed the hold (false: nights sold)


def _a(money: Money) -> float:
    return money.cents / 100


def _in(m: MoneyIn) -> MoneyInView:
    return MoneyInView(
        m.reference,
        m.method.value,
        _a(m.amount),
        m.received_on,
        m.recorded_by,
        m.covers.value if m.covers else None,
        m.flag.value if m.flag else None,
    )


def _out(m: MoneyOut) -> MoneyOutView:
    return MoneyOutView(m.reference, _a(m.amount), m.on, m.recorded_by)


def ledger_body(view: LedgerView) -> LedgerBody:
    r, ledger = view.reservation, view.ledger
    return _body(
        r.code.value, r.status, r.expires_at, ledger, view.confirmed, view.standing(r.status)
    )


def _body(
    code: str,
    status: ReservationStatus,
    expires_at: datetime | None,
    ledger: BookingLedger,
    confirmed: bool | None,
    stands: Standing,
) -> LedgerBody:
    return LedgerBody(
        code=code,
        status=status.value,
        currency=ledger.total.currency,
        total_amount=_a(ledger.total),
        deposit_due_amount=_a(ledger.deposit_due),
        deposit_paid=deposit_paid(ledger, status),
        paid_amount=_a(ledger.paid),
        returned_amount=_a(ledger.returned),
        held_amount=_a(ledger.held),
        returnable_amount=_a(returnable(ledger, status)),
        balance_due_amount=_a(stands.balance_due),
        balance_due_on=stands.balance_due_on,
        flagged=len(ledger.flagged),
        deposit_owed_amount=_a(stands.deposit_missing),
        credit_applied_amount=_a(ledger.credit_applied),
        collecting=stands.collecting,
        to_return_amount=_a(stands.to_return),
        payments_known=stands.payments_known,
        payments=[_in(p) for p in ledger.payments],
        refunds=[_out(m) for m in ledger.refunds],
        credits=[_out(m) for m in ledger.credits],
        expires_at=expires_at if status is ReservationStatus.PRE_RESERVED else None,
        confirmed=confirmed,
    )


class AdminLedgerController(Controller):
    path = "/admin/reservations"
    tags = ["admin"]
    guards = [require_admin]
    security = [{"BearerToken": []}]

    @get(
        "/{code:str}/ledger",
        summary="The booking's money: total, deposit, balance and its due date, every movement",
        responses=problems(401, 403, 404),
    )
    @inject
    async def ledger(self, code: FromPath[str], use_case: FromDishka[GetLedger]) -> LedgerBody:
        return ledger_body(await use_case(code))

    @post(
        "/{code:str}/payments",
        status_code=201,
        summary="Record a transfer, cash or other payment (audited); a covered hold is confirmed",
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    @inject
    async def record_payment(
        self,
        request: Request[Any, Any, Any],
        code: FromPath[str],
        data: JSONBody[PaymentBody],
        use_case: FromDishka[RecordManualPayment],
        idempotency_key: RequiredKey,
    ) -> Response[LedgerBody]:
        view = await use_case(
            code,
            PaymentMethod(data.method),
            data.amount_cents,
            data.note,
            current_admin(request).email,
            idempotency_key,
        )
        return _recorded(view)

    @post(
        "/{code:str}/refunds",
        status_code=201,
        summary="Refund part or all of what was paid, through Mercado Pago or by hand (audited)",
        responses=problems(400, 401, 403, 404, 409, 422, 503),
    )
    @inject
    async def refund(
        self,
        request: Request[Any, Any, Any],
        code: FromPath[str],
        data: JSONBody[RefundBody],
        use_case: FromDishka[IssueRefund],
        idempotency_key: RequiredKey,
    ) -> Response[LedgerBody]:
        view = await use_case(
            code,
            data.amount_cents,
            data.through_mercadopago,
            data.note,
            current_admin(request).email,
            idempotency_key,
        )
        return _recorded(view)

    @post(
        "/{code:str}/credits",
        status_code=201,
        summary="Give the guest credit for another date from what the booking holds (audited)",
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    @inject
    async def credit(
        self,
        request: Request[Any, Any, Any],
        code: FromPath[str],
        data: JSONBody[CreditBody],
        use_case: FromDishka[IssueCredit],
        idempotency_key: RequiredKey,
    ) -> Response[LedgerBody]:
        issued = await use_case(
            code,
            data.amount_cents,
            data.valid_days,
            data.note,
            current_admin(request).email,
            idempotency_key,
        )
        view = issued.view
        if not view.recorded:
            return Response(
                ledger_body(view), status_code=200, headers={"Idempotent-Replayed": "true"}
            )
        return Response(ledger_body(view), status_code=201)

    @post(
        "/{code:str}/extend",
        status_code=200,
        summary="Give a hold more time, e.g. while a transfer arrives (audited)",
        responses=problems(401, 403, 404, 409, 422),
    )
    @inject
    async def extend(
        self,
        request: Request[Any, Any, Any],
        code: FromPath[str],
        data: JSONBody[ExtendBody],
        use_case: FromDishka[ExtendHold],
    ) -> AdminReservation:
        return admin_view(await use_case(code, data.hours, current_admin(request).email))


def _recorded(view: LedgerView) -> Response[LedgerBody]:
    """201 when this request recorded the movement; 200, replayed, when its key already had."""
    replayed = not view.recorded
    return answer(ledger_body(view), replayed=replayed, status=200 if replayed else 201)
