"""Each cabin's price rules in memory, read and written inside a unit of work, standing for
the price tables and their constraints (overrides never share nights, season names are unique
per cabin, the cabin must exist)."""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from application.ports.pricing import StoredPrices
from domain.errors import AccommodationNotFound
from domain.payments.cancellation import CancellationPolicy
from domain.pricing import OverlappingPriceRules
from domain.pricing.cabin_rules import NO_RULES, CabinPriceRules

if TYPE_CHECKING:
    from tests.unit.application.fakes import FakeAccommodations


class FakePriceStore:
    """``read`` is the committed rules by cabin; writes are kept only if the unit of work
    commits. ``locked`` lists the cabins read ``for_update``."""

    def __init__(self, accommodations: FakeAccommodations) -> None:
        self._accommodations = accommodations
        self.read: dict[int, StoredPrices] = {}
        self.pending: dict[int, StoredPrices] = {}
        self.locked: list[int] = []

    async def get(self, accommodation_id: int, *, for_update: bool = False) -> StoredPrices:
        if for_update:
            self.locked.append(accommodation_id)
        found = self.pending.get(accommodation_id) or self.read.get(accommodation_id)
        return found or StoredPrices(NO_RULES, None)

    async def replace(
        self,
        accommodation_id: int,
        rules: CabinPriceRules,
        cancellation: CancellationPolicy | None = None,
    ) -> None:
        if await self._accommodations.get(accommodation_id) is None:
            raise AccommodationNotFound(f"no accommodation with id {accommodation_id}")
        nights = sorted((o.first_night, o.last_night) for o in rules.overrides)
        if any(later[0] <= earlier[1] for earlier, later in pairwise(nights)):
            raise OverlappingPriceRules("two date overrides of the cabin share nights")
        names = [s.name for s in rules.seasons]
        if len(set(names)) != len(names):
            raise OverlappingPriceRules("two seasons of the cabin have the same name")
        self.pending[accommodation_id] = StoredPrices(rules, cancellation)

    def commit(self) -> None:
        self.read.update(self.pending)
        self.pending.clear()

    def rollback(self) -> None:
        self.pending.clear()
