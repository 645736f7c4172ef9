"""Price rules stored and read back from PostgreSQL (migration 0016)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.postgres.price_rules import CachedPriceRules
from adapters.postgres.replica import ReadRouter
from adapters.postgres.unit_of_work import SqlUnitOfWork
from application.ports.clock import Clock
from domain.errors import AccommodationNotFound
from domain.money import Money
from domain.payments.cancellation import CancellationPolicy, CancellationTier, Outcome
from domain.pricing import (
    DateOverride,
    Fees,
    LengthOfStayDiscount,
    LongWeekendRule,
    OverlappingPriceRules,
    Rate,
    RecurringRange,
    Season,
)
from domain.pricing.cabin_rules import CabinPriceRules
from tests.integration.helpers import add_cabins
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db

RULES = CabinPriceRules(
    seasons=(
        Season(
            "Temporada alta",
            RecurringRange.parse("15/12", "28/02"),
            Rate(nightly=Money.of("150000")),
            weekend_nightly=Money.of("180000"),
            min_nights=4,
        ),
        Season(
            "Enero",
            RecurringRange.parse("01/01", "31/01"),
            Rate(percent_over_base=Decimal("80.5")),
            arrival_weekdays=frozenset({5, 6}),
        ),
    ),
    overrides=(
        DateOverride(
            "Año Nuevo", date(2099, 12, 31), date(2099, 12, 31), Rate(nightly=Money(1)), 3
        ),
    ),
    long_weekend=LongWeekendRule(Rate(percent_over_base=Decimal(25)), min_nights=3),
    fees=Fees(
        cleaning=Money.of("25000"),
        extra_guest_nightly=Money.of("10000"),
        guests_included=2,
        pet=Money.of("15000"),
    ),
    discounts=(LengthOfStayDiscount(7, Decimal(10)), LengthOfStayDiscount(14, Decimal("12.5"))),
)
POLICY = CancellationPolicy(
    (CancellationTier(30, Decimal(100)), CancellationTier(7, Decimal(100), Outcome.CREDIT))
)


def store(engine: AsyncEngine, ttl_s: float = 60.0, clock: Clock | None = None) -> CachedPriceRules:
    return CachedPriceRules(ReadRouter(engine), engine, ttl_s, clock or SystemClock())


def same(a: CabinPriceRules, b: CabinPriceRules) -> bool:
    return (
        set(a.seasons) == set(b.seasons)
        and set(a.overrides) == set(b.overrides)
        and (a.long_weekend, a.fees, set(a.discounts)) == (b.long_weekend, b.fees, set(b.discounts))
    )


async def test_rules_and_policy_round_trip_and_cabins_without_rules_are_absent(
    engine: AsyncEngine,
) -> None:
    first, second = await add_cabins(engine, 2)
    rules = store(engine)
    await rules.replace(first, RULES, POLICY)
    loaded = await rules.all_rules()
    assert set(loaded) == {first}
    assert same(loaded[first], RULES)
    assert await rules.cancellation_policy(first) == POLICY
    assert await rules.cancellation_policy(second) is None
    assert await rules.cancellation_policies([first, second]) == {first: POLICY}


async def test_replacing_drops_the_previous_rules_and_past_overrides_are_not_loaded(
    engine: AsyncEngine,
) -> None:
    (cabin,) = await add_cabins(engine, 1)
    rules = store(engine)
    await rules.replace(cabin, RULES)
    past = DateOverride("Viejo", date(2020, 1, 1), date(2020, 1, 2), Rate(nightly=Money(5)))
    fewer = CabinPriceRules(seasons=RULES.seasons[:1], overrides=(past,))
    await rules.replace(cabin, fewer)  # the writer's own cache is invalidated
    loaded = (await rules.all_rules())[cabin]
    assert loaded.seasons == RULES.seasons[:1]
    assert loaded.overrides == ()
    assert (loaded.long_weekend, loaded.discounts, loaded.fees) == (None, (), Fees())


async def test_which_overrides_are_past_is_the_apps_clocks_call_not_the_databases(
    engine: AsyncEngine,
) -> None:
    """The database's date is today's; the app's clock says 2 January 2020 (as a test's fixed
    clock does): the override of the night of 1 January is still current, and both reads load
    it; on 3 January it is behind (its night is before yesterday), and neither does."""
    (cabin,) = await add_cabins(engine, 1)
    past = DateOverride("Año Nuevo", date(2020, 1, 1), date(2020, 1, 1), Rate(nightly=Money(5)))
    await store(engine).replace(cabin, CabinPriceRules(overrides=(past,)))
    then = FixedClock(datetime(2020, 1, 2, 15, 0, tzinfo=UTC))
    assert (await store(engine, clock=then).all_rules())[cabin].overrides == (past,)
    async with engine.connect() as conn:
        stored = await SqlUnitOfWork(conn, then).prices.get(cabin)
    assert stored.rules.overrides == (past,)
    later = FixedClock(datetime(2020, 1, 3, 15, 0, tzinfo=UTC))
    assert (await store(engine, clock=later).all_rules())[cabin].overrides == ()
    async with engine.connect() as conn:
        assert (await SqlUnitOfWork(conn, later).prices.get(cabin)).rules.overrides == ()


async def test_another_process_sees_a_change_within_the_cache_time(engine: AsyncEngine) -> None:
    (cabin,) = await add_cabins(engine, 1)
    reader, writer = store(engine, ttl_s=3600), store(engine)
    assert await reader.all_rules() == {}
    await writer.replace(cabin, RULES)
    assert await reader.all_rules() == {}  # still cached
    reader.invalidate()
    assert set(await reader.all_rules()) == {cabin}


async def test_a_lapsed_cache_keeps_its_rules_while_their_version_stands(
    engine: AsyncEngine,
) -> None:
    # The same objects (and so each cabin's compiled price list and remembered nights) until
    # a rule is written; then the new rules.
    (cabin,) = await add_cabins(engine, 1)
    reader, writer = store(engine, ttl_s=0), store(engine)
    await writer.replace(cabin, RULES)
    first = (await reader.all_rules())[cabin]
    assert (await reader.all_rules())[cabin] is first  # lapsed (ttl 0), version unchanged
    fewer = CabinPriceRules(seasons=RULES.seasons[:1])
    await writer.replace(cabin, fewer)
    changed = (await reader.all_rules())[cabin]
    assert changed is not first
    assert changed.seasons == RULES.seasons[:1]


async def test_overlapping_overrides_are_refused_by_the_database_and_nothing_changes(
    engine: AsyncEngine,
) -> None:
    (cabin,) = await add_cabins(engine, 1)
    rules = store(engine)
    await rules.replace(cabin, RULES)
    eve = DateOverride("a", date(2099, 12, 24), date(2099, 12, 25), Rate(nightly=Money(1)))
    xmas = DateOverride("b", date(2099, 12, 25), date(2099, 12, 25), Rate(nightly=Money(1)))
    with pytest.raises(OverlappingPriceRules):
        await rules.replace(cabin, CabinPriceRules(overrides=(eve, xmas)))
    assert same((await rules.all_rules())[cabin], RULES)


async def test_an_unknown_cabin_is_refused(engine: AsyncEngine) -> None:
    with pytest.raises(AccommodationNotFound):
        await store(engine).replace(999_999, RULES)


async def test_the_database_refuses_a_free_night_written_around_the_domain(
    engine: AsyncEngine,
) -> None:
    (cabin,) = await add_cabins(engine, 1)
    async with engine.begin() as conn:
        with pytest.raises(IntegrityError, match="price_seasons_night_not_free"):
            await conn.execute(
                text(
                    "INSERT INTO price_seasons (accommodation_id, name, first_month, first_day,"
                    " last_month, last_day, percent_over_base) VALUES (:a, 'x', 1, 1, 1, 31, -100)"
                ),
                {"a": cabin},
            )
