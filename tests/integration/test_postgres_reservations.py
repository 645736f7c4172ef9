"""The PostgreSQL adapter against the real (embedded) PostgreSQL 18."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.postgres.driver import Driver
from adapters.postgres.errors import translate
from adapters.postgres.unit_of_work import SqlUnitOfWork
from application.errors import CodeCollision, StorageUnavailable
from application.ports.repositories import HoldOutcome, QuotaRefused
from domain.booking.accommodation import Accommodation
from domain.booking.reservation import Reservation, ReservationStatus
from domain.errors import StayUnavailable
from domain.money import Money
from domain.stay import Stay
from tests.integration.helpers import add_cabins, new_hold

pytestmark = pytest.mark.db

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
DEC = Stay(date(2026, 12, 18), date(2026, 12, 21))


async def _add(engine: AsyncEngine, reservation: Reservation, now: datetime = NOW) -> bool:
    outcome = await _try(engine, reservation, now)
    assert outcome is not HoldOutcome.STALE
    return outcome is HoldOutcome.PLACED


async def _try(
    engine: AsyncEngine,
    reservation: Reservation,
    now: datetime = NOW,
    basis: Accommodation | None = None,
) -> HoldOutcome:
    async with engine.connect() as conn:
        uow = SqlUnitOfWork(conn, SystemClock())
        async with uow:
            if basis is None:
                basis = await uow.accommodations.get(reservation.accommodation_id)
                assert basis is not None
            outcome = await uow.reservations.add_hold(reservation, now, basis)
            await uow.commit()
            return outcome


async def test_hold_round_trips_as_a_domain_object(engine: AsyncEngine) -> None:
    [cabin] = await add_cabins(engine, 1)
    hold = new_hold(cabin, DEC, NOW)
    assert await _add(engine, hold)
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        found = await uow.reservations.get(hold.code)
    assert found is not None
    assert (found.code, found.stay, found.total, found.deposit) == (
        hold.code,
        hold.stay,
        hold.total,
        hold.deposit,
    )
    assert found.guest == hold.guest
    assert found.status is ReservationStatus.PRE_RESERVED
    assert found.expires_at == hold.expires_at


async def test_a_lookup_is_one_statement_outside_any_transaction_or_inside_the_open_one(
    engine: AsyncEngine,
) -> None:
    [cabin] = await add_cabins(engine, 1)
    hold = new_hold(cabin, DEC, NOW)
    assert await _add(engine, hold)
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        assert await uow.reservations.get(hold.code) is not None
        # No BEGIN was sent, so no ROLLBACK follows: one round trip.
        assert not conn.in_transaction()
        assert not (await Driver(conn).plain()).is_in_transaction()
    later = new_hold(cabin, Stay(date(2026, 12, 22), date(2026, 12, 24)), NOW)
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        basis = await uow.accommodations.get(cabin)
        assert basis is not None
        assert await uow.reservations.add_hold(later, NOW, basis) is HoldOutcome.PLACED
        # Inside the open transaction it sees that transaction's own, uncommitted row.
        assert await uow.reservations.get(later.code) is not None
        await uow.rollback()
        assert await uow.reservations.get(later.code) is None


async def test_overlap_is_refused_back_to_back_is_fine(engine: AsyncEngine) -> None:
    a, b = await add_cabins(engine, 2)
    assert await _add(engine, new_hold(a, DEC, NOW))
    assert not await _add(engine, new_hold(a, Stay(date(2026, 12, 20), date(2026, 12, 22)), NOW))
    assert await _add(engine, new_hold(a, Stay(date(2026, 12, 21), date(2026, 12, 23)), NOW))
    assert await _add(engine, new_hold(a, Stay(date(2026, 12, 15), date(2026, 12, 18)), NOW))
    assert await _add(engine, new_hold(b, DEC, NOW))  # another cabin


async def test_a_lapsed_hold_never_blocks_and_is_recorded_expired(engine: AsyncEngine) -> None:
    [cabin] = await add_cabins(engine, 1)
    stale = new_hold(cabin, DEC, NOW - timedelta(hours=1), minutes=30)
    assert await _add(engine, stale, NOW - timedelta(hours=1))
    fresh = new_hold(cabin, DEC, NOW)
    assert await _add(engine, fresh)  # no sweeper ran in between
    async with engine.connect() as conn:
        rows = dict((await conn.execute(text("SELECT code, status FROM reservations"))).all())
    assert rows == {stale.code.value: "expired", fresh.code.value: "pre_reserved"}


async def test_code_collision_is_reported_not_mistaken_for_a_conflict(engine: AsyncEngine) -> None:
    [cabin] = await add_cabins(engine, 1)
    assert await _add(engine, new_hold(cabin, DEC, NOW, code="AAAAAAAAAAAA"))
    with pytest.raises(CodeCollision):
        await _add(
            engine,
            new_hold(cabin, Stay(date(2027, 1, 5), date(2027, 1, 8)), NOW, code="AAAAAAAAAAAA"),
        )


async def test_the_database_itself_refuses_overlaps(engine: AsyncEngine) -> None:
    """Bypass Python: a raw INSERT of an overlapping active row fails with SQLSTATE 23P01,
    and the adapter's translation maps it to the domain conflict."""
    [cabin] = await add_cabins(engine, 1)
    insert = text(
        "INSERT INTO reservations (code, accommodation_id, check_in, check_out, guests,"
        " guest_name, guest_phone, total_cents, deposit_cents, channel, status, expires_at,"
        " created_at, updated_at) VALUES (:code, :acc, :ci, :co, 2, 'x', '+5491100000000',"
        " 100, 30, 'api', :status, now() + interval '1 hour', now(), now())"
    )
    async with engine.begin() as conn:
        await conn.execute(
            insert,
            {
                "code": "C1",
                "acc": cabin,
                "ci": DEC.check_in,
                "co": DEC.check_out,
                "status": "confirmed",
            },
        )
        # Cancelled/expired rows do not take part in the rule.
        await conn.execute(
            insert,
            {
                "code": "C2",
                "acc": cabin,
                "ci": DEC.check_in,
                "co": DEC.check_out,
                "status": "cancelled",
            },
        )
    with pytest.raises(IntegrityError) as caught:
        async with engine.begin() as conn:
            await conn.execute(
                insert,
                {
                    "code": "C3",
                    "acc": cabin,
                    "ci": date(2026, 12, 20),
                    "co": date(2026, 12, 25),
                    "status": "pre_reserved",
                },
            )
    assert isinstance(translate(caught.value), StayUnavailable)


@pytest.mark.parametrize(
    ("column_values", "constraint"),
    [
        (
            "check_in = '2026-12-18', check_out = '2026-12-18'",
            "reservations_check_out_after_check_in",
        ),
        ("guests = 0", "reservations_guests_positive"),
        ("deposit_cents = -1", "reservations_amounts_valid"),
        ("status = 'maybe'", "reservations_status_known"),
        ("expires_at = NULL", "reservations_hold_has_expiry"),
        ("guest_name = NULL", "reservations_booking_has_guest"),
        ("kind = 'other'", "reservations_kind_known"),
    ],
)
async def test_check_constraints_state_the_rules(
    engine: AsyncEngine, column_values: str, constraint: str
) -> None:
    [cabin] = await add_cabins(engine, 1)
    assert await _add(engine, new_hold(cabin, DEC, NOW))
    with pytest.raises(IntegrityError, match=constraint):
        async with engine.begin() as conn:
            await conn.execute(text(f"UPDATE reservations SET {column_values}"))


async def test_schema_has_the_checklist_indexes_and_not_nulls(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        indexes = {
            r[0]
            for r in await conn.execute(
                text("SELECT indexname FROM pg_indexes WHERE tablename = 'reservations'")
            )
        }
        exclusion = (
            await conn.execute(
                text(
                    "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conname = 'reservations_no_overlap' AND contype = 'x'"
                )
            )
        ).scalar_one()
        nullable = {
            r[0]
            for r in await conn.execute(
                text(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = 'reservations' AND is_nullable = 'YES'"
                )
            )
        }
    assert {
        "reservations_code_key",
        "reservations_accommodation_id_idx",
        "reservations_created_at_idx",
        "reservations_no_overlap",
    } <= indexes
    assert "EXCLUDE USING gist (accommodation_id WITH =, stay WITH &&)" in exclusion
    assert "pre_reserved" in exclusion
    assert "confirmed" in exclusion
    # Guest columns are NULL only for blocks (a CHECK constraint says so).
    assert nullable == {
        "guest_email",
        "notes",
        "expires_at",
        "guest_name",
        "guest_phone",
        "block_reason",
        "payment_url",
        "payment_preference_id",
        "paid_by_payment_id",
        "anonymized_at",
        "retry_key",
        "phone_key",
        "client_key",
        "price_breakdown",  # the quote a booking was sold with; none for blocks and older rows
        "payment_method",  # how a guest pays the deposit; none for blocks and older rows
    }


async def test_occupied_excludes_lapsed_holds_and_other_windows(engine: AsyncEngine) -> None:
    a, b = await add_cabins(engine, 2)
    await _add(engine, new_hold(a, DEC, NOW))
    await _add(
        engine, new_hold(b, DEC, NOW - timedelta(hours=2), minutes=30), NOW - timedelta(hours=2)
    )
    await _add(engine, new_hold(b, Stay(date(2027, 2, 1), date(2027, 2, 3)), NOW))
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        taken = await uow.reservations.occupied(Stay(date(2026, 12, 1), date(2027, 1, 1)), NOW)
        ranges = await uow.reservations.occupied_ranges(
            a, date(2026, 12, 19), date(2026, 12, 20), NOW
        )
    assert taken == {a: [DEC]}
    assert list(ranges) == [DEC]


async def test_a_hold_priced_from_an_outdated_cabin_does_not_land(engine: AsyncEngine) -> None:
    [cabin] = await add_cabins(engine, 1)
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        basis = await uow.accommodations.get(cabin)
    assert basis is not None
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE accommodations SET base_price_cents = base_price_cents + 100")
        )
    assert await _try(engine, new_hold(cabin, DEC, NOW), basis=basis) is HoldOutcome.STALE
    current_price = replace(basis, base_price=Money(basis.base_price.cents + 100))
    stale_capacity = replace(current_price, capacity=basis.capacity + 1)
    assert await _try(engine, new_hold(cabin, DEC, NOW), basis=stale_capacity) is HoldOutcome.STALE
    async with engine.connect() as conn:
        count = (await conn.execute(text("SELECT count(*) FROM reservations"))).scalar_one()
    assert count == 0
    # With the current cabin it lands.
    assert await _add(engine, new_hold(cabin, DEC, NOW))


# The hold's statements run on asyncpg directly (adapters.postgres.driver); the rest of the unit
# of work goes through SQLAlchemy. They must still be one transaction on one connection.


async def test_direct_and_sqlalchemy_statements_roll_back_together(engine: AsyncEngine) -> None:
    [cabin] = await add_cabins(engine, 1)
    async with engine.connect() as conn:
        uow = SqlUnitOfWork(conn, SystemClock())
        basis = await uow.accommodations.get(cabin)
        assert basis is not None
        await conn.commit()
        async with uow:  # the hold begins the transaction; left without commit(): all goes
            hold = new_hold(cabin, DEC, NOW)
            assert await uow.reservations.add_hold(hold, NOW, basis) is HoldOutcome.PLACED
            assert await uow.idempotency.claim("api", "k-1", NOW, fingerprint="f") is None
        async with uow:  # SQLAlchemy begins it this time, the hold follows; committed
            assert await uow.idempotency.claim("api", "k-2", NOW, fingerprint="f") is None
            again = new_hold(cabin, DEC, NOW)
            assert await uow.reservations.add_hold(again, NOW, basis) is HoldOutcome.PLACED
            await uow.idempotency.attach_reservation("api", "k-2", again.code.value)
            await uow.commit()
    async with engine.connect() as conn:
        codes = (await conn.execute(text("SELECT code FROM reservations"))).scalars().all()
        keys = (await conn.execute(text("SELECT key FROM idempotency_keys"))).scalars().all()
    assert codes == [again.code.value]
    assert keys == ["k-2"]


async def test_a_connection_lost_under_the_hold_is_unavailable_and_discarded(
    engine: AsyncEngine,
) -> None:
    [cabin] = await add_cabins(engine, 1)
    async with engine.connect() as conn:
        uow = SqlUnitOfWork(conn, SystemClock())
        basis = await uow.accommodations.get(cabin)
        assert basis is not None
        pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        await conn.commit()
        async with engine.connect() as other:
            await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            await other.commit()
        with pytest.raises(StorageUnavailable):
            async with uow:
                await uow.reservations.add_hold(new_hold(cabin, DEC, NOW), NOW, basis)
        assert conn.invalidated
    # The pool hands out a working connection next, and the nights are still free.
    assert await _add(engine, new_hold(cabin, DEC, NOW))


async def test_the_driver_reaches_the_connection_sqlalchemy_holds_now(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        driver = Driver(conn)
        first = await driver.plain()
        assert (
            await first.fetchval("SELECT pg_backend_pid()")
            == (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        )
        await conn.invalidate()  # as after a lost connection: SQLAlchemy reconnects on next use
        await conn.rollback()
        second = await driver.plain()
        assert second is not first
        assert first.is_closed()
        assert await second.fetchval("SELECT 1") == 1
        assert (
            await second.fetchval("SELECT pg_backend_pid()")
            == (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        )


async def test_a_hold_written_alone_keeps_every_rule_and_lands_at_once(engine: AsyncEngine) -> None:
    [cabin] = await add_cabins(engine, 1)
    async with engine.connect() as conn:
        basis = await SqlUnitOfWork(conn, SystemClock()).accommodations.get(cabin)
    assert basis is not None

    async def alone(hold: Reservation, now: datetime) -> HoldOutcome:
        async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
            outcome = await uow.reservations.add_hold(hold, now, basis, alone=True)
            # No transaction was opened for it: another connection already sees it.
            async with engine.connect() as other:
                seen = (await other.execute(text("SELECT count(*) FROM reservations"))).scalar()
            assert seen == (await conn.execute(text("SELECT count(*) FROM reservations"))).scalar()
            return outcome  # and no commit()

    stale = new_hold(cabin, DEC, NOW - timedelta(hours=1), minutes=30)
    assert await alone(stale, NOW - timedelta(hours=1)) is HoldOutcome.PLACED
    fresh = new_hold(cabin, DEC, NOW)
    assert await alone(fresh, NOW) is HoldOutcome.PLACED  # the lapsed one never blocks
    assert await alone(new_hold(cabin, DEC, NOW), NOW) is HoldOutcome.TAKEN
    changed = replace(basis, base_price=Money(1, "ARS"))
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        later = new_hold(cabin, Stay(date(2027, 2, 1), date(2027, 2, 3)), NOW)
        assert await uow.reservations.add_hold(later, NOW, changed, alone=True) is (
            HoldOutcome.STALE
        )
    again = new_hold(cabin, Stay(date(2027, 3, 1), date(2027, 3, 3)), NOW, code=fresh.code.value)
    with pytest.raises(CodeCollision):
        await alone(again, NOW)
    async with engine.connect() as conn:
        rows = dict((await conn.execute(text("SELECT code, status FROM reservations"))).all())
    assert rows == {stale.code.value: "expired", fresh.code.value: "pre_reserved"}


@pytest.mark.parametrize("alone", [True, False])
async def test_two_bookings_held_up_by_one_lapsed_hold_both_land(
    engine: AsyncEngine, alone: bool
) -> None:
    # A and B do not overlap each other; both overlap the lapsed hold L. B expires L between A's
    # insert (refused because of L) and A's own expiry UPDATE, which then finds nothing: A must
    # still try again, not answer "taken".
    [cabin] = await add_cabins(engine, 1)
    async with engine.connect() as conn:
        basis = await SqlUnitOfWork(conn, SystemClock()).accommodations.get(cabin)
    assert basis is not None
    lapsed = new_hold(cabin, Stay(date(2026, 12, 10), date(2026, 12, 15)), NOW - timedelta(hours=2))
    assert await _add(engine, lapsed, NOW - timedelta(hours=2))
    a = new_hold(cabin, Stay(date(2026, 12, 10), date(2026, 12, 12)), NOW)
    b = new_hold(cabin, Stay(date(2026, 12, 13), date(2026, 12, 15)), NOW)

    async with engine.connect() as conn:
        uow = SqlUnitOfWork(conn, SystemClock())
        repo = uow.reservations
        first_attempt = repo._place

        async def place_then_let_b_book(values: dict[str, object], alone_: bool) -> object:
            outcome = await first_attempt(values, alone_)  # type: ignore[arg-type]
            if repo._place is place_then_let_b_book:  # only after A's first insert
                repo._place = first_attempt  # type: ignore[method-assign]
                assert outcome == (HoldOutcome.TAKEN, True)
                assert await _add(engine, b)  # B, on another connection, expires L and lands
            return outcome

        repo._place = place_then_let_b_book  # type: ignore[method-assign,assignment]
        async with uow:
            assert await repo.add_hold(a, NOW, basis, alone=alone) is HoldOutcome.PLACED
            await uow.commit()
    async with engine.connect() as conn:
        rows = dict((await conn.execute(text("SELECT code, status FROM reservations"))).all())
    assert rows == {
        lapsed.code.value: "expired",
        a.code.value: "pre_reserved",
        b.code.value: "pre_reserved",
    }


async def test_a_request_cancelled_while_beginning_never_poisons_the_pool(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # BEGIN reaches the server, then the request is cancelled before asyncpg or SQLAlchemy record
    # it: that session is in a transaction nobody knows about. It must not serve the next request
    # (whose commit would then only release a savepoint, leaving its hold uncommitted).
    import asyncpg.connection

    from adapters.postgres.database import make_engine

    engine = make_engine(database_url, pool_size=1)  # the next request gets that same session
    [cabin] = await add_cabins(engine, 1)
    async with engine.connect() as conn:
        basis = await SqlUnitOfWork(conn, SystemClock()).accommodations.get(cabin)
    assert basis is not None
    real_execute = asyncpg.connection.Connection.execute

    async def cancelled_at_begin(self: object, query: str, *args: object, **kw: object) -> object:
        if query.startswith("BEGIN"):
            task = asyncio.current_task()
            assert task is not None
            asyncio.get_running_loop().call_soon(task.cancel)
        return await real_execute(self, query, *args, **kw)  # type: ignore[arg-type]

    async def first_request() -> None:
        async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
            hold = new_hold(cabin, DEC, NOW)
            await uow.reservations.add_hold(hold, NOW, basis)
            await uow.commit()

    monkeypatch.setattr(asyncpg.connection.Connection, "execute", cancelled_at_begin)
    with pytest.raises(asyncio.CancelledError):
        await asyncio.create_task(first_request())
    monkeypatch.setattr(asyncpg.connection.Connection, "execute", real_execute)
    later = new_hold(cabin, Stay(date(2027, 1, 5), date(2027, 1, 8)), NOW)
    assert await _try(engine, later, NOW, basis) is HoldOutcome.PLACED
    await engine.dispose()
    observer = make_engine(database_url, pool_size=1)
    async with observer.connect() as conn:  # committed for everyone to see
        codes = (await conn.execute(text("SELECT code FROM reservations"))).scalars().all()
    await observer.dispose()
    assert codes == [later.code.value]


async def test_a_hold_priced_under_an_older_rules_version_is_stale(engine: AsyncEngine) -> None:
    [cabin] = await add_cabins(engine, 1)
    async with engine.connect() as conn:
        version = (await conn.execute(text("SELECT version FROM price_rules_version"))).scalar()
        basis = await SqlUnitOfWork(conn, SystemClock()).accommodations.get(cabin)
    assert isinstance(version, int)
    assert basis is not None

    async def hold(stay: Stay, rules_version: int) -> HoldOutcome | QuotaRefused:
        async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
            return await uow.reservations.add_hold(
                new_hold(cabin, stay, NOW), NOW, basis, alone=True, rules_version=rules_version
            )

    assert await hold(DEC, version - 1) is HoldOutcome.STALE
    assert await hold(DEC, version + 1) is HoldOutcome.STALE
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM reservations"))).scalar() == 0
    assert await hold(DEC, version) is HoldOutcome.PLACED
