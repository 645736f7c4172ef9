"""The owner's price rules: read and replace one cabin's, and change many cabins' prices at
once from a date ("+8 % from 1 March"), previewed before it is applied. Every write is audited
in its own transaction and refreshes this process's cached rules at once (other processes
within CATALOGUE_CACHE_SECONDS). Bookings keep the breakdown they were sold with."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from application.errors import IdempotentReplay
from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.holidays import HolidaySource
from application.ports.pricing import PriceRulesRepository
from application.ports.unit_of_work import UnitOfWork
from domain.booking.accommodation import Accommodation
from domain.calendar import local_today
from domain.errors import AccommodationNotFound, IdempotencyKeyReused, InvalidValue
from domain.payments.cancellation import CancellationPolicy
from domain.pricing import PriceChange
from domain.pricing.cabin_rules import CabinPriceRules, price_list
from domain.pricing.holidays import HolidayCalendar
from domain.pricing.preview import MonthPrices, compare_months

BULK_SCOPE = "prices"
MAX_PREVIEW_MONTHS = 18


@dataclass(frozen=True, slots=True)
class CabinPrices:
    accommodation: Accommodation
    rules: CabinPriceRules
    cancellation: CancellationPolicy | None


def summary(rules: CabinPriceRules, cancellation: CancellationPolicy | None) -> dict[str, object]:
    """What the audit log keeps of a cabin's rules."""
    return {
        "seasons": [f"{s.name} {s.dates}" for s in rules.seasons],
        "overrides": [
            f"{o.name} {o.first_night.isoformat()}–{o.last_night.isoformat()}"
            for o in rules.overrides
        ],
        "long_weekend": rules.long_weekend is not None,
        "fees": {
            "cleaning_cents": rules.fees.cleaning.cents,
            "extra_guest_cents": rules.fees.extra_guest_nightly.cents,
            "pet_cents": rules.fees.pet.cents if rules.fees.pet else None,
        },
        "stay_discounts": [f"{d.min_nights}+ {d.percent} %" for d in rules.discounts],
        "price_changes": [f"{c.effective_from.isoformat()} {c.percent} %" for c in rules.changes],
        "cancellation_tiers": [
            f"{t.min_days_before}+ days {t.percent} % {t.outcome.value}"
            for t in (cancellation.tiers if cancellation else ())
        ],
    }


async def _cabin(uow: UnitOfWork, accommodation_id: int) -> Accommodation:
    found = await uow.accommodations.get(accommodation_id)
    if found is None:
        raise AccommodationNotFound(f"no accommodation with id {accommodation_id}")
    return found


@dataclass(frozen=True, slots=True)
class GetPrices:
    uow: UnitOfWork

    async def __call__(self, accommodation_id: int) -> CabinPrices:
        async with self.uow:
            cabin = await _cabin(self.uow, accommodation_id)
            stored = await self.uow.prices.get(accommodation_id)
        return CabinPrices(cabin, stored.rules, stored.cancellation)


@dataclass(frozen=True, slots=True)
class ReplacePrices:
    """Rules: the rules must price every night with the cabin's base price and weekend
    multiplier (a night made free, seasons or overrides sharing nights at one level, two
    discounts or price changes starting together → 422 naming the field); replaced whole, in
    one transaction with the cabin locked; audited with before and after."""

    uow: UnitOfWork
    clock: Clock
    cache: PriceRulesRepository

    async def __call__(
        self,
        accommodation_id: int,
        rules: CabinPriceRules,
        cancellation: CancellationPolicy | None,
        actor: str,
    ) -> CabinPrices:
        async with self.uow:
            cabin = await _cabin(self.uow, accommodation_id)
            price_list(cabin, rules)  # validates them together, with the cabin's base
            before = await self.uow.prices.get(accommodation_id, for_update=True)
            await self.uow.prices.replace(accommodation_id, rules, cancellation)
            await self.uow.audit.record(
                AuditEntry(
                    actor=actor,
                    action="prices.replace",
                    target=str(accommodation_id),
                    at=self.clock.now(),
                    before=summary(before.rules, before.cancellation),
                    after=summary(rules, cancellation),
                )
            )
            await self.uow.commit()
        self.cache.invalidate()
        return CabinPrices(cabin, rules, cancellation)


@dataclass(frozen=True, slots=True)
class BulkChange:
    """``percent`` on every night from ``effective_from``, on the chosen cabins (None: every
    active cabin); the preview covers ``months`` months from that date's month."""

    percent: Decimal
    effective_from: date
    accommodation_ids: tuple[int, ...] | None = None
    months: int = 6


@dataclass(frozen=True, slots=True)
class CabinPreview:
    accommodation: Accommodation
    months: tuple[MonthPrices, ...]


@dataclass(frozen=True, slots=True)
class BulkPreview:
    change: BulkChange
    cabins: tuple[CabinPreview, ...]


async def _plan(
    uow: UnitOfWork,
    holidays: HolidaySource | None,
    change: BulkChange,
    today: date,
    *,
    lock: bool,
) -> tuple[BulkPreview, list[tuple[Accommodation, CabinPriceRules, CancellationPolicy | None]]]:
    """Rules: the change starts today or later; 1–18 months of preview; the chosen cabins
    exist (404 otherwise); each cabin's rules with the change must still price every night
    (422 naming the cabin otherwise)."""
    if change.effective_from < today:
        raise _field(InvalidValue("a price change starts today or later"), "effective_from")
    if not 1 <= change.months <= MAX_PREVIEW_MONTHS:
        raise _field(InvalidValue(f"months is 1 to {MAX_PREVIEW_MONTHS}"), "months")
    try:
        new = PriceChange(change.effective_from, change.percent)
    except InvalidValue as exc:
        raise _field(exc, "percent") from None
    cabins: Sequence[Accommodation]
    if change.accommodation_ids is None:
        cabins = await uow.accommodations.list(only_active=True)
    else:
        cabins = [await _cabin(uow, i) for i in dict.fromkeys(change.accommodation_ids)]
    first = change.effective_from
    last = first + timedelta(days=31 * change.months)
    calendar = await holidays.calendar(first, last) if holidays else HolidayCalendar()
    previews, updates = [], []
    for cabin in sorted(cabins, key=lambda c: c.id):
        stored = await uow.prices.get(cabin.id, for_update=lock)
        rules = stored.rules
        changed = CabinPriceRules(
            rules.seasons,
            rules.overrides,
            rules.long_weekend,
            rules.fees,
            rules.discounts,
            (*rules.changes, new),
        )
        try:
            after = price_list(cabin, changed)
        except InvalidValue as exc:
            refusal = InvalidValue(f"{cabin.name}: {exc.message}", code=exc.code)
            raise _field(refusal, "percent") from None
        months = compare_months(price_list(cabin, rules), after, first, change.months, calendar)
        previews.append(CabinPreview(cabin, months))
        updates.append((cabin, changed, stored.cancellation))
    return BulkPreview(change, tuple(previews)), updates


def _field[E: InvalidValue](error: E, field: str) -> E:
    error.field = field
    return error


@dataclass(frozen=True, slots=True)
class PreviewBulkChange:
    """What the change would do, month by month per cabin; nothing is written."""

    uow: UnitOfWork
    clock: Clock
    holidays: HolidaySource | None = None

    async def __call__(self, change: BulkChange) -> BulkPreview:
        async with self.uow:
            today = local_today(self.clock.now())
            preview, _ = await _plan(self.uow, self.holidays, change, today, lock=False)
        return preview


@dataclass(frozen=True, slots=True)
class ApplyBulkChange:
    """Rules: as the preview, then every cabin's rules gain the change in one transaction
    (all or none), each cabin locked; idempotent by the request's key — the same key with the
    same body answers what the first got (``IdempotentReplay``), with another body is refused,
    concurrent requests with one key wait for the first; audited once with the cabins, the
    percentage and the date. A second change from the same date on a cabin is refused (422):
    a change is never applied twice by accident."""

    uow: UnitOfWork
    clock: Clock
    cache: PriceRulesRepository
    holidays: HolidaySource | None = None

    async def __call__(
        self,
        change: BulkChange,
        actor: str,
        idempotency_key: str,
        fingerprint: str,
        respond: Callable[[BulkPreview], str],
    ) -> BulkPreview:
        """``respond`` renders the answer, kept with the key in the same transaction."""
        now = self.clock.now()
        async with self.uow:
            prior = await self.uow.idempotency.claim(
                BULK_SCOPE, idempotency_key, now, fingerprint=fingerprint
            )
            if prior is not None:
                if prior.fingerprint != fingerprint:
                    raise IdempotencyKeyReused(
                        "this Idempotency-Key was already used with a different request body"
                    )
                raise IdempotentReplay(prior)
            preview, updates = await _plan(
                self.uow, self.holidays, change, local_today(now), lock=True
            )
            for cabin, rules, cancellation in updates:
                await self.uow.prices.replace(cabin.id, rules, cancellation)
            await self.uow.audit.record(
                AuditEntry(
                    actor=actor,
                    action="prices.bulk_change",
                    target="accommodations",
                    at=now,
                    after={
                        "accommodation_ids": [c.id for c, _, _ in updates],
                        "percent": str(change.percent),
                        "effective_from": change.effective_from.isoformat(),
                    },
                )
            )
            await self.uow.idempotency.store_response(
                BULK_SCOPE, idempotency_key, 200, respond(preview)
            )
            await self.uow.commit()
        self.cache.invalidate()
        return preview
