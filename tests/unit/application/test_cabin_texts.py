from datetime import time

import pytest

from application.back_office.cabin_texts import GetCabinTexts, UpdateCabinTexts
from domain.errors import AccommodationNotFound
from domain.messaging.cabin_texts import DEFAULT_TEXTS, CabinTexts
from tests.unit.application.fakes import FakeUnitOfWork, FixedClock
from tests.unit.domain.builders import NOW, cabin


async def test_a_cabin_never_edited_has_the_defaults() -> None:
    uow = FakeUnitOfWork([cabin(id=1), cabin(id=2, name="Off", active=False)])
    assert await GetCabinTexts(uow)(1) == DEFAULT_TEXTS
    assert await GetCabinTexts(uow)(2) == DEFAULT_TEXTS  # inactive cabins too
    with pytest.raises(AccommodationNotFound):
        await GetCabinTexts(uow)(9)


async def test_saving_replaces_the_texts_and_is_audited_with_before_and_after() -> None:
    uow = FakeUnitOfWork([cabin(id=1)])
    texts = CabinTexts(address="Ruta 40 km 2010", check_in_time=time(15, 0))
    saved = await UpdateCabinTexts(uow, FixedClock(NOW))(1, texts, "owner@cabanas.ar")
    assert saved == texts
    assert await GetCabinTexts(uow)(1) == texts
    [entry] = uow.audit.entries
    assert (entry.actor, entry.action, entry.target, entry.at) == (
        "owner@cabanas.ar",
        "accommodation.messages.update",
        "1",
        NOW,
    )
    assert entry.before["address"] == ""
    assert entry.before["check_in_time"] == "14:00"
    assert entry.after["address"] == "Ruta 40 km 2010"
    assert entry.after["check_in_time"] == "15:00"


async def test_texts_for_an_unknown_cabin_are_refused_and_nothing_is_written() -> None:
    uow = FakeUnitOfWork([cabin(id=1)])
    with pytest.raises(AccommodationNotFound):
        await UpdateCabinTexts(uow, FixedClock(NOW))(9, DEFAULT_TEXTS, "owner@cabanas.ar")
    assert uow.audit.entries == []
    assert uow.cabin_texts.items == {}
