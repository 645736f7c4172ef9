"""Manual date blocks: the owner closes nights; they exclude bookings like bookings do."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from application.ports.audit import AuditEntry
from application.ports.back_office import BackOfficeReads
from application.ports.clock import Clock
from application.ports.codes import CodeGenerator
from application.ports.unit_of_work import UnitOfWork
from domain.booking.block import Block
from domain.calendar import local_today
from domain.codes import ReservationCode
from domain.errors import AccommodationNotFound, InvalidValue, NotFound, StayInPast, StayUnavailable
from domain.stay import Stay

MAX_BLOCK_NIGHTS = 366
MAX_BLOCK_REASON = 500


class BlockTooLong(InvalidValue):
    """A block of more than ``MAX_BLOCK_NIGHTS`` nights (a year): its check-out is at fault."""

    code = "block_too_long"
    field = "check_out"


# A block's audit entries are few (made, removed): enough to find who made it.
BLOCK_AUDIT_LIMIT = 20


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
            raise BlockTooLong(f"a block spans at most {MAX_BLOCK_NIGHTS} nights")
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
class BlockDetail:
    block: Block
    cabin_name: str | None
    created_by: str | None  # who made it, from the audit log (None if it does not say)


@dataclass(frozen=True, slots=True)
class GetBlock:
    """Rules: only an active block is found (a removed one is not found, like an unknown
    code); who made it is the actor of its ``block.create`` audit entry."""

    uow: UnitOfWork
    reads: BackOfficeReads

    async def __call__(self, raw_code: str) -> BlockDetail:
        code = _block_code(raw_code)
        async with self.uow:
            block = await self.uow.blocks.get(code)
        if block is None:
            raise BlockNotFound("no active block with that code")
        made = [
            entry.actor
            for entry in await self.reads.audit_of(code.value, BLOCK_AUDIT_LIMIT)
            if entry.action == "block.create"
        ]
        names = await self.reads.cabin_names()
        return BlockDetail(block, names.get(block.accommodation_id), made[0] if made else None)


def _block_code(raw_code: str) -> ReservationCode:
    try:
        return ReservationCode.parse(raw_code)
    except InvalidValue:
        raise BlockNotFound("no active block with that code") from None


@dataclass(frozen=True, slots=True)
class DeleteBlock:
    """Rules: only an active block is removed (else not found); its nights are free at once
    for every channel; audited (``block.delete``); a collision it was in is cleared if it no
    longer holds."""

    uow: UnitOfWork
    clock: Clock

    async def __call__(self, raw_code: str, actor: str) -> Block:
        code = _block_code(raw_code)
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
