"""The same booking request sent twice at once (a double tap, a client retrying before its first
answer): the copy whose insert meets the other's hold, committed while its statement ran, gets
that hold back — not a 409 or a 429 against itself. Against PostgreSQL, with the first copy's
transaction held open until the second is seen waiting on it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.clock import SystemClock
from adapters.postgres.unit_of_work import SqlUnitOfWork
from application.booking.place_hold import PlaceHold, PlaceHoldCommand
from application.errors import RequestRetried
from application.ports.ledger import LedgerTerms
from application.ports.repositories import HoldOutcome, QuotaCheck
from domain.booking.hold_limits import HoldLimits, HoldQuota, phone_key
from domain.booking.policy import BookingPolicy
from domain.booking.reservation import Channel, Guest
from domain.stay import Stay
from tests.integration.helpers import add_cabins, new_hold
from tests.integration.test_postgres_credits import NoCache
from tests.unit.application.fakes import FixedClock, RecordingMetrics, SequenceCodes

pytestmark = pytest.mark.db

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
STAY = Stay(datetime(2027, 1, 10).date(), datetime(2027, 1, 12).date())
QUOTA = HoldQuota(phone_key("+5491155551234"), "client-a")
RETRY_KEY = "client-a+the-same-body"


async def _lock_waits(watcher: AsyncConnection) -> int:
    found = await watcher.execute(
        text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
    )
    waits = int(found.scalar_one())
    await watcher.rollback()  # statistics views are a snapshot per transaction
    return waits


def _copy(uow: SqlUnitOfWork, per_phone: int) -> PlaceHold:
    return PlaceHold(
        uow=uow,  # type: ignore[arg-type]
        clock=FixedClock(NOW),
        codes=SequenceCodes(),
        policy=BookingPolicy(hold_minutes=30, deposit_percent=Decimal(30)),
        catalogue=NoCache(),
        metrics=RecordingMetrics(),
        limits=HoldLimits(per_phone=per_phone, per_client=0),
        terms=LedgerTerms(),
    )


# Without the second look, the copy got StayUnavailable (409) and TooManyHolds (429).
@pytest.mark.parametrize(
    "per_phone", [0, 1], ids=["nights-taken-by-the-copy", "phone-quota-filled-by-the-copy"]
)
async def test_a_copy_meeting_the_others_hold_mid_statement_gets_it_back(
    engine: AsyncEngine, per_phone: int
) -> None:
    [cabin] = await add_cabins(engine, 1)
    first = new_hold(cabin, STAY, NOW)
    async with (
        engine.connect() as c1,
        engine.connect() as c2,
        engine.connect() as watcher,
        SqlUnitOfWork(c1, SystemClock()) as first_uow,
    ):
        basis = await first_uow.accommodations.get(cabin)
        assert basis is not None
        placed = await first_uow.reservations.add_hold(
            first, NOW, basis, retry_key=RETRY_KEY, quota=QuotaCheck(QUOTA, per_phone, 0)
        )
        assert placed is HoldOutcome.PLACED  # and not committed yet
        second = asyncio.create_task(
            _copy(SqlUnitOfWork(c2, SystemClock()), per_phone)(
                PlaceHoldCommand(
                    cabin,
                    STAY.check_in,
                    STAY.check_out,
                    2,
                    Guest("Juana Pérez", "+5491155551234", "juana@example.com"),
                    Channel.API,
                    retry_key=RETRY_KEY,
                    quota=QUOTA,
                )
            )
        )
        async with asyncio.timeout(10):  # the second copy's statement waits on the first's
            while await _lock_waits(watcher) == 0:
                assert not second.done(), second
                await asyncio.sleep(0.01)
        await first_uow.commit()
        with pytest.raises(RequestRetried) as got:
            await second
    assert got.value.reservation.code == first.code
