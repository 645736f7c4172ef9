"""Payments as last fetched from the provider, upserted by the provider's id; and each
booking's money to give back, one row of provider ``ledger`` (``keep_money_to_return``).

A payment is stored under the code of the booking it was matched to (``reservation_code``,
what every query here joins on) and, apart, its checkout's reference as the provider reports
it (``external_reference``: ``CODE`` or ``CODE:balance``), which tells what it paid for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    String,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.driver import Driver, RawStatement, Row
from adapters.postgres.tables import payments
from application.ports.payments import FOLDED_FLAGS, LEDGER, MERCADOPAGO, PaymentRecord
from domain.money import Money
from domain.payments.payment import Attention, Payment, PaymentStatus

_P = payments.c
_insert = pg_insert(payments)
_REOPENS = and_(
    _insert.excluded.attention.is_not(None),
    _insert.excluded.attention.is_distinct_from(_P.attention),
)
UPSERT_PAYMENT = _insert.on_conflict_do_update(
    index_elements=[_P.id],
    set_={
        "reservation_code": _insert.excluded.reservation_code,
        "external_reference": _insert.excluded.external_reference,
        "status": _insert.excluded.status,
        "status_detail": _insert.excluded.status_detail,
        "amount_cents": _insert.excluded.amount_cents,
        "refunded_cents": _insert.excluded.refunded_cents,
        "currency": _insert.excluded.currency,
        "provider_created_at": _insert.excluded.provider_created_at,
        "approved_at": _insert.excluded.approved_at,
        "provider_updated_at": _insert.excluded.provider_updated_at,
        # An open question for a person is never erased by a later, calmer notification.
        "attention": func.coalesce(_insert.excluded.attention, _P.attention),
        "attention_reason": func.coalesce(_insert.excluded.attention_reason, _P.attention_reason),
        # A settled flag stays settled when the same question comes again; another one reopens.
        "attention_resolved_at": case((_REOPENS, None), else_=_P.attention_resolved_at),
        "attention_resolution": case((_REOPENS, None), else_=_P.attention_resolution),
        "updated_at": _insert.excluded.updated_at,
    },
    # Notifications are processed concurrently and may fetch in one order and write in
    # another: an older state of the payment never overwrites a newer one.
    where=or_(
        _P.provider_updated_at.is_(None),
        _insert.excluded.provider_updated_at.is_(None),
        _insert.excluded.provider_updated_at >= _P.provider_updated_at,
    ),
)
GET_PAYMENT = select(payments).where(_P.id == bindparam("id"))
NEEDING_ATTENTION = (
    select(payments)
    .where(_P.attention.is_not(None), _P.attention_resolved_at.is_(None))
    .order_by(_P.updated_at.desc())
    .limit(bindparam("limit"))
)
RESOLVE_ATTENTION = (
    update(payments)
    .where(
        _P.id == bindparam("p_id"),
        _P.attention.is_not(None),
        _P.attention_resolved_at.is_(None),
    )
    .values(attention_resolved_at=bindparam("p_now"), attention_resolution=bindparam("p_how"))
    .returning(*payments.c)
)
# Read on every owner's Hoy: straight on asyncpg (adapters/postgres/driver.py).
NEEDING_ATTENTION_RAW = RawStatement(NEEDING_ATTENTION)
FOR_RESERVATION = (
    select(payments)
    .where(_P.reservation_code == bindparam("code"), _P.provider == MERCADOPAGO)
    .order_by(_P.first_seen_at)
)
_REOPEN = bindparam("reopen", type_=Boolean)
KEEP_MONEY_TO_RETURN = _insert.on_conflict_do_update(
    index_elements=[_P.id],
    set_={
        "amount_cents": _insert.excluded.amount_cents,
        "currency": _insert.excluded.currency,
        "attention": _insert.excluded.attention,
        "attention_reason": _insert.excluded.attention_reason,
        "attention_resolved_at": case((_REOPEN, None), else_=_P.attention_resolved_at),
        "attention_resolution": case((_REOPEN, None), else_=_P.attention_resolution),
        "updated_at": _insert.excluded.updated_at,
    },
)

# What a booking owes back, as ``domain.payments.standing`` says: a cancelled booking all it
# holds (money in, less refunds and credits out, in its currency, and the credits it took); a
# lapsed hold the same but its credit, which is the guest's again; one with nights nothing.
# Compared with its item in the queue (provider ``ledger``, one per booking): out of step when
# it owes and has none, or its item is open with another amount, or open beside a Mercado Pago
# flag it should have taken (``FOLDED_FLAGS``, on a payment the ledger counts: recorded under
# ``mp:<id>``, in the booking's currency). Settled items are left be.
# The bookings looked at: the ones asked for (``codes``), or else every booking without nights
# that ever had money in (few, beside the many lapsed holds that never had any) and the open
# items' own (a constant false filter skips the branch not asked for).
MONEY_TO_RETURN_OUT_OF_STEP = text(
    "WITH candidates AS ("
    "SELECT id FROM reservations WHERE code = ANY(:codes) "
    "UNION SELECT r.id FROM reservations r WHERE :codes IS NULL "
    "AND r.status IN ('cancelled', 'expired') "
    "AND (r.id IN (SELECT reservation_id FROM booking_money) "
    "OR r.id IN (SELECT applied_to FROM guest_credits)) "
    "UNION SELECT r.id FROM payments p JOIN reservations r ON r.code = p.reservation_code "
    "WHERE :codes IS NULL AND p.provider = :ledger AND p.attention_resolved_at IS NULL"
    "), owed AS ("
    "SELECT r.id, r.code, r.currency, CASE r.status "
    "WHEN 'cancelled' THEN greatest(0, money.cents + credit.cents) "
    "WHEN 'expired' THEN greatest(0, money.cents) ELSE 0 END AS cents "
    "FROM reservations r "
    "CROSS JOIN LATERAL (SELECT coalesce(sum(CASE m.direction WHEN 'payment' THEN "
    "m.amount_cents ELSE -m.amount_cents END), 0) AS cents FROM booking_money m "
    "WHERE m.reservation_id = r.id AND m.currency = r.currency) money "
    "CROSS JOIN LATERAL (SELECT coalesce(sum(g.amount_cents), 0) AS cents FROM guest_credits g "
    "WHERE g.applied_to = r.id AND g.currency = r.currency) credit "
    "WHERE r.id IN (SELECT id FROM candidates) AND r.kind = 'booking') "
    "SELECT o.code FROM owed o "
    "LEFT JOIN payments p ON p.provider = :ledger AND p.reservation_code = o.code "
    "WHERE CASE WHEN p.id IS NULL THEN o.cents > 0 ELSE p.attention_resolved_at IS NULL "
    "AND (p.amount_cents <> o.cents OR p.currency <> o.currency OR EXISTS ("
    "SELECT 1 FROM payments f JOIN booking_money m ON m.reservation_id = o.id "
    "AND m.direction = 'payment' AND m.reference = 'mp:' || f.id "
    "WHERE f.provider = :mercadopago AND f.reservation_code = o.code "
    "AND f.attention = ANY(:folded) AND f.attention_resolved_at IS NULL "
    "AND m.currency = o.currency AND m.flag IS DISTINCT FROM 'other_currency')) END "
    "ORDER BY o.code LIMIT :limit"
).bindparams(bindparam("codes", type_=ARRAY(String)), bindparam("folded", type_=ARRAY(String)))


def _record(row: Any) -> PaymentRecord:
    refunded = Money(row.refunded_cents, row.currency) if row.refunded_cents else None
    return PaymentRecord(
        payment=Payment(
            id=row.id,
            status=PaymentStatus.parse(row.status),
            amount=Money(row.amount_cents, row.currency),
            external_reference=row.external_reference,
            status_detail=row.status_detail,
            refunded=refunded,
            created_at=row.provider_created_at,
            approved_at=row.approved_at,
            updated_at=row.provider_updated_at,
        ),
        reservation_code=row.reservation_code,
        attention=Attention(row.attention) if row.attention else None,
        attention_reason=row.attention_reason,
        attention_resolved_at=row.attention_resolved_at,
        attention_resolution=row.attention_resolution,
        first_seen_at=row.first_seen_at,
        updated_at=row.updated_at,
        provider=row.provider,
    )


class SqlPaymentRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._driver = Driver(conn)

    async def get(self, payment_id: str) -> PaymentRecord | None:
        row = (await self._conn.execute(GET_PAYMENT, {"id": payment_id})).first()
        return None if row is None else _record(row)

    async def save(
        self,
        payment: Payment,
        now: datetime,
        *,
        reservation_code: str | None,
        attention: Attention | None,
        attention_reason: str | None,
    ) -> None:
        await self._conn.execute(
            UPSERT_PAYMENT,
            {
                "id": payment.id,
                "reservation_code": reservation_code,
                "external_reference": (payment.external_reference or "")[:64] or None,
                "status": payment.status.value,
                "status_detail": (payment.status_detail or "")[:100] or None,
                "amount_cents": payment.amount.cents,
                "refunded_cents": payment.refunded.cents if payment.refunded else 0,
                "currency": payment.amount.currency,
                "provider_created_at": payment.created_at,
                "approved_at": payment.approved_at,
                "provider_updated_at": payment.updated_at,
                "attention": attention.value if attention else None,
                "attention_reason": attention_reason if attention else None,
                "first_seen_at": now,
                "updated_at": now,
            },
        )

    async def needing_attention(self, limit: int) -> list[PaymentRecord]:
        db = await self._driver.plain()
        rows = await db.fetch(
            NEEDING_ATTENTION_RAW.sql, *NEEDING_ATTENTION_RAW.args({"limit": limit})
        )
        return [_record(Row(r)) for r in rows]

    async def resolve_attention(
        self, payment_id: str, resolution: str, now: datetime
    ) -> PaymentRecord | None:
        row = (
            await self._conn.execute(
                RESOLVE_ATTENTION, {"p_id": payment_id, "p_now": now, "p_how": resolution}
            )
        ).first()
        return None if row is None else _record(row)

    async def for_reservation(self, code: str) -> list[PaymentRecord]:
        return [_record(r) for r in await self._conn.execute(FOR_RESERVATION, {"code": code})]

    async def keep_money_to_return(
        self, item_id: str, code: str, amount: Money, reason: str, now: datetime, *, reopen: bool
    ) -> None:
        await self._conn.execute(
            KEEP_MONEY_TO_RETURN,
            {
                "id": item_id,
                "provider": LEDGER,
                "reservation_code": code,
                "status": PaymentStatus.APPROVED.value,  # money received, and not given back
                "amount_cents": amount.cents,
                "refunded_cents": 0,
                "currency": amount.currency,
                "attention": Attention.REFUND_REQUIRED.value,
                "attention_reason": reason,
                "first_seen_at": now,
                "updated_at": now,
                "reopen": reopen,
            },
        )

    async def money_to_return_out_of_step(
        self, limit: int, codes: Sequence[str] | None = None
    ) -> list[str]:
        params = {
            "limit": limit,
            "ledger": LEDGER,
            "mercadopago": MERCADOPAGO,
            "folded": sorted(a.value for a in FOLDED_FLAGS),
            "codes": None if codes is None else [*codes],
        }
        return [row.code for row in await self._conn.execute(MONEY_TO_RETURN_OUT_OF_STEP, params)]
