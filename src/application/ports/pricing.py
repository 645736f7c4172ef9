from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol

from domain.payments.cancellation import CancellationPolicy
from domain.pricing.cabin_rules import CabinPriceRules


@dataclass(frozen=True, slots=True)
class StoredPrices:
    rules: CabinPriceRules
    cancellation: CancellationPolicy | None


class PriceRulesStore(Protocol):
    """One cabin's rules, read and written inside a unit of work (the owner's edits: audited
    in the same transaction)."""

    async def get(self, accommodation_id: int, *, for_update: bool = False) -> StoredPrices:
        """The cabin's rules (none stored: empty rules, no policy). ``for_update`` locks the
        cabin until the transaction ends, so concurrent edits apply one after the other."""
        ...

    async def replace(
        self,
        accommodation_id: int,
        rules: CabinPriceRules,
        cancellation: CancellationPolicy | None = None,
    ) -> None:
        """In place of the previous ones. Overlapping overrides → ``OverlappingPriceRules``;
        an unknown cabin → ``AccommodationNotFound``."""
        ...


class PriceRulesRepository(Protocol):
    async def all_rules(self, version: int | None = None) -> Mapping[int, CabinPriceRules]:
        """Every cabin's price rules that have any, by accommodation id (dated overrides
        already past may be left out). With the rules' ``version`` just read alongside
        (``occupied_and_rules_version``): rules at least that new, read again only if the
        cached ones are older. Without it: may be a few seconds stale, like the catalogue."""
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

    async def cancellation_policies(
        self, accommodation_ids: Collection[int]
    ) -> dict[int, CancellationPolicy]:
        """The policies of those of ``accommodation_ids`` that have one, in one read."""
        ...

    @property
    def loaded_version(self) -> int | None:
        """The version (migration 0022) of the rules ``all_rules`` last returned; None when
        none are loaded. A booking priced from them passes it to ``add_hold``, whose statement
        refuses the hold (``STALE``) if another process has changed the rules since."""
        ...

    def invalidate(self) -> None:
        """Forget the cached rules (this process): the next read loads them again."""
        ...
