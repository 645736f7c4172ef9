"""Each cabin's price rules (migration 0016), read for every availability request from an
in-process cache: rules change a few times a season, availability asks for all of them on every
request. Availability passes the rules' version (migration 0022: it goes up in the transaction
of every write to the rule tables, from any process), read in the same round trip as the nights
taken, so a change is quoted from the next request on; callers without a version get rules at
most ``CATALOGUE_CACHE_SECONDS`` old (writers in this process invalidate the cache), and learn
their version from ``loaded_version`` (a booking's insert checks it in its own statement)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.postgres.errors import constraint_name, translate
from adapters.postgres.replica import ReadRouter
from adapters.postgres.tables import (
    OVERRIDE_OVERLAP_CONSTRAINT,
    SEASON_NAME_CONSTRAINT,
    accommodations,
    price_overrides,
    price_rules_version,
    price_seasons,
    price_terms,
)
from application.ports.clock import Clock
from application.ports.pricing import StoredPrices
from domain.calendar import local_today
from domain.errors import AccommodationNotFound
from domain.money import Money
from domain.payments.cancellation import CancellationPolicy, CancellationTier, Outcome
from domain.pricing import (
    DateOverride,
    DayMonth,
    Fees,
    LengthOfStayDiscount,
    LongWeekendRule,
    OverlappingPriceRules,
    PriceChange,
    Rate,
    RecurringRange,
    Season,
)
from domain.pricing.cabin_rules import CabinPriceRules
from domain.pricing.rules import LONG_WEEKEND_NAME

_S, _O, _T, _A = price_seasons.c, price_overrides.c, price_terms.c, accommodations.c
LOAD_SEASONS = select(_A.currency, price_seasons).join(accommodations)
LOAD_OVERRIDES = select(_A.currency, price_overrides).join(accommodations)
LOAD_TERMS = select(_A.currency, price_terms).join(accommodations)
LOAD_VERSION = select(price_rules_version.c.version)


def current_overrides(clock: Clock) -> Select[Any]:
    """Overrides with a night left from yesterday on, by the app's clock (as every other
    "today" is: not the database's, which a test's fixed clock does not move). Those whose
    nights are all behind are never quoted again; yesterday stays for a stay that began then."""
    return LOAD_OVERRIDES.where(_O.last_night >= local_today(clock.now()) - timedelta(days=1))


class CachedPriceRules:
    def __init__(self, reads: ReadRouter, engine: AsyncEngine, ttl_s: float, clock: Clock) -> None:
        self._reads = reads
        self._engine = engine
        self._ttl_s = ttl_s
        self._clock = clock
        self._lock = asyncio.Lock()
        self._loaded_at = float("-inf")
        self._rules: Mapping[int, CabinPriceRules] = {}
        self._version: int | None = None

    async def all_rules(self, version: int | None = None) -> Mapping[int, CabinPriceRules]:
        if version is not None:
            if self._version is None or self._version < version:
                async with self._lock:
                    if self._version is None or self._version < version:
                        await self._load()
        elif time.monotonic() - self._loaded_at >= self._ttl_s:
            async with self._lock:
                if time.monotonic() - self._loaded_at >= self._ttl_s:
                    await self._load()
        return self._rules

    async def _load(self) -> None:
        try:
            async with self._reads.connection() as conn:
                # The version first: rules read after it are at least that new (a change in
                # between only makes the next request read them again).
                version = (await conn.execute(LOAD_VERSION)).scalar_one_or_none()
                # Unchanged (every rule write raises it): the rules kept are current, and
                # keeping the same objects keeps each cabin's compiled price list and the
                # nights it remembers.
                if version is None or version != self._version:
                    self._rules = await load_rules(conn, self._clock)
        except DBAPIError as exc:
            raise translate(exc) from exc
        self._version = version
        self._loaded_at = time.monotonic()

    @property
    def loaded_version(self) -> int | None:
        return self._version

    def invalidate(self) -> None:
        self._loaded_at = float("-inf")
        self._version = None

    async def replace(
        self,
        accommodation_id: int,
        rules: CabinPriceRules,
        cancellation: CancellationPolicy | None = None,
    ) -> None:
        try:
            async with self._engine.begin() as conn:
                await _replace(conn, accommodation_id, rules, cancellation)
        except IntegrityError as exc:
            raise _refusal(exc) from exc
        except DBAPIError as exc:
            raise translate(exc) from exc
        self.invalidate()

    async def cancellation_policy(self, accommodation_id: int) -> CancellationPolicy | None:
        return (await self.cancellation_policies((accommodation_id,))).get(accommodation_id)

    async def cancellation_policies(
        self, accommodation_ids: Collection[int]
    ) -> dict[int, CancellationPolicy]:
        query = select(_T.accommodation_id, _T.cancellation_tiers).where(
            _T.accommodation_id.in_(list(accommodation_ids))
        )
        async with self._reads.connection() as conn:
            rows = (await conn.execute(query)).all()
        return {cabin: _policy(tiers) for cabin, tiers in rows if tiers}


def _refusal(exc: IntegrityError) -> Exception:
    name = constraint_name(exc)
    if name == OVERRIDE_OVERLAP_CONSTRAINT:
        return OverlappingPriceRules("two date overrides of the cabin share nights")
    if name == SEASON_NAME_CONSTRAINT:
        return OverlappingPriceRules("two seasons of the cabin have the same name")
    if name is not None and name.endswith("_accommodation_id_fkey"):
        return AccommodationNotFound("no such accommodation")
    return translate(exc)


async def load_rules(conn: AsyncConnection, clock: Clock) -> dict[int, CabinPriceRules]:
    seasons: dict[int, list[Season]] = {}
    overrides: dict[int, list[DateOverride]] = {}
    for row in await conn.execute(LOAD_SEASONS):
        seasons.setdefault(row.accommodation_id, []).append(_season(row))
    for row in await conn.execute(current_overrides(clock)):
        overrides.setdefault(row.accommodation_id, []).append(_override(row))
    terms = {row.accommodation_id: row for row in await conn.execute(LOAD_TERMS)}
    found = {}
    for acc_id in seasons.keys() | overrides.keys() | terms.keys():
        term = terms.get(acc_id)
        found[acc_id] = CabinPriceRules(
            seasons=tuple(seasons.get(acc_id, ())),
            overrides=tuple(overrides.get(acc_id, ())),
            long_weekend=_long_weekend(term) if term is not None else None,
            fees=_fees(term) if term is not None else Fees(),
            discounts=_discounts(term.stay_discounts) if term is not None else (),
            changes=_changes(term.price_changes) if term is not None else (),
        )
    return found


class SqlPriceRulesStore:
    """One cabin's rules inside the unit of work's transaction (the owner's edits)."""

    def __init__(self, conn: AsyncConnection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    async def get(self, accommodation_id: int, *, for_update: bool = False) -> StoredPrices:
        if for_update:
            # The cabin's row: two owners saving at once apply one after the other.
            locked = select(_A.id).where(_A.id == accommodation_id).with_for_update()
            await self._conn.execute(locked)
        one = accommodation_id
        seasons = await self._conn.execute(LOAD_SEASONS.where(_S.accommodation_id == one))
        current = current_overrides(self._clock)
        overrides = await self._conn.execute(current.where(_O.accommodation_id == one))
        term = (await self._conn.execute(LOAD_TERMS.where(_T.accommodation_id == one))).first()
        rules = CabinPriceRules(
            seasons=tuple(_season(r) for r in seasons),
            overrides=tuple(_override(r) for r in overrides),
            long_weekend=_long_weekend(term) if term is not None else None,
            fees=_fees(term) if term is not None else Fees(),
            discounts=_discounts(term.stay_discounts) if term is not None else (),
            changes=_changes(term.price_changes) if term is not None else (),
        )
        tiers = term.cancellation_tiers if term is not None else None
        return StoredPrices(rules, _policy(tiers) if tiers else None)

    async def replace(
        self,
        accommodation_id: int,
        rules: CabinPriceRules,
        cancellation: CancellationPolicy | None = None,
    ) -> None:
        try:
            async with self._conn.begin_nested():
                await _replace(self._conn, accommodation_id, rules, cancellation)
        except IntegrityError as exc:
            raise _refusal(exc) from exc


def _money(cents: int | None, currency: str) -> Money | None:
    return None if cents is None else Money(cents, currency)


def _rate(cents: int | None, percent: Decimal | None, currency: str) -> Rate:
    return Rate(nightly=_money(cents, currency), percent_over_base=percent)


def _season(row: Any) -> Season:
    weekdays = row.arrival_weekdays
    return Season(
        row.name,
        RecurringRange(
            DayMonth(row.first_month, row.first_day), DayMonth(row.last_month, row.last_day)
        ),
        _rate(row.nightly_cents, row.percent_over_base, row.currency),
        weekend_nightly=_money(row.weekend_cents, row.currency),
        min_nights=row.min_nights,
        arrival_weekdays=frozenset(weekdays) if weekdays is not None else None,
    )


def _override(row: Any) -> DateOverride:
    rate = _rate(row.nightly_cents, row.percent_over_base, row.currency)
    return DateOverride(row.name, row.first_night, row.last_night, rate, row.min_nights)


def _long_weekend(row: Any) -> LongWeekendRule | None:
    if row.long_weekend_nightly_cents is None and row.long_weekend_percent is None:
        return None
    rate = _rate(row.long_weekend_nightly_cents, row.long_weekend_percent, row.currency)
    name = row.long_weekend_name or LONG_WEEKEND_NAME
    return LongWeekendRule(rate, row.long_weekend_min_nights, name)


def _fees(row: Any) -> Fees:
    return Fees(
        cleaning=Money(row.cleaning_cents, row.currency),
        extra_guest_nightly=Money(row.extra_guest_cents, row.currency),
        guests_included=row.guests_included,
        pet=_money(row.pet_cents, row.currency),
    )


def _discounts(items: list[dict[str, Any]]) -> tuple[LengthOfStayDiscount, ...]:
    return tuple(
        LengthOfStayDiscount(d["min_nights"], Decimal(d["percent"]), d.get("name", ""))
        for d in items
    )


def _changes(items: list[dict[str, Any]]) -> tuple[PriceChange, ...]:
    return tuple(
        PriceChange(date.fromisoformat(c["effective_from"]), Decimal(c["percent"])) for c in items
    )


def _policy(items: list[dict[str, Any]]) -> CancellationPolicy:
    return CancellationPolicy(
        tuple(
            CancellationTier(
                t["min_days_before"],
                Decimal(t["percent"]),
                Outcome(t["outcome"]),
                t.get("credit_valid_days"),
            )
            for t in items
        )
    )


def _rate_values(rate: Rate) -> dict[str, Any]:
    return {
        "nightly_cents": rate.nightly.cents if rate.nightly is not None else None,
        "percent_over_base": rate.percent_over_base,
    }


async def _replace(
    conn: AsyncConnection,
    acc_id: int,
    rules: CabinPriceRules,
    cancellation: CancellationPolicy | None,
) -> None:
    # The cabin's row is locked so two owners saving at once apply one after the other.
    locked = select(_A.id).where(_A.id == acc_id).with_for_update()
    if (await conn.execute(locked)).first() is None:
        raise AccommodationNotFound("no such accommodation")
    await conn.execute(delete(price_seasons).where(_S.accommodation_id == acc_id))
    await conn.execute(delete(price_overrides).where(_O.accommodation_id == acc_id))
    if rules.seasons:
        await conn.execute(
            insert(price_seasons), [_season_values(acc_id, s) for s in rules.seasons]
        )
    if rules.overrides:
        await conn.execute(
            insert(price_overrides), [_override_values(acc_id, o) for o in rules.overrides]
        )
    values = terms_values(rules, cancellation)
    upsert = pg_insert(price_terms).values(accommodation_id=acc_id, **values)
    await conn.execute(
        upsert.on_conflict_do_update(index_elements=[_T.accommodation_id], set_=values)
    )


def _season_values(acc_id: int, s: Season) -> dict[str, Any]:
    return {
        "accommodation_id": acc_id,
        "name": s.name,
        "first_month": s.dates.first.month,
        "first_day": s.dates.first.day,
        "last_month": s.dates.last.month,
        "last_day": s.dates.last.day,
        "weekend_cents": s.weekend_nightly.cents if s.weekend_nightly is not None else None,
        "min_nights": s.min_nights,
        "arrival_weekdays": sorted(s.arrival_weekdays) if s.arrival_weekdays is not None else None,
        **_rate_values(s.rate),
    }


def _override_values(acc_id: int, o: DateOverride) -> dict[str, Any]:
    return {
        "accommodation_id": acc_id,
        "name": o.name,
        "first_night": o.first_night,
        "last_night": o.last_night,
        "min_nights": o.min_nights,
        **_rate_values(o.rate),
    }


def terms_values(rules: CabinPriceRules, cancellation: CancellationPolicy | None) -> dict[str, Any]:
    fees, lw = rules.fees, rules.long_weekend
    return {
        "cleaning_cents": fees.cleaning.cents,
        "extra_guest_cents": fees.extra_guest_nightly.cents,
        "guests_included": fees.guests_included,
        "pet_cents": fees.pet.cents if fees.pet is not None else None,
        "long_weekend_name": lw.name if lw is not None else None,
        "long_weekend_nightly_cents": (
            lw.rate.nightly.cents if lw is not None and lw.rate.nightly is not None else None
        ),
        "long_weekend_percent": lw.rate.percent_over_base if lw is not None else None,
        "long_weekend_min_nights": lw.min_nights if lw is not None else None,
        "stay_discounts": [
            {"min_nights": d.min_nights, "percent": str(d.percent), "name": d.name}
            for d in rules.discounts
        ],
        "price_changes": [
            {"effective_from": c.effective_from.isoformat(), "percent": str(c.percent)}
            for c in rules.changes
        ],
        "cancellation_tiers": [
            {
                "min_days_before": t.min_days_before,
                "percent": str(t.percent),
                "outcome": t.outcome.value,
                "credit_valid_days": t.credit_valid_days,
            }
            for t in (cancellation.tiers if cancellation is not None else ())
        ],
    }
