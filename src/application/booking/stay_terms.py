"""What a guest is told about a cabin beside their booking: its cancellation terms and how to
get there (the owner's texts); and, before booking, each offered cabin's cancellation terms."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from application.ports.pricing import PriceRulesRepository
from application.ports.unit_of_work import UnitOfWork
from domain.messaging.cabin_texts import DEFAULT_TEXTS, CabinTexts
from domain.payments.cancellation import CancellationPolicy


@dataclass(frozen=True, slots=True)
class StayTerms:
    cancellation: CancellationPolicy | None
    texts: CabinTexts


@dataclass(frozen=True, slots=True)
class GetStayTerms:
    """Rules:
    - the cancellation policy is the cabin's own (its tiers, most notice first); a cabin
      without one answers None (the page says to ask the owner);
    - the texts are the ones its scheduled messages use: the defaults until the owner saves
      some;
    - both are read in one transaction; whether a guest may see the directions (only once
      the booking is confirmed) is the caller's decision."""

    uow: UnitOfWork

    async def __call__(self, accommodation_id: int) -> StayTerms:
        async with self.uow:
            stored = await self.uow.prices.get(accommodation_id)
            texts = await self.uow.cabin_texts.get(accommodation_id)
        return StayTerms(stored.cancellation, texts or DEFAULT_TEXTS)


@dataclass(frozen=True, slots=True)
class GetCancellationPolicies:
    """Rules:
    - each cabin's own policy, by its id; a cabin without one answers None (the page says to
      ask before paying);
    - read where prices are (the rules' read connection, a replica when there is one): shown
      to a guest choosing a cabin, never used to settle a cancellation."""

    price_rules: PriceRulesRepository

    async def __call__(
        self, accommodation_ids: Iterable[int]
    ) -> dict[int, CancellationPolicy | None]:
        ids = list(accommodation_ids)
        found = await self.price_rules.cancellation_policies(ids) if ids else {}
        return {accommodation_id: found.get(accommodation_id) for accommodation_id in ids}
