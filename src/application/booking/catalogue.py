"""Read the catalogue of accommodations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from application.ports.catalogue import Catalogue
from domain.booking.accommodation import Accommodation
from domain.errors import AccommodationNotFound


@dataclass(frozen=True, slots=True)
class ListAccommodations:
    """Rules: guests see active accommodations only, ordered by id."""

    catalogue: Catalogue

    async def __call__(self) -> Sequence[Accommodation]:
        return await self.catalogue.active()


@dataclass(frozen=True, slots=True)
class GetAccommodation:
    """Rules: an unknown or inactive accommodation is not found for guests."""

    catalogue: Catalogue

    async def __call__(self, accommodation_id: int) -> Accommodation:
        found = await self.catalogue.get_active(accommodation_id)
        if found is None:
            raise AccommodationNotFound(f"no accommodation with id {accommodation_id}")
        return found
