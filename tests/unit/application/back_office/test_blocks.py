"""A block's page and its removal: only an active block is found, who made it comes from the
audit log, and removing it frees its nights and is audited like the admin API's delete."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from application.back_office.blocks import BlockNotFound, CreateBlock, DeleteBlock, GetBlock
from application.ports.back_office import AuditRecord
from tests.unit.application.fakes import FakeUnitOfWork, FixedClock, SequenceCodes
from tests.unit.domain.builders import NOW, cabin, stay

CODE = "B10CKB10CKB1"


class AuditReads:
    """The two reads ``GetBlock`` makes, over the fake unit of work's audit entries."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def audit_of(self, target: str, limit: int) -> list[AuditRecord]:
        entries = [e for e in self._uow.audit.entries if e.target == target]
        return [AuditRecord(e.actor, e.action, e.at, e.before, e.after) for e in entries][:limit]

    async def cabin_names(self) -> dict[int, str]:
        return {a.id: a.name for a in self._uow.accommodations.items.values()}


async def _block(uow: FakeUnitOfWork, clock: FixedClock) -> date:
    s = stay(8, 3)
    await CreateBlock(uow, clock, SequenceCodes(CODE))(
        1, s.check_in, s.check_out, " Pintura del deck ", "duena@cabanas.ar"
    )
    return s.check_in


async def test_a_block_is_found_with_its_cabin_reason_and_who_made_it() -> None:
    uow, clock = FakeUnitOfWork([cabin(id=1)]), FixedClock(NOW)
    first = await _block(uow, clock)
    found = await GetBlock(uow, AuditReads(uow))(CODE.lower())  # type: ignore[arg-type]
    assert found.block.stay.check_in == first
    assert found.block.stay.nights == 3
    assert found.block.reason == "Pintura del deck"
    assert found.cabin_name == "Cabaña del Lago"
    assert found.created_by == "duena@cabanas.ar"
    assert isinstance(found.block.created_at, datetime)


async def test_a_removed_or_unknown_block_is_not_found_and_removal_is_audited() -> None:
    uow, clock = FakeUnitOfWork([cabin(id=1)]), FixedClock(NOW)
    await _block(uow, clock)
    removed = await DeleteBlock(uow, clock)(CODE, "equipo@cabanas.ar")
    assert removed.code.value == CODE
    assert uow.blocks.overlapping(1, stay(8, 3)) == []  # its nights are free
    [made, deleted] = uow.audit.entries
    assert (made.action, deleted.action) == ("block.create", "block.delete")
    assert (deleted.actor, deleted.target) == ("equipo@cabanas.ar", CODE)
    reads = AuditReads(uow)
    for code in (CODE, "not a code", "ZZZZZZZZZZZZ"):
        with pytest.raises(BlockNotFound):
            await GetBlock(uow, reads)(code)  # type: ignore[arg-type]
    with pytest.raises(BlockNotFound):
        await DeleteBlock(uow, clock)(CODE, "equipo@cabanas.ar")
