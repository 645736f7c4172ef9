"""Taking a conversation handed over to a person: only one still waiting, audited with who
took it, answered with where to write from."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.conversation.handovers import TakeHandover
from domain.errors import NotFound
from tests.unit.application.fakes import FakeConversationStore, FakeUnitOfWork, FixedClock


def setup() -> tuple[TakeHandover, FakeConversationStore, FakeUnitOfWork, FixedClock]:
    store = FakeConversationStore()
    uow = FakeUnitOfWork([])
    clock = store.clock
    return TakeHandover(store, uow, clock), store, uow, clock


async def test_a_waiting_conversation_is_taken_and_audited_without_the_whole_phone() -> None:
    take, store, uow, clock = setup()
    store.paused_until["5491155551234"] = clock.now() + timedelta(hours=2)
    taken = await take("+54 9 11 5555-1234", "duena@cabanas.ar")
    assert taken.phone == "5491155551234"
    assert taken.whatsapp_link == "https://wa.me/5491155551234"
    assert taken.until == clock.now() + timedelta(hours=2)
    [entry] = uow.audit.entries
    assert (entry.actor, entry.action, entry.target) == (
        "duena@cabanas.ar",
        "conversation.take",
        "whatsapp:1234",
    )
    assert entry.at == clock.now()
    # Taking it does not give it back: the assistant stays silent there.
    assert [h.phone for h in await store.handovers()] == ["5491155551234"]


@pytest.mark.parametrize("phone", ["5491166660000", "", "sin número"])
async def test_only_a_conversation_still_waiting_can_be_taken(phone: str) -> None:
    take, store, uow, clock = setup()
    store.paused_until["5491155551234"] = clock.now() + timedelta(hours=2)
    store.paused_until["5491166660000"] = clock.now() - timedelta(minutes=1)  # ran out
    with pytest.raises(NotFound):
        await take(phone, "duena@cabanas.ar")
    assert uow.audit.entries == []
