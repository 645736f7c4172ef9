"""A hold is sold at the quote of the cabin's price rules, and keeps that breakdown."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from application.booking.place_hold import PlaceHold, PlaceHoldCommand, PricesUnavailable
from domain.booking.policy import BookingPolicy
from domain.booking.reservation import Channel, Guest
from domain.errors import NightsOutOfRange
from domain.money import Money
from domain.pricing import Fees, Rate, RecurringRange, Season, Specificity
from domain.pricing.cabin_rules import CabinPriceRules
from domain.stay import Stay
from tests.unit.application.fakes import (
    FakePriceRules,
    FakeUnitOfWork,
    FixedClock,
    SequenceCodes,
)
from tests.unit.domain.builders import NOW, cabin

GUEST = Guest("Juana Pérez", "+5491155551234")
HIGH = CabinPriceRules(
    seasons=(
        Season(
            "Temporada alta",
            RecurringRange.parse("15/12", "28/02"),
            Rate(nightly=Money.of("150000")),
            min_nights=4,
        ),
    ),
    fees=Fees(cleaning=Money.of("20000")),
)


def make(uow: FakeUnitOfWork, rules: FakePriceRules) -> PlaceHold:
    return PlaceHold(
        uow=uow,
        clock=FixedClock(NOW),
        codes=SequenceCodes(),
        policy=BookingPolicy(deposit_percent=Decimal(30)),
        catalogue=uow.catalogue,
        metrics=uow.metrics,
        price_rules=rules,
    )


def command(check_in: date, nights: int, guests: int = 2) -> PlaceHoldCommand:
    check_out = check_in + timedelta(days=nights)
    return PlaceHoldCommand(1, check_in, check_out, guests, GUEST, Channel.API)


async def test_the_hold_is_priced_by_the_rules_and_keeps_the_breakdown() -> None:
    uow = FakeUnitOfWork([cabin(min_nights=1)])
    rules = FakePriceRules({1: HIGH})
    r = await make(uow, rules)(command(date(2026, 12, 18), 4))
    assert r.total == Money.of(4 * 150000 + 20000)
    assert r.deposit == r.total.percent(Decimal(30))
    assert r.breakdown is not None
    assert r.breakdown.total == r.total
    assert {n.rule.kind for n in r.breakdown.nights} == {Specificity.SEASON}
    assert rules.reads == 1  # the cached rules, read once


async def test_a_cabin_without_rules_is_sold_at_its_base_with_a_breakdown() -> None:
    uow = FakeUnitOfWork([cabin()])
    r = await make(uow, FakePriceRules())(command(date(2026, 12, 3), 4))  # Thu → Mon
    assert r.total == Money.of("500000")  # 100k + 150k + 150k + 100k, as before rules
    assert r.breakdown is not None
    assert {n.rule.kind for n in r.breakdown.nights} == {Specificity.BASE}


async def test_the_rules_minimum_refuses_unless_the_stay_fills_a_gap() -> None:
    uow = FakeUnitOfWork([cabin(min_nights=1)])
    place = make(uow, FakePriceRules({1: HIGH}))
    with pytest.raises(NightsOutOfRange, match="takes stays of 4"):
        await place(command(date(2026, 12, 21), 2))
    assert not uow.reservations.committed
    await place(command(date(2026, 12, 17), 4))
    await place(command(date(2026, 12, 23), 5))
    gap = await place(command(date(2026, 12, 21), 2))
    assert gap.stay == Stay(date(2026, 12, 21), date(2026, 12, 23))


async def test_rules_that_no_longer_price_with_the_base_refuse_the_hold() -> None:
    uow = FakeUnitOfWork([cabin(base_price=Money.of("0.50"))])
    broken = CabinPriceRules(
        seasons=(
            Season(
                "Liquidación",
                RecurringRange.parse("01/12", "31/12"),
                Rate(percent_over_base=Decimal("-99.5")),
            ),
        )
    )
    with pytest.raises(PricesUnavailable):
        await make(uow, FakePriceRules({1: broken}))(command(date(2026, 12, 3), 2))
    assert not uow.reservations.committed


async def test_rules_changed_by_another_process_are_read_again_before_the_hold() -> None:
    uow = FakeUnitOfWork([cabin(min_nights=1)])
    uow.reservations.rules_version = 7
    rules = FakePriceRules({1: HIGH}, version=7)
    place = make(uow, rules)
    first = await place(command(date(2026, 12, 18), 4))
    assert first.total == Money.of(4 * 150000 + 20000)
    # Another process raises the season's price: the stored version moves on, this process's
    # cache still serves the old rules until it is invalidated.
    higher = CabinPriceRules(
        seasons=(
            Season(
                "Temporada alta",
                RecurringRange.parse("15/12", "28/02"),
                Rate(nightly=Money.of("180000")),
            ),
        ),
        fees=Fees(cleaning=Money.of("20000")),
    )
    rules.elsewhere = ({1: higher}, 8)
    uow.reservations.rules_version = 8
    second = await place(command(date(2027, 1, 10), 4))
    assert second.total == Money.of(4 * 180000 + 20000)
    assert second.breakdown is not None
    assert second.breakdown.total == second.total
    assert uow.reservations.committed[second.code.value].total == second.total
    assert rules.invalidations == 1
    assert uow.catalogue.invalidations == 1
    assert rules.loaded_version == 8


async def test_a_hold_at_the_cached_version_is_placed_without_reading_again() -> None:
    uow = FakeUnitOfWork([cabin(min_nights=1)])
    uow.reservations.rules_version = 3
    rules = FakePriceRules({1: HIGH}, version=3)
    await make(uow, rules)(command(date(2026, 12, 18), 4))
    assert rules.invalidations == 0
    assert uow.catalogue.invalidations == 0
    assert uow.reservations.alone_calls == [True]  # one try
