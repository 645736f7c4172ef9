"""The reservation repository over prebuilt SQLAlchemy Core statements on one
``AsyncConnection`` (accommodations: ``accommodations.py``).

They speak domain objects, never rows. Statements are built once at import: building them per
call (and hashing their cache keys) cost more than the database round trip under load.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Integer,
    Select,
    bindparam,
    case,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres import breakdowns
from adapters.postgres.credits import open_credit
from adapters.postgres.driver import Driver, RawStatement
from adapters.postgres.errors import EXCLUSION_VIOLATION, sqlstate
from adapters.postgres.tables import (
    ACTIVE_STATUS_SQL,
    NO_OVERLAP_CONSTRAINT,
    accommodations,
    guest_credits,
    price_rules_version,
    reservations,
)
from application.ports.repositories import (
    COUNT_CAP,
    HoldOutcome,
    MoveOutcome,
    PaidOutcome,
    QuotaCheck,
    QuotaRefused,
    ReservationFilter,
    ReservationPage,
)
from domain.booking.accommodation import Accommodation
from domain.booking.hold_limits import HoldLimit
from domain.booking.reservation import Channel, Guest, Reservation, ReservationStatus
from domain.calendar import local_today
from domain.codes import ReservationCode
from domain.money import Money
from domain.payments.ledger import PaymentMethod
from domain.stay import Stay

_A = accommodations.c
_R = reservations.c


def _window(start: str, end: str) -> Any:
    return func.daterange(
        bindparam(start, type_=Date), bindparam(end, type_=Date), literal_column("'[)'")
    )


# Literal SQL, not bind parameters, for the status filter: the planner can then prove the
# partial GiST index's predicate (the exclusion constraint's) even with generic plans.
_NOT_LAPSED = text(
    f"{ACTIVE_STATUS_SQL} AND (status <> 'pre_reserved' OR expires_at > :now)"
).bindparams(bindparam("now", type_=DateTime(timezone=True)))

_HOLD_COLUMNS = (
    "code",
    "accommodation_id",
    "check_in",
    "check_out",
    "guests",
    "guest_name",
    "guest_phone",
    "guest_email",
    "notes",
    "total_cents",
    "deposit_cents",
    "currency",
    "channel",
    "status",
    "expires_at",
    "created_at",
    "updated_at",
    "retry_key",
    "phone_key",
    "client_key",
    "price_breakdown",
    "payment_method",
)
# The hold lands only if the cabin still is what it was checked and priced against, under
# the price rules' version it was priced with (when the caller knows it: its cached rules may
# predate a change made by another process) ...
_RULES_VERSION = bindparam("b_rules_version", type_=BigInteger)
_BASIS_STILL_HOLDS = (
    select(_A.id)
    .where(
        _A.id == bindparam("v_accommodation_id"),
        _A.active,
        _A.base_price_cents == bindparam("b_price_cents"),
        _A.currency == bindparam("b_currency"),
        _A.weekend_multiplier == bindparam("b_weekend_multiplier"),
        _A.capacity == bindparam("b_capacity"),
        _A.min_nights == bindparam("b_min_nights"),
        or_(
            _RULES_VERSION.is_(None),
            select(price_rules_version.c.version).scalar_subquery() == _RULES_VERSION,
        ),
    )
    .exists()
)
# ... and the guest's phone and client are under their live-hold limits: counted by
# ``hold_quota_refusal`` (migration 0014) under a per-key lock kept to the end of the
# transaction, so concurrent requests cannot both take the last place. A CTE with a volatile
# function is evaluated exactly once; with no keys (the owner's bookings) it returns at once.
_QUOTA = (
    select(literal_column("q.refused").label("refused"), literal_column("q.retry_at").label("at"))
    .select_from(
        func.hold_quota_refusal(
            bindparam("v_phone_key", type_=reservations.c.phone_key.type),
            bindparam("v_client_key", type_=reservations.c.client_key.type),
            bindparam("v_updated_at", type_=DateTime(timezone=True)),
            bindparam("q_per_phone", type_=Integer),
            bindparam("q_per_client", type_=Integer),
        )
        .table_valued("refused", "retry_at")
        .alias("q")
    )
    .cte("quota")
)
_QUOTA_FREE = ~select(_QUOTA.c.refused).where(_QUOTA.c.refused.is_not(None)).exists()
# ... and the exclusion constraint is the arbiter: a conflicting insert waits for the competing
# transaction and then returns no row, instead of raising and deadlocking.
INSERT_HOLD = (
    pg_insert(reservations)
    .from_select(
        list(_HOLD_COLUMNS),
        select(*(bindparam(f"v_{c}", type_=reservations.c[c].type) for c in _HOLD_COLUMNS)).where(
            _BASIS_STILL_HOLDS, _QUOTA_FREE
        ),
    )
    .on_conflict_do_nothing(constraint=NO_OVERLAP_CONSTRAINT)
    .returning(_R.id)
)
# One round trip tells the three outcomes apart: a new id (placed), no id with the basis still
# true (the nights are taken), or the basis gone stale.
_INSERTED = INSERT_HOLD.cte("inserted")
_L = reservations.alias("lapsed")
# Whether a hold that ran out overlaps the stay: only then is the expiry UPDATE worth its round
# trip when the insert found the nights taken (most refusals are real bookings, not lapsed holds).
_LAPSED_OVERLAP = (
    select(_L.c.id)
    .where(
        _L.c.accommodation_id == bindparam("v_accommodation_id"),
        text("lapsed.status = 'pre_reserved'"),  # literal: the partial GiST index applies
        _L.c.expires_at <= bindparam("v_updated_at"),
        _L.c.stay.op("&&")(_window("v_check_in", "v_check_out")),
    )
    .exists()
)
_O = reservations.alias("own")
# When the insert found the nights taken: whether what holds them is this very request's live
# hold (same key, cabin and dates), placed by an earlier try whose answer never arrived. Inside
# the same statement, and evaluated only when nothing was inserted: no extra round trip, and no
# work at all on the common paths.
_OWN_HOLD = (
    select(_O.c.id)
    .where(
        _O.c.accommodation_id == bindparam("v_accommodation_id"),
        text("own.status = 'pre_reserved'"),  # literal: the partial GiST index applies
        _O.c.stay.op("&&")(_window("v_check_in", "v_check_out")),
        _O.c.check_in == bindparam("v_check_in"),
        _O.c.check_out == bindparam("v_check_out"),
        _O.c.expires_at > bindparam("v_updated_at"),
        _O.c.retry_key == bindparam("v_retry_key"),
    )
    .exists()
)
_S = reservations.alias("seen")
# When the insert found the nights taken: whether this statement's snapshot shows what holds
# them. It does, unless that row was committed while the statement ran (the insert waited for
# it): only then may it be a copy of this very request, which ``_OWN_HOLD`` could not see — and
# only then is a second look (``retried_hold``) worth its round trip.
_SEEN_OVERLAP = (
    select(_S.c.id)
    .where(
        _S.c.accommodation_id == bindparam("v_accommodation_id"),
        text("seen.status IN ('pre_reserved', 'confirmed')"),  # the constraint's own rows
        _S.c.stay.op("&&")(_window("v_check_in", "v_check_out")),
    )
    .exists()
)
# Once placed: whether the quota's phone has an open credit (``CreditRepository.any_open``'s
# meaning), so the booking takes it without a read of its own. No phone key: no row matches.
_OPEN_CREDIT = (
    select(guest_credits.c.id)
    .where(
        open_credit(
            bindparam("v_phone_key", type_=reservations.c.phone_key.type),
            bindparam("v_today", type_=Date),
            bindparam("v_updated_at", type_=DateTime(timezone=True)),
        )
    )
    .exists()
)
_INSERTED_ID = select(_INSERTED.c.id).scalar_subquery()
# What tells a refusal apart (the basis, a lapsed hold, this request's own hold) is looked up
# only when nothing was inserted: a placed hold costs no probe beyond its insert.
PLACE_HOLD = select(
    _INSERTED_ID.label("id"),
    case((_INSERTED_ID.is_(None), _BASIS_STILL_HOLDS), else_=True).label("basis_ok"),
    case((_INSERTED_ID.is_(None), _LAPSED_OVERLAP), else_=False).label("lapsed"),
    case((_INSERTED_ID.is_(None), _OWN_HOLD), else_=False).label("own"),
    case((_INSERTED_ID.is_(None), _SEEN_OVERLAP), else_=True).label("seen"),
    select(_QUOTA.c.refused).scalar_subquery().label("refused"),
    select(_QUOTA.c.at).scalar_subquery().label("retry_at"),
    case((_INSERTED_ID.is_not(None), _OPEN_CREDIT), else_=False).label("credit"),
)
EXPIRE_LAPSED_OVERLAPPING = (
    update(reservations)
    .where(
        _R.accommodation_id == bindparam("p_accommodation_id"),
        text("status = 'pre_reserved'"),
        _R.expires_at <= bindparam("p_now", type_=DateTime(timezone=True)),
        _R.stay.op("&&")(_window("p_check_in", "p_check_out")),
    )
    .values(status=ReservationStatus.EXPIRED.value, updated_at=bindparam("p_now"))
)
# The statements every booking and availability request runs, for asyncpg directly.
PLACE_HOLD_RAW = RawStatement(PLACE_HOLD)
EXPIRE_LAPSED_OVERLAPPING_RAW = RawStatement(EXPIRE_LAPSED_OVERLAPPING)
GET_RESERVATION = select(reservations).where(_R.code == bindparam("code"), _R.kind == "booking")
# The live hold a retried request placed: same cabin and dates, same key (through the GiST
# index on the stay; a handful of rows at most).
FIND_RETRIED_HOLD = (
    select(reservations)
    .where(
        _R.accommodation_id == bindparam("p_accommodation_id"),
        text("status = 'pre_reserved'"),
        _R.kind == "booking",
        _R.stay.op("&&")(_window("p_check_in", "p_check_out")),
        _R.check_in == bindparam("p_check_in", type_=Date),
        _R.check_out == bindparam("p_check_out", type_=Date),
        _R.expires_at > bindparam("p_now", type_=DateTime(timezone=True)),
        _R.retry_key == bindparam("p_key"),
    )
    .limit(1)
)
FIND_RETRIED_HOLD_RAW = RawStatement(FIND_RETRIED_HOLD)
GET_RESERVATION_FOR_UPDATE = GET_RESERVATION.with_for_update()
GET_RESERVATION_RAW = RawStatement(GET_RESERVATION)
SAVE_PAID = (
    update(reservations)
    .where(
        _R.code == bindparam("p_code"),
        _R.kind == "booking",
        _R.status == bindparam("p_previous"),
    )
    .values(
        status=ReservationStatus.CONFIRMED.value,
        expires_at=None,
        paid_by_payment_id=bindparam("p_payment_id"),
        updated_at=bindparam("p_now", type_=DateTime(timezone=True)),
    )
    .returning(_R.id)
)
SET_PAYMENT_LINK = (
    update(reservations)
    .where(_R.code == bindparam("p_code"))
    .values(payment_preference_id=bindparam("p_preference"), payment_url=bindparam("p_url"))
)
# Oldest first, through the partial index on pending holds' expiry; SKIP LOCKED so the sweep
# never waits behind a payment that is confirming one of them.
_LAPSED = (
    select(_R.id)
    .where(text("status = 'pre_reserved'"), _R.expires_at <= bindparam("p_now"))
    .order_by(_R.expires_at)
    .limit(bindparam("p_limit"))
    .with_for_update(skip_locked=True)
    .scalar_subquery()
)
# Through the partial index of bookings still carrying guest data; the CHECK constraint wants a
# name and a phone on every booking, so they become placeholders rather than NULL.
# The transfer receipts a guest sent go with the rest of their personal data.
ANONYMIZE = text(
    "WITH anonymized AS ("
    "UPDATE reservations SET guest_name = 'Anonimizado', guest_phone = '-', guest_email = NULL, "
    "notes = NULL, phone_key = NULL, client_key = NULL, anonymized_at = :p_now "
    "WHERE id IN (SELECT id FROM reservations "
    "WHERE kind = 'booking' AND anonymized_at IS NULL AND check_out < :p_day "
    "ORDER BY check_out LIMIT :p_limit FOR UPDATE SKIP LOCKED) RETURNING id), "
    "receipts AS (DELETE FROM booking_receipts "
    "WHERE reservation_id IN (SELECT id FROM anonymized)) "
    "SELECT id FROM anonymized"
).bindparams(
    bindparam("p_day", type_=Date),
    bindparam("p_now", type_=DateTime(timezone=True)),
    bindparam("p_limit"),
)
EXPIRE_LAPSED = (
    update(reservations)
    .where(_R.id.in_(_LAPSED))
    .values(status=ReservationStatus.EXPIRED.value, updated_at=bindparam("p_now"))
    .returning(*reservations.c)
)
SAVE_STATUS = (
    update(reservations)
    .where(
        _R.code == bindparam("p_code"),
        _R.kind == "booking",
        _R.status == bindparam("p_previous"),
    )
    .values(
        status=bindparam("p_status"),
        expires_at=bindparam("p_expires_at"),
        updated_at=func.coalesce(bindparam("p_now", type_=DateTime(timezone=True)), func.now()),
    )
    .returning(_R.id)
)
# Guarded by what the move was decided on (status, cabin, dates): a concurrent change wins.
SAVE_MOVE = (
    update(reservations)
    .where(
        _R.code == bindparam("p_code"),
        _R.kind == "booking",
        _R.status == bindparam("p_status"),
        _R.accommodation_id == bindparam("p_from_accommodation_id"),
        _R.check_in == bindparam("p_from_check_in"),
        _R.check_out == bindparam("p_from_check_out"),
    )
    .values(
        accommodation_id=bindparam("p_accommodation_id"),
        check_in=bindparam("p_check_in"),
        check_out=bindparam("p_check_out"),
        updated_at=bindparam("p_now"),
    )
    .returning(_R.id)
)
SAVE_NOTES = (
    update(reservations)
    .where(_R.code == bindparam("p_code"), _R.kind == "booking")
    .values(notes=bindparam("p_notes"), updated_at=bindparam("p_now"))
    .returning(_R.id)
)
OCCUPIED = select(_R.accommodation_id, _R.check_in, _R.check_out).where(
    _NOT_LAPSED, _R.stay.op("&&")(_window("start", "end"))
)
OCCUPIED_RAW = RawStatement(OCCUPIED)
# The same rows, and one more (its accommodation_id NULL) carrying the price rules' version as
# of the same snapshot: availability learns whether its cached rules are current without a
# round trip of its own.
OCCUPIED_AND_RULES_VERSION_RAW = RawStatement(
    union_all(
        select(
            null().label("accommodation_id"),
            null().label("check_in"),
            null().label("check_out"),
            select(price_rules_version.c.version).scalar_subquery().label("rules_version"),
        ),
        OCCUPIED.add_columns(null()),
    )
)
OCCUPIED_ONE = (
    select(_R.check_in, _R.check_out)
    .where(
        _R.accommodation_id == bindparam("accommodation_id"),
        _NOT_LAPSED,
        _R.stay.op("&&")(_window("start", "end")),
    )
    .order_by(_R.check_in)
)

# guest_phone has no index: walk reservations_created_at_idx backwards from the newest, within
# the caller's window, and stop at the first row with the phone. At a cabin business's volume
# (thousands of rows a year) that is a short scan even when the phone has no booking.
_FOR_PHONE = (
    select(reservations)
    .where(
        _R.kind == "booking",
        _R.created_at >= bindparam("p_since", type_=DateTime(timezone=True)),
        _R.guest_phone == bindparam("p_phone"),
    )
    .order_by(_R.created_at.desc(), _R.id.desc())  # the id only breaks ties (incremental sort)
)
LATEST_FOR_PHONE = _FOR_PHONE.limit(1)
RECENT_FOR_PHONE = _FOR_PHONE.limit(bindparam("p_limit", type_=Integer))


async def expire_lapsed_overlapping(
    conn: AsyncConnection, accommodation_id: int, stay: Stay, now: datetime
) -> None:
    """Record as expired the holds of this cabin that overlap ``stay`` and ran out by ``now``.
    Callers retry their insert whatever this finds: finding none may only mean a concurrent
    writer expired them first."""
    await conn.execute(EXPIRE_LAPSED_OVERLAPPING, _expiry_params(accommodation_id, stay, now))


def _expiry_params(accommodation_id: int, stay: Stay, now: datetime) -> dict[str, Any]:
    return {
        "p_accommodation_id": accommodation_id,
        "p_now": now,
        "p_check_in": stay.check_in,
        "p_check_out": stay.check_out,
    }


class _RecordRow:
    """An asyncpg record read like a SQLAlchemy row: by attribute, its JSON document decoded
    (SQLAlchemy's JSONB type decodes it; asyncpg under SQLAlchemy's codec hands the text)."""

    __slots__ = ("_record",)

    def __init__(self, record: Any) -> None:
        self._record = record

    def __getattr__(self, name: str) -> Any:
        value = self._record[name]
        if name == "price_breakdown" and isinstance(value, str):
            return json.loads(value)
        return value


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
        payment_url=row.payment_url,
        paid_by=row.paid_by_payment_id,
        breakdown=breakdowns.load(row.price_breakdown),
        payment_method=PaymentMethod(row.payment_method) if row.payment_method else None,
        payment_preference=getattr(row, "payment_preference_id", None),
    )


class SqlReservationRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._driver = Driver(conn)

    async def add_hold(
        self,
        reservation: Reservation,
        now: datetime,
        basis: Accommodation,
        *,
        alone: bool = False,
        retry_key: str | None = None,
        quota: QuotaCheck | None = None,
        rules_version: int | None = None,
    ) -> HoldOutcome | QuotaRefused:
        values = _insert_values(reservation, now, basis)
        values["b_rules_version"] = rules_version
        values["v_today"] = local_today(now)
        values["v_retry_key"] = retry_key
        values["v_phone_key"] = quota.quota.phone_key if quota else None
        values["v_client_key"] = quota.quota.client_key if quota else None
        values["q_per_phone"] = quota.per_phone if quota else 0
        values["q_per_client"] = quota.per_client if quota else 0
        outcome, lapsed = await self._place(values, alone)
        if outcome not in (HoldOutcome.TAKEN, HoldOutcome.TAKEN_MEANWHILE) or not lapsed:
            return outcome
        # The nights overlap an active row, and some overlapping holds ran out: record them as
        # expired (in this transaction) and try once more — even if this UPDATE finds none: a
        # concurrent booking may have expired the same lapsed hold a moment ago.
        db = await self._driver.for_write(alone=alone)
        expiry = _expiry_params(reservation.accommodation_id, reservation.stay, now)
        await db.execute(
            EXPIRE_LAPSED_OVERLAPPING_RAW.sql, *EXPIRE_LAPSED_OVERLAPPING_RAW.args(expiry)
        )
        return (await self._place(values, alone))[0]

    async def _place(
        self, values: dict[str, Any], alone: bool
    ) -> tuple[HoldOutcome | QuotaRefused, bool]:
        db = await self._driver.for_write(alone=alone)
        inserted_id, basis_ok, lapsed, own, seen, refused, retry_at, credit = await db.fetchrow(
            PLACE_HOLD_RAW.sql, *PLACE_HOLD_RAW.args(values)
        )
        if inserted_id is not None:
            return (HoldOutcome.PLACED_WITH_CREDIT if credit else HoldOutcome.PLACED), False
        if own:
            return HoldOutcome.RETRIED, False
        if refused is not None:
            limit = HoldLimit.PER_PHONE if refused == "phone" else HoldLimit.PER_CLIENT
            return QuotaRefused(limit, retry_at), False
        if not basis_ok:
            return HoldOutcome.STALE, bool(lapsed)
        return (HoldOutcome.TAKEN if seen else HoldOutcome.TAKEN_MEANWHILE), bool(lapsed)

    async def retried_hold(
        self, accommodation_id: int, stay: Stay, retry_key: str, now: datetime
    ) -> Reservation | None:
        params = {
            "p_accommodation_id": accommodation_id,
            "p_check_in": stay.check_in,
            "p_check_out": stay.check_out,
            "p_now": now,
            "p_key": retry_key,
        }
        # As ``get``: one statement straight on asyncpg (inside the transaction if one is
        # open) — every refused booking with a retry key asks this, the hot spot's losers too.
        db = await self._driver.plain()
        record = await db.fetchrow(FIND_RETRIED_HOLD_RAW.sql, *FIND_RETRIED_HOLD_RAW.args(params))
        return None if record is None else reservation_from_row(_RecordRow(record))

    async def get(self, code: ReservationCode, *, for_update: bool = False) -> Reservation | None:
        if for_update:
            stmt = GET_RESERVATION_FOR_UPDATE
            row = (await self._conn.execute(stmt, {"code": code.value})).first()
            return None if row is None else reservation_from_row(row)
        # One statement on asyncpg: inside the transaction if one is open, else on its own — a
        # lookup is then one round trip, not BEGIN, SELECT, ROLLBACK. (Read committed: a single
        # read sees the same committed rows either way.)
        db = await self._driver.plain()
        record = await db.fetchrow(
            GET_RESERVATION_RAW.sql, *GET_RESERVATION_RAW.args({"code": code.value})
        )
        return None if record is None else reservation_from_row(_RecordRow(record))

    async def save_paid(self, reservation: Reservation, previous: ReservationStatus) -> PaidOutcome:
        params = {
            "p_code": reservation.code.value,
            "p_previous": previous.value,
            "p_payment_id": reservation.paid_by,
            "p_now": reservation.events[-1].at if reservation.events else None,
        }
        # A savepoint: reinstating an expired hold may violate the exclusion constraint, and
        # the caller still records the payment in this transaction.
        try:
            async with self._conn.begin_nested():
                row = (await self._conn.execute(SAVE_PAID, params)).first()
        except DBAPIError as exc:
            if sqlstate(exc) == EXCLUSION_VIOLATION:
                return PaidOutcome.TAKEN
            raise
        return PaidOutcome.CONFIRMED if row is not None else PaidOutcome.RACED

    async def save_move(
        self, reservation: Reservation, moved_from: Reservation, now: datetime
    ) -> MoveOutcome:
        await expire_lapsed_overlapping(
            self._conn, reservation.accommodation_id, reservation.stay, now
        )
        params = {
            "p_code": reservation.code.value,
            "p_status": moved_from.status.value,
            "p_from_accommodation_id": moved_from.accommodation_id,
            "p_from_check_in": moved_from.stay.check_in,
            "p_from_check_out": moved_from.stay.check_out,
            "p_accommodation_id": reservation.accommodation_id,
            "p_check_in": reservation.stay.check_in,
            "p_check_out": reservation.stay.check_out,
            "p_now": now,
        }
        # A savepoint: the exclusion constraint's refusal leaves the transaction usable.
        try:
            async with self._conn.begin_nested():
                row = (await self._conn.execute(SAVE_MOVE, params)).first()
        except DBAPIError as exc:
            if sqlstate(exc) == EXCLUSION_VIOLATION:
                return MoveOutcome.TAKEN
            raise
        return MoveOutcome.MOVED if row is not None else MoveOutcome.RACED

    async def save_notes(self, code: ReservationCode, notes: str, now: datetime) -> bool:
        params = {"p_code": code.value, "p_notes": notes, "p_now": now}
        return (await self._conn.execute(SAVE_NOTES, params)).first() is not None

    async def set_payment_link(self, code: ReservationCode, preference_id: str, url: str) -> None:
        await self._conn.execute(
            SET_PAYMENT_LINK, {"p_code": code.value, "p_preference": preference_id, "p_url": url}
        )

    async def anonymize_ended_before(self, day: date, now: datetime, limit: int) -> int:
        result = await self._conn.execute(ANONYMIZE, {"p_day": day, "p_now": now, "p_limit": limit})
        return len(result.all())

    async def expire_lapsed(self, now: datetime, limit: int) -> list[Reservation]:
        rows = await self._conn.execute(EXPIRE_LAPSED, {"p_now": now, "p_limit": limit})
        return [reservation_from_row(row) for row in rows if row.kind == "booking"]

    async def search(self, criteria: ReservationFilter) -> ReservationPage:
        conditions: list[Any] = [_R.kind == "booking"]
        if criteria.status is not None:
            conditions.append(_R.status == criteria.status.value)
        if criteria.accommodation_id is not None:
            conditions.append(_R.accommodation_id == criteria.accommodation_id)
        if criteria.channel is not None:
            conditions.append(_R.channel == criteria.channel.value)
        if criteria.stay_from is not None:
            conditions.append(_R.check_out > criteria.stay_from)
        if criteria.stay_to is not None:
            conditions.append(_R.check_in < criteria.stay_to)
        page = (
            select(reservations)
            .where(*conditions)
            .order_by(_R.created_at.desc(), _R.id.desc())
            .limit(criteria.limit)
            .offset(criteria.offset)
        )
        # Counted up to one past the cap: the scan stops there instead of reading the table.
        matching: Select[Any] = select(literal_column("1")).where(*conditions).limit(COUNT_CAP + 1)
        total = select(func.count()).select_from(matching.subquery())
        rows = await self._conn.execute(page)
        items = [reservation_from_row(row) for row in rows]
        count = int((await self._conn.execute(total)).scalar_one())
        return ReservationPage(
            items=items, total=min(count, COUNT_CAP), total_capped=count > COUNT_CAP
        )

    async def save_status(self, reservation: Reservation, previous: ReservationStatus) -> bool:
        result = await self._conn.execute(
            SAVE_STATUS,
            {
                "p_code": reservation.code.value,
                "p_previous": previous.value,
                "p_status": reservation.status.value,
                "p_expires_at": reservation.expires_at,
                "p_now": reservation.events[-1].at if reservation.events else None,
            },
        )
        return result.first() is not None

    async def occupied(
        self, window: Stay, now: datetime, accommodation_id: int | None = None
    ) -> dict[int, list[Stay]]:
        params = {"now": now, "start": window.check_in, "end": window.check_out}
        if accommodation_id is not None:
            ranges = await self.occupied_ranges(
                accommodation_id, window.check_in, window.check_out, now
            )
            return {accommodation_id: list(ranges)} if ranges else {}
        taken: dict[int, list[Stay]] = {}
        db = await self._driver.plain()
        for acc_id, check_in, check_out in await db.fetch(
            OCCUPIED_RAW.sql, *OCCUPIED_RAW.args(params)
        ):
            taken.setdefault(acc_id, []).append(Stay(check_in, check_out))
        return taken

    async def occupied_and_rules_version(
        self, window: Stay, now: datetime
    ) -> tuple[dict[int, list[Stay]], int | None]:
        params = {"now": now, "start": window.check_in, "end": window.check_out}
        taken: dict[int, list[Stay]] = {}
        version = None
        db = await self._driver.plain()
        statement = OCCUPIED_AND_RULES_VERSION_RAW
        for acc_id, check_in, check_out, rules_version in await db.fetch(
            statement.sql, *statement.args(params)
        ):
            if acc_id is None:
                version = rules_version
            else:
                taken.setdefault(acc_id, []).append(Stay(check_in, check_out))
        return taken, version

    async def occupied_ranges(
        self, accommodation_id: int, start: date, end: date, now: datetime
    ) -> Sequence[Stay]:
        params = {"accommodation_id": accommodation_id, "now": now, "start": start, "end": end}
        result = await self._conn.execute(OCCUPIED_ONE, params)
        return [Stay(ci, co) for ci, co in result]

    async def latest_for_phone(self, phone: str, since: datetime) -> Reservation | None:
        params = {"p_phone": phone, "p_since": since}
        row = (await self._conn.execute(LATEST_FOR_PHONE, params)).first()
        return None if row is None else reservation_from_row(row)

    async def recent_for_phone(
        self, phone: str, since: datetime, limit: int
    ) -> Sequence[Reservation]:
        params = {"p_phone": phone, "p_since": since, "p_limit": limit}
        return [reservation_from_row(r) for r in await self._conn.execute(RECENT_FOR_PHONE, params)]


def _insert_values(r: Reservation, now: datetime, basis: Accommodation) -> dict[str, Any]:
    return {
        "v_code": r.code.value,
        "v_accommodation_id": r.accommodation_id,
        "v_check_in": r.stay.check_in,
        "v_check_out": r.stay.check_out,
        "v_guests": r.guests,
        "v_guest_name": r.guest.name,
        "v_guest_phone": r.guest.phone,
        "v_guest_email": r.guest.email,
        "v_notes": r.notes,
        "v_total_cents": r.total.cents,
        "v_deposit_cents": r.deposit.cents,
        "v_currency": r.total.currency,
        "v_channel": r.channel.value,
        "v_status": r.status.value,
        "v_expires_at": r.expires_at,
        "v_created_at": r.created_at,
        "v_updated_at": now,
        "v_price_breakdown": breakdowns.dump(r.breakdown) if r.breakdown is not None else None,
        "v_payment_method": r.payment_method.value if r.payment_method else None,
        "b_price_cents": basis.base_price.cents,
        "b_currency": basis.base_price.currency,
        "b_weekend_multiplier": basis.weekend_multiplier,
        "b_capacity": basis.capacity,
        "b_min_nights": basis.min_nights,
    }
