"""What a guest is told about a cabin beside their booking: its cancellation terms and how to
get there (the owner's texts)."""

from __future__ import annotations

from dataclasses import dataclass

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
