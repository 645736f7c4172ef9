"""Manual date blocks: the owner closes nights; they exclude bookings like bookings do."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.codes import CodeGenerator
from application.ports.unit_of_work import UnitOfWork
from domain.booking.block import Block
from domain.calendar import local_today
from domain.codes import ReservationCode
from domain.errors import AccommodationNotFound, InvalidValue, NotFound, StayInPast, StayUnavailable
from domain.stay import Stay

MAX_BLOCK_NIGHTS = 366


class BlockNotFound(NotFound):
    code = "block_not_found"


@dataclass(frozen=True, slots=True)
class CreateBlock:
    """Rules: the cabin exists; the stay is well formed, ends after today (Argentina) and spans
    at most a year; it may not overlap an active booking or block (409) — lapsed holds never
    block it. Audited."""

    uow: UnitOfWork
    clock: Clock
    codes: CodeGenerator

    async def __call__(
        self, accommodation_id: int, check_in: date, check_out: date, reason: str, actor: str
    ) -> Block:
        stay = Stay(check_in, check_out)
        now = self.clock.now()
        if stay.check_out <= local_today(now):
            raise StayInPast("a block must end after today")
        if stay.nights > MAX_BLOCK_NIGHTS:
            raise InvalidValue(f"a block spans at most {MAX_BLOCK_NIGHTS} nights")
        block = Block(self.codes.new_code(), accommodation_id, stay, reason.strip(), now)
        async with self.uow:
            if await self.uow.accommodations.get(accommodation_id) is None:
                raise AccommodationNotFound(f"no accommodation with id {accommodation_id}")
            if not await self.uow.blocks.add(block, now):
                raise StayUnavailable(
                    "those nights overlap a booking, a hold or another block; "
                    "cancel it first or pick other dates"
                )
            await self.uow.audit.record(
                AuditEntry(
                    actor=actor,
                    action="block.create",
                    target=block.code.value,
                    at=now,
                    after={
                        "accommodation_id": accommodation_id,
                        "check_in": check_in.isoformat(),
                        "check_out": check_out.isoformat(),
                        "reason": block.reason,
                    },
                )
            )
            await self.uow.commit()
        return block


@dataclass(frozen=True, slots=True)
class DeleteBlock:
    uow: UnitOfWork
    clock: Clock

    async def __call__(self, raw_code: str, actor: str) -> Block:
        try:
            code = ReservationCode.parse(raw_code)
        except InvalidValue:
            raise BlockNotFound("no active block with that code") from None
        now = self.clock.now()
        async with self.uow:
            removed = await self.uow.blocks.remove(code, now)
            if removed is None:
                raise BlockNotFound("no active block with that code")
            await self.uow.audit.record(
                AuditEntry(
                    actor=actor,
                    action="block.delete",
                    target=code.value,
                    at=now,
                    before={
                        "accommodation_id": removed.accommodation_id,
                        "check_in": removed.stay.check_in.isoformat(),
                        "check_out": removed.stay.check_out.isoformat(),
                    },
                )
            )
            await self.uow.feeds.clear_conflicts(now)  # a collision it was in may be gone
            await self.uow.commit()
        return removed


@dataclass(frozen=True, slots=True)
class ListBlocks:
    uow: UnitOfWork
    clock: Clock

    async def __call__(self, accommodation_id: int | None) -> Sequence[Block]:
        async with self.uow:
            return await self.uow.blocks.list_active(
                accommodation_id, local_today(self.clock.now())
            )
