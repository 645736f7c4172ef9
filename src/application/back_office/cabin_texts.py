"""The owner edits each cabin's texts for its scheduled messages (pre-arrival, check-out
reminder, thank-you); audited like every admin write."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWork
from domain.errors import AccommodationNotFound
from domain.messaging.cabin_texts import DEFAULT_TEXTS, CabinTexts


def _snapshot(texts: CabinTexts) -> dict[str, object]:
    data = asdict(texts)
    data["check_in_time"] = f"{texts.check_in_time:%H:%M}"
    data["check_out_time"] = f"{texts.check_out_time:%H:%M}"
    return data


@dataclass(frozen=True, slots=True)
class GetCabinTexts:
    """Rules: any cabin, active or not (404 otherwise); a cabin whose texts were never saved
    answers with the defaults, which are what its guests receive."""

    uow: UnitOfWork

    async def __call__(self, accommodation_id: int) -> CabinTexts:
        async with self.uow:
            if await self.uow.accommodations.get(accommodation_id) is None:
                raise AccommodationNotFound(f"no accommodation with id {accommodation_id}")
            return await self.uow.cabin_texts.get(accommodation_id) or DEFAULT_TEXTS


@dataclass(frozen=True, slots=True)
class UpdateCabinTexts:
    """Rules: the texts replace the cabin's whole set (a valid ``CabinTexts``); the change is
    audited with before and after in the same transaction; unknown cabin → 404."""

    uow: UnitOfWork
    clock: Clock

    async def __call__(self, accommodation_id: int, texts: CabinTexts, actor: str) -> CabinTexts:
        now = self.clock.now()
        async with self.uow:
            if await self.uow.accommodations.get(accommodation_id) is None:
                raise AccommodationNotFound(f"no accommodation with id {accommodation_id}")
            before = await self.uow.cabin_texts.get(accommodation_id) or DEFAULT_TEXTS
            await self.uow.cabin_texts.save(accommodation_id, texts, now)
            await self.uow.audit.record(
                AuditEntry(
                    actor,
                    "accommodation.messages.update",
                    str(accommodation_id),
                    now,
                    before=_snapshot(before),
                    after=_snapshot(texts),
                )
            )
            await self.uow.commit()
        return texts
