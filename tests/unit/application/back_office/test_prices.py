"""The owner's price rules over in-memory fakes: one cabin's replaced whole (validated,
locked, audited, the cache refreshed), and a change for many cabins previewed, then applied
all or none, once per Idempotency-Key."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from application.back_office.prices import (
    ApplyBulkChange,
    BulkChange,
    BulkPreview,
    GetPrices,
    PreviewBulkChange,
    ReplacePrices,
)
from application.errors import IdempotentReplay
from domain.errors import AccommodationNotFound, IdempotencyKeyReused, InvalidValue
from domain.money import Money
from domain.pricing import DateOverride, OverlappingPriceRules, PriceChange, Rate
from domain.pricing.cabin_rules import NO_RULES, CabinPriceRules
from tests.unit.application.fakes import FakePriceRules, FakeUnitOfWork, FixedClock
from tests.unit.domain.builders import NOW, cabin

MARCH = date(2027, 3, 1)
NYE = DateOverride("Año nuevo", date(2026, 12, 31), date(2026, 12, 31), Rate(Money.of("4E5")))
OWNER = "duena@cabanas.ar"


class Prices:
    def __init__(self) -> None:
        self.uow = FakeUnitOfWork([cabin(), cabin(id=2, name="Cabaña del Bosque")])
        self.clock = FixedClock(NOW)
        self.cache = FakePriceRules()

    def replace(self) -> ReplacePrices:
        return ReplacePrices(self.uow, self.clock, self.cache)

    def apply(self) -> ApplyBulkChange:
        return ApplyBulkChange(self.uow, self.clock, self.cache)

    def preview(self) -> PreviewBulkChange:
        return PreviewBulkChange(self.uow, self.clock)

    def stored(self, accommodation_id: int) -> CabinPriceRules | None:
        found = self.uow.prices.read.get(accommodation_id)
        return found.rules if found else None


def render(preview: BulkPreview) -> str:
    return ",".join(str(c.accommodation.id) for c in preview.cabins)


async def test_a_cabin_without_rules_has_empty_ones_and_an_unknown_cabin_is_404() -> None:
    p = Prices()
    prices = await GetPrices(p.uow)(1)
    assert (prices.accommodation.id, prices.rules, prices.cancellation) == (1, NO_RULES, None)
    with pytest.raises(AccommodationNotFound):
        await GetPrices(p.uow)(99)


async def test_replacing_stores_locks_audits_and_refreshes_the_cache() -> None:
    p = Prices()
    rules = CabinPriceRules(overrides=(NYE,))
    await p.replace()(1, rules, None, OWNER)
    assert p.stored(1) == rules
    assert (await GetPrices(p.uow)(1)).rules == rules
    assert p.uow.prices.locked == [1]
    [entry] = p.uow.audit.entries
    assert (entry.actor, entry.action, entry.target) == (OWNER, "prices.replace", "1")
    assert entry.before["overrides"] == []
    assert entry.after["overrides"] == ["Año nuevo 2026-12-31–2026-12-31"]
    assert p.cache.invalidations == 1


async def test_rules_that_do_not_price_every_night_are_refused_and_nothing_is_kept() -> None:
    p = Prices()
    twice = PriceChange(MARCH, Decimal(8))
    with pytest.raises(InvalidValue):
        await p.replace()(1, CabinPriceRules(changes=(twice, twice)), None, OWNER)
    assert p.stored(1) is None
    assert p.cache.invalidations == 0


async def test_overrides_sharing_nights_are_refused_and_nothing_is_kept() -> None:
    p = Prices()
    rival = DateOverride("Fin de año", date(2026, 12, 30), date(2026, 12, 31), Rate(Money.of(1)))
    with pytest.raises(OverlappingPriceRules):
        await p.replace()(1, CabinPriceRules(overrides=(NYE, rival)), None, OWNER)
    assert p.stored(1) is None


async def test_the_store_stands_for_the_tables_constraints() -> None:
    # The last word when two edits race past the rules' own check.
    p = Prices()
    rival = DateOverride("Fin de año", date(2026, 12, 30), date(2026, 12, 31), Rate(Money.of(1)))
    with pytest.raises(OverlappingPriceRules):
        await p.uow.prices.replace(1, CabinPriceRules(overrides=(NYE, rival)))
    with pytest.raises(AccommodationNotFound):
        await p.uow.prices.replace(99, NO_RULES)
    await p.uow.prices.replace(1, CabinPriceRules(overrides=(NYE,)))
    await p.uow.rollback()
    assert p.stored(1) is None


async def test_the_preview_shows_each_cabin_month_by_month_and_writes_nothing() -> None:
    p = Prices()
    change = BulkChange(Decimal(10), MARCH, months=2)
    preview = await p.preview()(change)
    assert [c.accommodation.id for c in preview.cabins] == [1, 2]
    march, april = preview.cabins[0].months
    assert (march.month, april.month) == (MARCH, date(2027, 4, 1))
    assert march.after.cents == march.before.cents * 110 // 100
    assert p.uow.prices.read == {}
    assert p.uow.commits == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (BulkChange(Decimal(10), date(2026, 11, 30)), "effective_from"),  # yesterday
        (BulkChange(Decimal(10), MARCH, months=19), "months"),
        (BulkChange(Decimal(0), MARCH), "percent"),
    ],
)
async def test_a_change_that_cannot_be_applied_names_its_field(
    change: BulkChange, field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        await Prices().preview()(change)
    assert refused.value.field == field


async def test_applying_adds_the_change_to_every_chosen_cabin_once() -> None:
    p = Prices()
    change = BulkChange(Decimal(8), MARCH, accommodation_ids=(2,))
    await p.apply()(change, OWNER, "key-1", "body-1", render)
    assert p.stored(1) is None
    assert p.stored(2) == CabinPriceRules(changes=(PriceChange(MARCH, Decimal(8)),))
    assert p.uow.prices.locked == [2]
    [entry] = p.uow.audit.entries
    assert entry.after == {
        "accommodation_ids": [2],
        "percent": "8",
        "effective_from": "2027-03-01",
    }
    assert p.cache.invalidations == 1


async def test_the_same_key_replays_the_first_answer_and_another_body_is_refused() -> None:
    p = Prices()
    change = BulkChange(Decimal(8), MARCH)
    await p.apply()(change, OWNER, "key-1", "body-1", render)
    with pytest.raises(IdempotentReplay) as replay:
        await p.apply()(change, OWNER, "key-1", "body-1", render)
    assert replay.value.stored.response_body == "1,2"
    with pytest.raises(IdempotencyKeyReused):
        await p.apply()(BulkChange(Decimal(9), MARCH), OWNER, "key-1", "body-2", render)
    assert p.stored(1) == CabinPriceRules(changes=(PriceChange(MARCH, Decimal(8)),))


async def test_a_second_change_from_the_same_day_is_refused_for_all_cabins_or_none() -> None:
    p = Prices()
    await p.apply()(
        BulkChange(Decimal(8), MARCH, accommodation_ids=(2,)), OWNER, "k1", "b1", render
    )
    with pytest.raises(InvalidValue) as refused:
        await p.apply()(BulkChange(Decimal(5), MARCH), OWNER, "k2", "b2", render)
    assert "Cabaña del Bosque" in refused.value.message
    assert p.stored(1) is None  # cabin 1 alone would have taken it: all or none
    assert p.uow.idempotency.committed.get(("prices", "k2")) is None  # the key is free again
