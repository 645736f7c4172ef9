"""Read the catalogue of accommodations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from application.ports.unit_of_work import UnitOfWork
from domain.accommodation import Accommodation
from domain.errors import AccommodationNotFound


@dataclass(frozen=True, slots=True)
class ListAccommodations:
    """Rules: guests see active accommodations only, ordered by id."""

    uow: UnitOfWork

    async def __call__(self) -> Sequence[Accommodation]:
        async with self.uow:
            return await self.uow.accommodations.list(only_active=True)


@dataclass(frozen=True, slots=True)
class GetAccommodation:
    """Rules: an unknown or inactive accommodation is not found for guests."""

    uow: UnitOfWork

    async def __call__(self, accommodation_id: int) -> Accommodation:
        async with self.uow:
            found = await self.uow.accommodations.get(accommodation_id)
        if found is None or not found.active:
            raise AccommodationNotFound(f"no accommodation with id {accommodation_id}")
        return found
