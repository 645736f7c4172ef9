from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from domain.payments.cancellation import CancellationPolicy
from domain.pricing.cabin_rules import CabinPriceRules


class PriceRulesRepository(Protocol):
    async def all_rules(self) -> Mapping[int, CabinPriceRules]:
        """Every cabin's price rules that have any, by accommodation id (dated overrides
        already past may be left out). May be a few seconds stale, like the catalogue."""
        ...

    async def replace(
        self,
        accommodation_id: int,
        rules: CabinPriceRules,
        cancellation: CancellationPolicy | None = None,
    ) -> None:
        """Store the cabin's rules (already validated as a ``PriceList``) in place of its
        previous ones, in one transaction. Overlapping overrides → ``OverlappingPriceRules``;
        an unknown cabin → ``AccommodationNotFound``."""
        ...

    async def cancellation_policy(self, accommodation_id: int) -> CancellationPolicy | None: ...
