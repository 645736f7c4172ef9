"""Each booking's movements of money (``booking_money``, migration 0018) as its ledger."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.tables import booking_money, guest_credits, reservations
from application.ports.ledger import QUEUE_FLAGS, FlaggedPayment, LedgerTerms
from domain.booking.reservation import Reservation
from domain.calendar import local_today
from domain.money import Money
from domain.payments.credits import applied_reference
from domain.payments.ledger import BookingLedger, Covers, Flag, MoneyIn, MoneyOut, PaymentMethod

_M, _R = booking_money.c, reservations.c
_BOOKING_ID = (
    select(_R.id).where(_R.code == bindparam("code"), _R.kind == "booking").scalar_subquery()
)
MOVEMENTS = (
    select(booking_money).where(_M.reservation_id == _BOOKING_ID).order_by(_M.recorded_at, _M.id)
)
# The credits from cancelled bookings this one holds (``guest_credits``): paid by credit.
CREDITS_HELD = (
    select(guest_credits.c.id, guest_credits.c.amount_cents, guest_credits.c.currency)
    .add_columns(guest_credits.c.applied_at)
    .where(guest_credits.c.applied_to == _BOOKING_ID)
    .order_by(guest_credits.c.id)
)
_insert = pg_insert(booking_money)
ADD = _insert.values(
    reservation_id=_BOOKING_ID,
    direction=bindparam("direction"),
    reference=bindparam("reference"),
    method=bindparam("method"),
    amount_cents=bindparam("amount_cents"),
    currency=bindparam("currency"),
    on_date=bindparam("on_date"),
    recorded_by=bindparam("recorded_by"),
    recorded_at=func.now(),
    covers=bindparam("covers"),
    flag=bindparam("flag"),
    note=bindparam("note"),
).on_conflict_do_nothing(constraint="booking_money_reference_key")


_OPEN_FLAG = (
    (_M.direction == "payment")
    & _M.flag.in_(sorted(f.value for f in QUEUE_FLAGS))
    & (_M.method != PaymentMethod.MERCADOPAGO.value)
    & _M.attention_resolved_at.is_(None)
)
_FLAGGED_COLUMNS = (
    _M.id,
    _M.method,
    _M.amount_cents,
    _M.currency,
    _M.flag,
    _M.on_date,
    _M.recorded_by,
    _M.recorded_at,
    _M.note,
)
OPEN_FLAGS = (
    select(*_FLAGGED_COLUMNS, _R.code)
    .join(reservations, _R.id == _M.reservation_id)
    .where(_OPEN_FLAG)
    .order_by(_M.recorded_at.desc(), _M.id.desc())
    .limit(bindparam("limit"))
)


def _resolve(which: Any) -> Any:
    return (
        update(booking_money)
        .where(which, _OPEN_FLAG)
        .values(
            attention_resolved_at=bindparam("now"), attention_resolution=bindparam("resolution")
        )
        .returning(
            *_FLAGGED_COLUMNS,
            select(_R.code)
            .where(_R.id == _M.reservation_id)
            .correlate(booking_money)
            .scalar_subquery()
            .label("code"),
        )
    )


RESOLVE_FLAG = _resolve(_M.id == bindparam("item_id"))
RESOLVE_FLAGS_OF = _resolve(_M.reservation_id == _BOOKING_ID)


def _flagged(row: Any) -> FlaggedPayment:
    return FlaggedPayment(
        id=row.id,
        code=row.code,
        method=PaymentMethod(row.method),
        amount=Money(row.amount_cents, row.currency),
        flag=Flag(row.flag),
        received_on=row.on_date,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        note=row.note,
    )


def _in(row: Any) -> MoneyIn:
    return MoneyIn(
        reference=row.reference,
        method=PaymentMethod(row.method),
        amount=Money(row.amount_cents, row.currency),
        received_on=row.on_date,
        recorded_by=row.recorded_by,
        covers=Covers(row.covers) if row.covers else None,
        flag=Flag(row.flag) if row.flag else None,
    )


def _out(row: Any) -> MoneyOut:
    return MoneyOut(
        row.reference, Money(row.amount_cents, row.currency), row.on_date, row.recorded_by
    )


class SqlLedger:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def load(self, reservation: Reservation, terms: LedgerTerms) -> BookingLedger:
        ledger = BookingLedger.open(
            reservation.total,
            reservation.deposit,
            reservation.stay.check_in,
            local_today(reservation.created_at),
            terms.balance_due_days,
        )
        for held in await self._conn.execute(CREDITS_HELD, {"code": reservation.code.value}):
            ledger = ledger.apply_credit(
                MoneyIn(
                    applied_reference(held.id),
                    PaymentMethod.CREDIT,
                    Money(held.amount_cents, held.currency),
                    local_today(held.applied_at),
                    "credit",
                )
            )
        payments: list[MoneyIn] = list(ledger.payments)
        refunds: list[MoneyOut] = []
        credits: list[MoneyOut] = []
        for row in await self._conn.execute(MOVEMENTS, {"code": reservation.code.value}):
            if row.direction == "payment":
                payments.append(_in(row))
            elif row.direction == "refund":
                refunds.append(_out(row))
            else:
                credits.append(_out(row))
        return BookingLedger(
            ledger.total,
            ledger.deposit_due,
            ledger.check_in,
            ledger.balance_due_on,
            tuple(payments),
            tuple(refunds),
            tuple(credits),
        )

    async def add_payment(self, code: str, payment: MoneyIn, note: str | None = None) -> None:
        await self._add(
            code,
            "payment",
            payment.reference,
            payment.amount,
            payment.received_on,
            payment.recorded_by,
            note,
            method=payment.method.value,
            covers=payment.covers.value if payment.covers else None,
            flag=payment.flag.value if payment.flag else None,
        )

    async def add_refund(self, code: str, refund: MoneyOut, note: str | None = None) -> None:
        await self._add(
            code, "refund", refund.reference, refund.amount, refund.on, refund.recorded_by, note
        )

    async def add_credit(self, code: str, credit: MoneyOut, note: str | None = None) -> None:
        await self._add(
            code, "credit", credit.reference, credit.amount, credit.on, credit.recorded_by, note
        )

    async def open_flags(self, limit: int) -> list[FlaggedPayment]:
        rows = await self._conn.execute(OPEN_FLAGS, {"limit": limit})
        return [_flagged(row) for row in rows]

    async def resolve_flag(
        self, item_id: int, resolution: str, now: datetime
    ) -> FlaggedPayment | None:
        row = (
            await self._conn.execute(
                RESOLVE_FLAG, {"item_id": item_id, "resolution": resolution[:20], "now": now}
            )
        ).first()
        return None if row is None else _flagged(row)

    async def resolve_flags_of(
        self, code: str, resolution: str, now: datetime
    ) -> list[FlaggedPayment]:
        rows = await self._conn.execute(
            RESOLVE_FLAGS_OF, {"code": code, "resolution": resolution[:20], "now": now}
        )
        return sorted((_flagged(row) for row in rows), key=lambda f: f.id)

    async def _add(
        self,
        code: str,
        direction: str,
        reference: str,
        amount: Money,
        on: date,
        recorded_by: str,
        note: str | None,
        *,
        method: str | None = None,
        covers: str | None = None,
        flag: str | None = None,
    ) -> None:
        await self._conn.execute(
            ADD,
            {
                "code": code,
                "direction": direction,
                "reference": reference[:100],
                "method": method,
                "amount_cents": amount.cents,
                "currency": amount.currency,
                "on_date": on,
                "recorded_by": recorded_by[:320],
                "covers": covers,
                "flag": flag,
                "note": note,
            },
        )
