"""A cabin's cancellation policy: tiers by days' notice before arrival, each returning a
percentage of what was paid as a refund or as a credit for another date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise

from domain.money import Money
from domain.payments.errors import InvalidCancellationPolicy

_PERCENT_STEP = Decimal("0.01")


class Outcome(StrEnum):
    REFUND = "refund"
    CREDIT = "credit"


@dataclass(frozen=True, slots=True)
class CancellationTier:
    """Cancelling at least ``min_days_before`` days before check-in returns ``percent`` of
    what was paid, as ``outcome``. A credit may be usable for ``credit_valid_days`` from the
    day it is issued (None: it does not expire)."""

    min_days_before: int
    percent: Decimal
    outcome: Outcome = Outcome.REFUND
    credit_valid_days: int | None = None

    def __post_init__(self) -> None:
        if self.min_days_before < 0:
            raise InvalidCancellationPolicy("min_days_before cannot be negative")
        if self.credit_valid_days is not None and (
            self.outcome is not Outcome.CREDIT or not 1 <= self.credit_valid_days <= 3650
        ):
            raise InvalidCancellationPolicy(
                "credit_valid_days is 1 to 3650, and only on a credit tier"
            )
        p = self.percent
        if (
            not p.is_finite()
            or not Decimal(0) <= p <= Decimal(100)
            or p != p.quantize(_PERCENT_STEP)
        ):
            raise InvalidCancellationPolicy("percent is from 0 to 100, with at most two decimals")


@dataclass(frozen=True, slots=True)
class Settlement:
    """What cancelling means for the money paid: returned (refund or credit) and kept."""

    days_before: int
    tier: CancellationTier | None
    paid: Money
    refund: Money
    credit: Money

    @property
    def credit_valid_days(self) -> int | None:
        return self.tier.credit_valid_days if self.tier is not None else None

    @property
    def kept(self) -> Money:
        return Money(self.paid.cents - self.refund.cents - self.credit.cents, self.paid.currency)


@dataclass(frozen=True, slots=True)
class CancellationPolicy:
    """Rules: tiers have distinct ``min_days_before``; more notice never returns a smaller
    percentage of the same kind (a refund tier may give way to a larger credit); with less
    notice than every tier (or after check-in), nothing is returned."""

    tiers: tuple[CancellationTier, ...]

    def __post_init__(self) -> None:
        by_notice = tuple(sorted(self.tiers, key=lambda t: t.min_days_before, reverse=True))
        if len({t.min_days_before for t in by_notice}) != len(by_notice):
            raise InvalidCancellationPolicy("two tiers start at the same number of days")
        for outcome in Outcome:
            same = [t for t in by_notice if t.outcome is outcome]
            for more, less in pairwise(same):
                if more.percent < less.percent:
                    raise InvalidCancellationPolicy(
                        f"cancelling {more.min_days_before}+ days ahead cannot return less "
                        f"({more.percent} %) than {less.min_days_before}+ days "
                        f"({less.percent} %) as a {outcome.value}"
                    )
        object.__setattr__(self, "tiers", by_notice)

    def tier_for(self, days_before: int) -> CancellationTier | None:
        for tier in self.tiers:  # most notice first
            if days_before >= tier.min_days_before:
                return tier
        return None

    def settle(self, paid: Money, check_in: date, cancelled_on: date) -> Settlement:
        """``paid``: what the guest has paid and not yet had back. Rounded half-up to the cent,
        never above ``paid``."""
        days_before = (check_in - cancelled_on).days
        tier = self.tier_for(days_before)
        returned = paid.percent(tier.percent) if tier is not None else Money.zero(paid.currency)
        zero = Money.zero(paid.currency)
        if tier is not None and tier.outcome is Outcome.CREDIT:
            return Settlement(days_before, tier, paid, zero, returned)
        return Settlement(days_before, tier, paid, returned, zero)
