"""Repositories over SQLAlchemy Core statements; they speak domain objects, never rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, literal, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.postgres.tables import (
    ACTIVE_STATUS_SQL,
    NO_OVERLAP_CONSTRAINT,
    accommodations,
    reservations,
)
from domain.accommodation import Accommodation
from domain.codes import ReservationCode
from domain.money import Money
from domain.reservation import Channel, Guest, Reservation, ReservationStatus
from domain.stay import Stay

# Literal SQL, not bind parameters: the planner can then prove the partial GiST index's
# predicate (the exclusion constraint's) even with prepared statements' generic plans.
_ACTIVE = text(ACTIVE_STATUS_SQL)
_HELD = text("status = 'pre_reserved'")
_A = accommodations.c
_R = reservations.c


def _daterange(start: date, end: date) -> Any:
    return func.daterange(start, end, literal("[)"))


def _not_lapsed(now: datetime) -> Any:
    """Active reservations minus holds whose time ran out (they never block)."""
    return and_(
        _ACTIVE, or_(_R.status != ReservationStatus.PRE_RESERVED.value, _R.expires_at > now)
    )


def accommodation_from_row(row: Any) -> Accommodation:
    return Accommodation(
        id=row.id,
        name=row.name,
        description=row.description,
        capacity=row.capacity,
        base_price=Money(row.base_price_cents, row.currency),
        weekend_multiplier=Decimal(row.weekend_multiplier),
        min_nights=row.min_nights,
        amenities=tuple(row.amenities),
        active=row.active,
    )


def reservation_from_row(row: Any) -> Reservation:
    return Reservation(
        code=ReservationCode(row.code),
        accommodation_id=row.accommodation_id,
        stay=Stay(row.check_in, row.check_out),
        guests=row.guests,
        guest=Guest(row.guest_name, row.guest_phone, row.guest_email),
        total=Money(row.total_cents, row.currency),
        deposit=Money(row.deposit_cents, row.currency),
        channel=Channel(row.channel),
        status=ReservationStatus(row.status),
        created_at=row.created_at,
        expires_at=row.expires_at,
        notes=row.notes,
    )


class SqlAccommodationRepository:
    _columns = (
        _A.id,
        _A.name,
        _A.description,
        _A.capacity,
        _A.base_price_cents,
        _A.currency,
        _A.weekend_multiplier,
        _A.min_nights,
        _A.amenities,
        _A.active,
    )

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list(self, *, only_active: bool = True) -> Sequence[Accommodation]:
        stmt = select(*self._columns).order_by(_A.id)
        if only_active:
            stmt = stmt.where(_A.active)
        result = await self._session.execute(stmt)
        return [accommodation_from_row(row) for row in result]

    async def get(self, accommodation_id: int) -> Accommodation | None:
        result = await self._session.execute(
            select(*self._columns).where(_A.id == accommodation_id)
        )
        row = result.first()
        return None if row is None else accommodation_from_row(row)


class SqlReservationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_hold(self, reservation: Reservation, now: datetime) -> bool:
        if await self._insert(reservation, now):
            return True
        # Nothing inserted: the nights overlap an active row. If some of those rows are holds
        # whose time ran out, record them as expired (in this transaction) and try once more.
        if await self._expire_lapsed_overlapping(reservation, now):
            return await self._insert(reservation, now)
        return False

    async def _insert(self, r: Reservation, now: datetime) -> bool:
        stmt = (
            pg_insert(reservations)
            .values(
                code=r.code.value,
                accommodation_id=r.accommodation_id,
                check_in=r.stay.check_in,
                check_out=r.stay.check_out,
                guests=r.guests,
                guest_name=r.guest.name,
                guest_phone=r.guest.phone,
                guest_email=r.guest.email,
                notes=r.notes,
                total_cents=r.total.cents,
                deposit_cents=r.deposit.cents,
                currency=r.total.currency,
                channel=r.channel.value,
                status=r.status.value,
                expires_at=r.expires_at,
                created_at=r.created_at,
                updated_at=now,
            )
            # The exclusion constraint is the arbiter: a conflicting insert waits for the
            # competing transaction and then returns no row, instead of raising and deadlocking.
            .on_conflict_do_nothing(constraint=NO_OVERLAP_CONSTRAINT)
            .returning(_R.id)
        )
        result = await self._session.execute(stmt)
        return result.first() is not None

    async def _expire_lapsed_overlapping(self, r: Reservation, now: datetime) -> int:
        stmt = (
            update(reservations)
            .where(
                _R.accommodation_id == r.accommodation_id,
                _HELD,
                _R.expires_at <= now,
                _R.stay.op("&&")(_daterange(r.stay.check_in, r.stay.check_out)),
            )
            .values(status=ReservationStatus.EXPIRED.value, updated_at=now)
            .returning(_R.id)
        )
        result = await self._session.execute(stmt)
        return len(result.all())

    async def get(self, code: ReservationCode) -> Reservation | None:
        result = await self._session.execute(select(reservations).where(_R.code == code.value))
        row = result.first()
        return None if row is None else reservation_from_row(row)

    async def occupied(
        self, window: Stay, now: datetime, accommodation_id: int | None = None
    ) -> dict[int, list[Stay]]:
        stmt = select(_R.accommodation_id, _R.check_in, _R.check_out).where(
            _not_lapsed(now),
            _R.stay.op("&&")(_daterange(window.check_in, window.check_out)),
        )
        if accommodation_id is not None:
            stmt = stmt.where(_R.accommodation_id == accommodation_id)
        result = await self._session.execute(stmt)
        taken: dict[int, list[Stay]] = {}
        for acc_id, check_in, check_out in result:
            taken.setdefault(acc_id, []).append(Stay(check_in, check_out))
        return taken

    async def occupied_ranges(
        self, accommodation_id: int, start: date, end: date, now: datetime
    ) -> Sequence[Stay]:
        stmt = (
            select(_R.check_in, _R.check_out)
            .where(
                _R.accommodation_id == accommodation_id,
                _not_lapsed(now),
                _R.stay.op("&&")(_daterange(start, end)),
            )
            .order_by(_R.check_in)
        )
        result = await self._session.execute(stmt)
        return [Stay(ci, co) for ci, co in result]
