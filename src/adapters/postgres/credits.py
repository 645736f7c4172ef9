"""Credits tied to guests' phones (``guest_credits``, migration 0020)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.driver import Driver, RawStatement
from adapters.postgres.tables import guest_credits, reservations
from domain.money import Money
from domain.payments.credits import CreditUse, GuestCredit

_G, _R = guest_credits.c, reservations.c
_S = reservations.alias("source")
_A = reservations.alias("held_by")
_COLUMNS = (guest_credits, _S.c.code.label("source_code"))
_FROM = guest_credits.join(_S, _S.c.id == _G.source_id)


def _booking_id(name: str) -> Any:
    return select(_R.id).where(_R.code == bindparam(name), _R.kind == "booking").scalar_subquery()


def open_credit(phone: Any, today: Any, now: Any) -> Any:
    """The phone's credit is open: not expired, and held by no booking or by a hold that ran
    out (swept or not yet). Also asked inside the hold's own statement (``PLACE_HOLD``)."""
    return and_(
        _G.phone_key == phone,
        or_(_G.expires_on.is_(None), _G.expires_on >= today),
        or_(
            _G.applied_to.is_(None),
            select(_A.c.id)
            .where(
                _A.c.id == _G.applied_to,
                or_(
                    _A.c.status == "expired",
                    and_(_A.c.status == "pre_reserved", _A.c.expires_at <= now),
                ),
            )
            .exists(),
        ),
    )


_OPEN = open_credit(
    bindparam("phone"),
    bindparam("today", type_=_G.expires_on.type),
    bindparam("now", type_=_A.c.expires_at.type),
)
ANY_OPEN = RawStatement(select(select(_G.id).where(_OPEN).exists()))
# SKIP LOCKED: a credit another booking's transaction is taking is not this one's to take.
CLAIM_OPEN = (
    select(*_COLUMNS)
    .select_from(_FROM)
    .where(_OPEN, _G.currency == bindparam("currency"))
    .order_by(_G.id)
    .with_for_update(of=guest_credits, skip_locked=True)
)
ISSUE = (
    pg_insert(guest_credits)
    .values(
        phone_key=bindparam("phone"),
        amount_cents=bindparam("amount_cents"),
        currency=bindparam("currency"),
        source_id=_booking_id("source_code"),
        reference=bindparam("reference"),
        issued_by=bindparam("issued_by"),
        issued_on=bindparam("issued_on"),
        expires_on=bindparam("expires_on"),
        created_at=bindparam("now"),
    )
    .on_conflict_do_nothing(constraint="guest_credits_reference_key")
)
FIND_ISSUED = (
    select(*_COLUMNS)
    .select_from(_FROM)
    .where(_G.source_id == _booking_id("source_code"), _G.reference == bindparam("reference"))
)
APPLY = (
    update(guest_credits)
    .where(_G.id == bindparam("credit_id"))
    .values(
        applied_to=_booking_id("code"),
        applied_at=bindparam("now"),
        amount_cents=bindparam("applied_cents"),
    )
)
APPLIED_TO = (
    select(*_COLUMNS).select_from(_FROM).where(_G.applied_to == _booking_id("code")).order_by(_G.id)
)
ISSUED_FROM = (
    select(*_COLUMNS).select_from(_FROM).where(_G.source_id == _booking_id("code")).order_by(_G.id)
)
RELEASE = (
    update(guest_credits)
    .where(_G.applied_to == _booking_id("code"))
    .values(applied_to=None, applied_at=None)
    .returning(_G.id)
)


def _credit(row: Any) -> GuestCredit:
    return GuestCredit(
        phone=row.phone_key,
        amount=Money(row.amount_cents, row.currency),
        source_code=row.source_code,
        reference=row.reference,
        issued_by=row.issued_by,
        issued_on=row.issued_on,
        expires_on=row.expires_on,
        id=row.id,
    )


class SqlGuestCredits:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._driver = Driver(conn)

    async def issue(self, credit: GuestCredit, now: datetime) -> GuestCredit:
        params = {
            "phone": credit.phone,
            "amount_cents": credit.amount.cents,
            "currency": credit.amount.currency,
            "source_code": credit.source_code,
            "reference": credit.reference[:100],
            "issued_by": credit.issued_by[:320],
            "issued_on": credit.issued_on,
            "expires_on": credit.expires_on,
            "now": now,
        }
        await self._conn.execute(ISSUE, params)
        row = (await self._conn.execute(FIND_ISSUED, params)).first()
        assert row is not None  # inserted now, or by the same request before
        return _credit(row)

    async def any_open(self, phone: str, today: date, now: datetime) -> bool:
        db = await self._driver.plain()
        found = await db.fetchval(
            ANY_OPEN.sql, *ANY_OPEN.args({"phone": phone, "today": today, "now": now})
        )
        return bool(found)

    async def claim_open(
        self, phone: str, currency: str, today: date, now: datetime
    ) -> tuple[GuestCredit, ...]:
        params = {"phone": phone, "currency": currency, "today": today, "now": now}
        rows = await self._conn.execute(CLAIM_OPEN, params)
        return tuple(_credit(row) for row in rows)

    async def apply(self, use: CreditUse, reservation_code: str, now: datetime) -> GuestCredit:
        credit = use.credit
        assert credit.id is not None, "only a stored credit is applied"
        await self._conn.execute(
            APPLY,
            {
                "credit_id": credit.id,
                "code": reservation_code,
                "now": now,
                "applied_cents": use.applied.cents,
            },
        )
        if use.remainder.cents:
            rest = f"{credit.reference}/rest-{credit.id}"[-100:]
            await self._conn.execute(
                ISSUE,
                {
                    "phone": credit.phone,
                    "amount_cents": use.remainder.cents,
                    "currency": use.remainder.currency,
                    "source_code": credit.source_code,
                    "reference": rest,
                    "issued_by": credit.issued_by[:320],
                    "issued_on": credit.issued_on,
                    "expires_on": credit.expires_on,
                    "now": now,
                },
            )
        return GuestCredit(
            credit.phone,
            use.applied,
            credit.source_code,
            credit.reference,
            credit.issued_by,
            credit.issued_on,
            credit.expires_on,
            credit.id,
        )

    async def applied_to(self, reservation_code: str) -> tuple[GuestCredit, ...]:
        rows = await self._conn.execute(APPLIED_TO, {"code": reservation_code})
        return tuple(_credit(row) for row in rows)

    async def release(self, reservation_code: str) -> int:
        result = await self._conn.execute(RELEASE, {"code": reservation_code})
        return len(result.all())

    async def issued_from(self, reservation_code: str) -> tuple[GuestCredit, ...]:
        rows = await self._conn.execute(ISSUED_FROM, {"code": reservation_code})
        return tuple(_credit(row) for row in rows)
