"""Messages WhatsApp delivers out of order, with in-memory fakes: each carries when the guest
sent it (``timestamp``), and one older than the last handled must not derail the conversation
(docs/architecture.md, "Messages out of order")."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from application.conversation.turn import InboundMessage
from application.messaging import texts
from domain.booking.reservation import ReservationStatus
from domain.conversation.state import Step
from tests.unit.application.conversation.harness import (
    CODE,
    CODE_DISPLAY,
    LAGO_FINDE,
    PHONE,
    Bot,
    Sent,
)
from tests.unit.domain.builders import NOW

T = NOW - timedelta(seconds=5)  # when the guest sent the later message
EARLIER = T - timedelta(seconds=30)
QUESTION = "hola, tienen lugar para 4 el finde largo?"


def texts_of(replies: list[Sent]) -> list[str]:
    return [reply.text for reply in replies]


async def test_a_choice_delivered_after_the_name_still_holds_under_that_name() -> None:
    """Review: "1" (T−30 s) delivered after "Pedro Gómez" (T), at the cabin list: the name got
    "Perdón, no te entendimos" and the late "1" asked for the name again."""
    bot = Bot()
    await bot.send(QUESTION, sent_at=T - timedelta(minutes=1))
    named = await bot.send("Pedro Gómez", sent_at=T)
    chosen = await bot.send("1", sent_at=EARLIER)
    said = texts_of(named + chosen)
    assert not any(texts.CONV_NOT_UNDERSTOOD in text for text in said), said
    assert not any("A nombre de quién" in text for text in said), said
    assert named[0].text == (
        "¡Gracias, Pedro! Te la reservamos a ese nombre apenas elijas la cabaña: elegí un número "
        "del 1 al 2, porfa."
    )
    [held] = chosen
    assert held.text.startswith("¡Listo, Pedro! 🙌 Te reservamos Cabaña del Lago del 04/12 al")
    [reservation] = bot.reservations()
    assert reservation.guest.name == "Pedro Gómez"
    assert reservation.status is ReservationStatus.PRE_RESERVED
    assert bot.state().step is Step.IDLE


async def test_a_name_written_at_the_list_is_used_for_the_cabin_chosen_next() -> None:
    """In order too: the name given while the list waits is for this booking."""
    bot = Bot()
    await bot.send(QUESTION)
    await bot.send("Pedro Gómez")
    [held] = await bot.send("Cabaña del Lago", button=LAGO_FINDE)
    assert held.text.startswith("¡Listo, Pedro! 🙌 Te reservamos Cabaña del Lago")
    assert bot.reservations()[0].guest.name == "Pedro Gómez"
    # A new search forgets that the name was given for that list: it is proposed, not used.
    await bot.send("y del 15 al 18 de diciembre para 2?")
    [ask] = await bot.send("1")
    assert ask.text == texts.conv_confirm_name(
        "Cabaña del Lago",
        NOW.date().replace(day=15),
        NOW.date().replace(day=18),
        "Pedro Gómez",
        NOW.date(),
    )


@pytest.mark.parametrize("late", ["1", "la 2", "Cabaña del Lago", "hola", "del 5 al 8"])
async def test_a_late_message_the_conversation_moved_past_is_ignored_silently(
    late: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The hold was placed by the later message ("Juana Pérez"): the earlier one, delivered
    after it, is no answer to anything now. Answering it would restart a search or say "no
    te entendimos"."""
    bot = Bot()
    await bot.send(QUESTION, sent_at=T - timedelta(minutes=2))
    await bot.send("1", sent_at=T - timedelta(minutes=1))
    [held] = await bot.send("Juana Pérez", sent_at=T)
    assert held.text.startswith("¡Listo, Juana!")
    before = bot.state()
    with caplog.at_level(logging.INFO, logger="cabanas.conversation"):
        assert await bot.send(late, sent_at=EARLIER) == []
    assert bot.alerts() == []
    assert bot.state() == before
    assert len(bot.reservations()) == 1
    [record] = [r for r in caplog.records if r.message == "conversation_late_message_ignored"]
    # What step, how late, what kind: no phone, no text.
    assert (record.step, record.late_by_s, record.kind) == ("idle", 30, "text")
    assert PHONE not in str(vars(record))
    assert not {"phone", "text", "guest"} & set(vars(record))


async def test_a_late_choice_after_a_newer_one_does_not_replace_it() -> None:
    bot = Bot()
    await bot.send(QUESTION, sent_at=T - timedelta(minutes=1))
    [ask] = await bot.send("la 2", sent_at=T)  # Los Alerces
    assert "Cabaña Familiar Los Alerces" in ask.text
    assert await bot.send("la 1", sent_at=EARLIER) == []
    assert bot.state().step is Step.NAME
    assert bot.state().chosen.name == "Cabaña Familiar Los Alerces"


async def test_a_late_message_that_still_answers_the_question_is_answered() -> None:
    bot = Bot()
    [ask] = await bot.send("del 15 al 18 de diciembre", sent_at=T)
    assert ask.text == texts.CONV_ASK_GUESTS
    [options] = await bot.send("somos 2", sent_at=EARLIER)
    assert options.text.startswith("Para 2 personas, del 15/12 al 18/12, tenemos:")
    assert bot.state().last_message_at == T  # never moved back by a late message


async def test_a_late_request_for_a_person_or_a_status_is_still_answered() -> None:
    bot = Bot()
    await bot.hold_lago()
    await bot.send("gracias!", sent_at=T)
    [status] = await bot.send("mi reserva", sent_at=EARLIER)
    assert status.text.startswith(f"Tu pre-reserva {CODE_DISPLAY}")
    [handed] = await bot.send("quiero hablar con una persona", sent_at=EARLIER)
    assert handed.text == texts.CONV_HANDOVER
    assert bot.state().step is Step.HANDED_OVER


async def test_a_late_tap_is_taken_only_while_it_answers_the_question() -> None:
    bot = Bot()
    await bot.hold_lago()
    await bot.send("cancelar", sent_at=T - timedelta(minutes=1))
    [kept] = await bot.send("no", sent_at=T)
    assert kept.text == texts.conv_kept(CODE_DISPLAY)
    # The "Sí, cancelar" tapped before that "no", delivered after it: the guest's last word
    # was to keep it.
    assert await bot.send("Sí, cancelar", button=f"cancel:{CODE}", sent_at=EARLIER) == []
    assert bot.reservations()[0].status is ReservationStatus.PRE_RESERVED
    await bot.send("cancelar", sent_at=T + timedelta(seconds=10))
    [done] = await bot.send("Sí, cancelar", button=f"cancel:{CODE}", sent_at=T)
    assert done.text == texts.conv_cancelled(CODE_DISPLAY)


async def test_a_message_from_the_future_or_a_state_without_a_time_makes_nothing_late() -> None:
    bot = Bot()
    await bot.send(QUESTION, sent_at=NOW + timedelta(days=1))  # a phone's clock ahead: now
    assert bot.state().last_message_at == NOW
    # A state saved before this release: no time kept, so nothing is late against it.
    bot.store.states[PHONE] = replace(bot.state(), last_message_at=None)
    [welcome] = await bot.send("hola", sent_at=NOW - timedelta(hours=1))
    assert welcome.text == texts.CONV_WELCOME
    assert bot.state().last_message_at == NOW - timedelta(hours=1)


def test_the_time_a_message_was_sent_is_read_from_its_timestamp() -> None:
    payload = {"id": "wamid.1", "from": PHONE, "message_type": "text", "text": "hola"}
    sent = InboundMessage.from_payload({**payload, "timestamp": "1796137200"})
    assert sent.sent_at == datetime(2026, 12, 1, 15, tzinfo=UTC)
    for unreadable in ("", "mañana", "1e999", None):
        assert InboundMessage.from_payload({**payload, "timestamp": unreadable}).sent_at is None
    assert InboundMessage.from_payload(payload).sent_at is None
