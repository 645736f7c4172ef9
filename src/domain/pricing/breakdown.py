"""A quote as a breakdown: every night with the rule that priced it, the fees, the discounts,
the total and the deposit. A booking keeps the breakdown it was sold with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, NamedTuple

from domain.money import Money, derived
from domain.pricing.rules import Specificity


@dataclass(frozen=True, slots=True)
class AppliedRule:
    kind: Specificity
    name: str


@dataclass(frozen=True, slots=True)
class NightPrice:
    night: date
    price: Money
    rule: AppliedRule
    weekend: bool  # a Friday or Saturday night


@dataclass(frozen=True, slots=True)
class RateLine:
    """Nights sold at the same price under the same rule."""

    rule: AppliedRule
    weekend: bool
    nightly: Money
    nights: int

    @property
    def amount(self) -> Money:
        return derived(self.nightly.cents * self.nights, self.nightly.currency)


class FeeKind(StrEnum):
    CLEANING = "cleaning"
    EXTRA_GUESTS = "extra_guests"
    PET = "pet"


@dataclass(frozen=True, slots=True)
class FeeLine:
    kind: FeeKind
    unit: Money
    quantity: int  # 1 per stay; extra guests × nights for the extra-guest fee

    @property
    def amount(self) -> Money:
        return derived(self.unit.cents * self.quantity, self.unit.currency)


@dataclass(frozen=True, slots=True)
class DiscountLine:
    name: str
    percent: Decimal
    amount: Money


class PriceBreakdown(NamedTuple):
    """Immutable like the value objects, but a tuple: availability quotes every cabin on every
    request, and a frozen dataclass's ``__init__`` (``object.__setattr__`` per field) made
    building this one cost more than pricing the stay's nights (1.5 against 0.4 µs). Read by
    field name only; ``adapters.postgres.breakdowns`` stores it field by field."""

    nights: tuple[NightPrice, ...]
    fees: tuple[FeeLine, ...]
    discounts: tuple[DiscountLine, ...]
    total: Money
    deposit_percent: Decimal
    deposit: Money
    # The stay rules the nights carry (``stay_violation`` judges them).
    min_nights: int
    arrival_weekdays: frozenset[int] | None

    @property
    def currency(self) -> str:
        return self.total.currency

    @property
    def nights_total(self) -> Money:
        return derived(sum([n.price.cents for n in self.nights]), self.total.currency)

    @property
    def fees_total(self) -> Money:
        return derived(sum([f.amount.cents for f in self.fees]), self.total.currency)

    @property
    def discounts_total(self) -> Money:
        return derived(sum([d.amount.cents for d in self.discounts]), self.total.currency)

    @property
    def balance(self) -> Money:
        return Money(self.total.cents - self.deposit.cents, self.total.currency)

    def rates(self) -> tuple[RateLine, ...]:
        """The nights grouped by rule and price, in order of their first night."""
        # Keyed by plain values (their hash runs in C, the dataclasses' in Python); equal
        # rules and prices group exactly as the dataclasses' own equality would group them.
        lines: dict[tuple[Specificity, str, bool, int, str], list[Any]] = {}
        for night in self.nights:
            rule, price = night.rule, night.price
            key = (rule.kind, rule.name, night.weekend, price.cents, price.currency)
            line = lines.get(key)
            if line is None:
                lines[key] = [rule, night.weekend, price, 1]
            else:
                line[3] += 1
        return tuple(RateLine(*line) for line in lines.values())
