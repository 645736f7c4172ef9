"""The assistant around the booking path, with in-memory fakes: status, cancellation, handing
over to the owner, media, misunderstandings, stale state, and crash safety."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from application.conversation.converse import (
    CONVERSATION_TTL,
    HANDOVER_PAUSE,
    ConversationSetup,
)
from application.messaging import texts
from application.ports.idempotency import WHATSAPP
from application.ports.outbox import OwnerAlert, WhatsAppMessage
from application.ports.pricing import StoredPrices
from domain.booking.reservation import ReservationStatus
from domain.conversation.state import ConversationState, Step
from domain.money import Money
from domain.payments.cancellation import CancellationPolicy, CancellationTier, Outcome
from domain.payments.ledger import MoneyIn, MoneyOut, PaymentMethod
from domain.pricing.cabin_rules import NO_RULES
from tests.money_text import PESO
from tests.unit.application.conversation.harness import (
    CODE,
    CODE_DISPLAY,
    LAGO_FINDE,
    PHONE,
    Bot,
)
from tests.unit.domain.builders import NOW

OTHER_PHONE = "5491166667777"


async def test_a_greeting_gets_the_welcome_and_the_menu_buttons() -> None:
    bot = Bot()
    [welcome] = await bot.send("holaa buenas tardes!")
    assert welcome.text == texts.CONV_WELCOME
    assert welcome.buttons == [("menu:status", "Mi reserva"), ("menu:human", "Hablar con alguien")]
    [thanks] = await bot.send("muchas gracias!")
    assert thanks.text == texts.CONV_THANKS
    [info] = await bot.send("como funciona esto?")
    assert info.text == texts.CONV_HELP
    assert bot.store.ttls[PHONE] == CONVERSATION_TTL


async def test_my_reservation_by_phone_and_by_code() -> None:
    bot = Bot()
    await bot.hold_lago()
    expected = (
        f"Tu pre-reserva {CODE_DISPLAY} en Cabaña del Lago del 04/12 al 08/12 está esperando "
        f"la seña de {PESO}150.000 hasta las 12:30."
    )
    [status] = await bot.send("mi reserva")
    assert status.text == expected
    [status] = await bot.send("Mi reserva", button="menu:status")
    assert status.text == expected
    # By code, from any phone (as GET /reservations/{code}): status only, no personal data.
    [status] = await bot.send(
        f"hola, como va la reserva {CODE_DISPLAY.lower()}?", phone=OTHER_PHONE
    )
    assert status.text == expected
    bot.clock.current = NOW + timedelta(minutes=31)
    [status] = await bot.send("mi reserva")
    assert status.text == texts.conv_status_expired(CODE_DISPLAY)
    assert status.page is None  # nothing to pay or to see there any more


async def test_the_hold_and_the_status_link_to_the_guests_page() -> None:
    """Review L1: the guest's /r/{code} page (terms, how to get there) was never linked."""
    bot = Bot()
    [held] = await bot.hold_lago()
    assert held.page == f"/r/{CODE}"
    [status] = await bot.send("mi reserva")
    assert status.page == f"/r/{CODE}"
    bot.uow.reservations.committed[CODE].confirm(NOW)
    [status] = await bot.send("mi reserva")
    assert status.page == f"/r/{CODE}"


async def test_my_reservation_next_year_names_its_year() -> None:
    """ "mi reserva" and the cancel question said "del 08/01 al 11/01" for a stay in 2027."""
    bot = Bot()
    await bot.send("somos 2 del 8 al 11 de enero")
    await bot.send("1")
    await bot.send("Juana Pérez")
    stay = "en Cabaña del Lago del 08/01/2027 al 11/01/2027"
    [status] = await bot.send("mi reserva")
    assert status.text.startswith(f"Tu pre-reserva {CODE_DISPLAY} {stay} está esperando")
    [ask] = await bot.send("cancelar")
    assert ask.text.startswith(f"¿Cancelamos la pre-reserva {CODE_DISPLAY} {stay}?")
    await bot.send("no")
    bot.uow.reservations.committed[CODE].confirm(NOW)
    [status] = await bot.send("mi reserva")
    assert status.text.startswith(f"Tu reserva {CODE_DISPLAY} {stay} está confirmada")


async def test_my_reservation_when_there_is_none() -> None:
    bot = Bot()
    [reply] = await bot.send("mi reserva")
    assert reply.text == texts.CONV_NO_RESERVATION
    [reply] = await bot.send("mi reserva es ABCD-EFGH-JKMN")
    assert reply.text == texts.conv_unknown_code("ABCD-EFGH-JKMN")


async def test_a_hold_is_cancelled_only_after_a_yes() -> None:
    bot = Bot()
    await bot.hold_lago()
    [ask] = await bot.send("necesito cancelar la reserva")
    assert ask.buttons == [(f"cancel:{CODE}", "Sí, cancelar"), (f"keep:{CODE}", "No, mantenerla")]
    assert bot.state().step is Step.CANCELLING
    [kept] = await bot.send("No, mantenerla", button=f"keep:{CODE}")
    assert kept.text == texts.conv_kept(CODE_DISPLAY)
    assert bot.reservations()[0].status is ReservationStatus.PRE_RESERVED

    await bot.send("cancelar")
    [done] = await bot.send("si")
    assert done.text == texts.conv_cancelled(CODE_DISPLAY)
    assert bot.reservations()[0].status is ReservationStatus.CANCELLED
    [entry] = bot.uow.audit.entries
    assert entry.actor == "guest:whatsapp"
    assert entry.action == "reservation.cancel"
    # The button tapped again (or the message processed twice): the same answer, no error.
    [again] = await bot.send("Sí, cancelar", button=f"cancel:{CODE}")
    assert again.text == texts.conv_cancelled(CODE_DISPLAY)


def paid_booking(bot: Bot, amount: str = "150000") -> None:
    """The hold confirmed with its deposit in the ledger, as a Mercado Pago payment does."""
    bot.uow.reservations.committed[CODE].confirm(NOW)
    payment = MoneyIn("mp-1", PaymentMethod.MERCADOPAGO, Money.of(amount), NOW.date(), "mp")
    bot.uow.ledger.committed.append((CODE, "payment", payment))


def lago_tiers(bot: Bot, *tiers: CancellationTier) -> None:
    bot.uow.prices.read[1] = StoredPrices(NO_RULES, CancellationPolicy(tiers))


async def test_cancelling_a_confirmed_booking_first_says_what_comes_back_and_asks() -> None:
    """Review L2: "cancelar" on a confirmed booking was escalated at once, without the terms;
    a guest asking about cancelling had already asked to cancel."""
    bot = Bot()
    await bot.hold_lago()
    paid_booking(bot)
    lago_tiers(bot, CancellationTier(2, Decimal(50)))  # 04/12 is 3 days away
    [question] = await bot.send("cancelar")
    assert question.text == (
        f"Tu reserva {CODE_DISPLAY} en Cabaña del Lago del 04/12 al 08/12 está confirmada. "
        f"Si la cancelás hoy, te devolvemos {PESO}75.000 de los {PESO}150.000 que pagaste. "
        "¿Querés que la cancelemos?"
    )
    assert question.buttons == [
        (f"cancel:{CODE}", "Sí, cancelar"),
        (f"keep:{CODE}", "No, mantenerla"),
    ]
    assert question.page == f"/r/{CODE}"
    assert bot.alerts() == []
    assert bot.state().step is Step.CANCELLING
    [kept] = await bot.send("no")
    assert kept.text == texts.conv_kept(CODE_DISPLAY)
    assert bot.alerts() == []
    assert bot.reservations()[0].status is ReservationStatus.CONFIRMED


async def test_a_yes_hands_the_confirmed_booking_over_with_an_alert_naming_only_the_code() -> None:
    bot = Bot()
    await bot.hold_lago()
    paid_booking(bot)
    await bot.send("cancelar")
    [told] = await bot.send("si")
    assert told.text == texts.conv_cancel_confirmed_booking(CODE_DISPLAY)
    [alert] = bot.uow.outbox.sent(OwnerAlert)
    assert alert.text.startswith(
        f"❗ El huésped de la reserva confirmada {CODE_DISPLAY} pide cancelarla por WhatsApp. "
    )
    assert alert.link == f"/panel/reservas/{CODE}"  # where the owner cancels and refunds
    assert "1155551234" not in alert.text
    assert "Juana" not in alert.text
    assert bot.state().step is Step.HANDED_OVER
    assert bot.store.ttls[PHONE] == HANDOVER_PAUSE
    assert bot.reservations()[0].status is ReservationStatus.CONFIRMED


@pytest.mark.parametrize(
    ("tiers", "guest", "owner"),
    [
        (
            (CancellationTier(2, Decimal(50)),),
            f"te devolvemos {PESO}75.000 de los {PESO}150.000 que pagaste",
            "Cancelándola hoy (faltan 3 días para la llegada), la política de la cabaña le "
            f"devuelve {PESO}75.000 de los {PESO}150.000 pagados.",
        ),
        (
            (CancellationTier(2, Decimal(100)),),
            f"te devolvemos todo lo que pagaste ({PESO}150.000)",
            "Cancelándola hoy (faltan 3 días para la llegada), la política de la cabaña le "
            f"devuelve todo lo pagado ({PESO}150.000).",
        ),
        (
            (CancellationTier(2, Decimal(80), Outcome.CREDIT, credit_valid_days=180),),
            f"te quedan {PESO}120.000 de los {PESO}150.000 que pagaste como crédito para otra "
            "fecha, válido por 180 días",
            "Cancelándola hoy (faltan 3 días para la llegada), la política de la cabaña le deja "
            f"un crédito de {PESO}120.000 de los {PESO}150.000 pagados, válido por 180 días.",
        ),
        (
            (CancellationTier(2, Decimal(100), Outcome.CREDIT),),
            f"te quedan {PESO}150.000 de los {PESO}150.000 que pagaste como crédito para otra "
            "fecha.",
            "Cancelándola hoy (faltan 3 días para la llegada), la política de la cabaña le deja "
            f"un crédito de {PESO}150.000 de los {PESO}150.000 pagados, sin vencimiento.",
        ),
        (
            (CancellationTier(30, Decimal(100)),),
            f"no hay devolución de los {PESO}150.000 que pagaste",
            "Cancelándola hoy (faltan 3 días para la llegada), la política de la cabaña no le "
            f"devuelve nada de los {PESO}150.000 pagados.",
        ),
        (
            (),
            f"qué se devuelve de los {PESO}150.000 que pagaste lo ve una persona del equipo",
            f"La cabaña no tiene política de cancelación cargada: pagó {PESO}150.000 y qué se le "
            "devuelve lo decidís vos.",
        ),
    ],
)
async def test_the_owners_alert_says_what_the_policy_returns(
    tiers: tuple[CancellationTier, ...], guest: str, owner: str
) -> None:
    """Review: the owner's alert for a cancel request named only the code; they had to work
    out what the policy gives back. It says it now, with the figures the guest was shown."""
    bot = Bot()
    await bot.hold_lago()
    paid_booking(bot)
    if tiers:
        lago_tiers(bot, *tiers)
    [question] = await bot.send("cancelar")
    assert guest in question.text
    await bot.send("si")
    [alert] = bot.uow.outbox.sent(OwnerAlert)
    assert alert.text == (
        f"❗ El huésped de la reserva confirmada {CODE_DISPLAY} pide cancelarla por WhatsApp. "
        f"{owner}"
    )
    assert alert.link == f"/panel/reservas/{CODE}"
    assert "\n" not in alert.text  # a template parameter: one line


async def test_the_owners_alert_is_evaluated_when_the_guest_says_yes() -> None:
    """The button still works a day later: the alert says what cancelling returns then."""
    bot = Bot()
    await bot.hold_lago()
    paid_booking(bot)
    lago_tiers(
        bot,
        CancellationTier(3, Decimal(100)),
        CancellationTier(1, Decimal(50), Outcome.CREDIT, credit_valid_days=90),
    )
    [question] = await bot.send("cancelar")
    assert f"te devolvemos todo lo que pagaste ({PESO}150.000)" in question.text
    bot.clock.current = NOW + timedelta(days=1)  # Wednesday 2: two days' notice
    await bot.send("Sí, cancelar", button=f"cancel:{CODE}")
    [alert] = bot.alerts()
    assert alert.endswith(
        "Cancelándola hoy (faltan 2 días para la llegada), la política de la cabaña le deja un "
        f"crédito de {PESO}75.000 de los {PESO}150.000 pagados, válido por 90 días."
    )


async def test_a_refund_already_given_is_not_offered_again() -> None:
    """What is at stake is what the booking can still give back (``returnable``)."""
    bot = Bot()
    await bot.hold_lago()
    paid_booking(bot)
    lago_tiers(bot, CancellationTier(2, Decimal(100)))
    refund = MoneyOut("r-1", Money.of("50000"), NOW.date(), "owner")
    bot.uow.ledger.committed.append((CODE, "refund", refund))
    [question] = await bot.send("cancelar")
    assert f"te devolvemos todo lo que pagaste ({PESO}100.000)" in question.text
    await bot.send("si")
    [alert] = bot.alerts()
    assert alert.endswith(f"le devuelve todo lo pagado ({PESO}100.000).")


async def test_a_booking_confirmed_without_its_payment_recorded_is_not_nothing_paid() -> None:
    bot = Bot()
    await bot.hold_lago()
    bot.uow.reservations.committed[CODE].confirm(NOW)  # on the owner's word: no amount
    lago_tiers(bot, CancellationTier(2, Decimal(100)))
    [question] = await bot.send("cancelar")
    assert texts.CONV_CANCEL_PAYMENTS_UNKNOWN in question.text
    await bot.send("si")
    [alert] = bot.alerts()
    assert alert.endswith(texts.ADMIN_CANCEL_PAYMENTS_UNKNOWN)


@pytest.mark.parametrize(
    ("tiers", "outcome"),
    [
        (
            (CancellationTier(2, Decimal(100), Outcome.CREDIT, credit_valid_days=180),),
            f"Si la cancelás hoy, te quedan {PESO}150.000 de los {PESO}150.000 que pagaste como "
            "crédito para otra fecha, válido por 180 días.",
        ),
        (
            (CancellationTier(2, Decimal(100)),),
            f"Si la cancelás hoy, te devolvemos todo lo que pagaste ({PESO}150.000).",
        ),
        (
            (CancellationTier(30, Decimal(100)),),
            f"Si la cancelás hoy, no hay devolución de los {PESO}150.000 que pagaste.",
        ),
        ((), texts.conv_cancel_outcome_without_policy(Money.of("150000"))),
    ],
)
async def test_what_cancelling_returns_follows_the_cabins_policy(
    tiers: tuple[CancellationTier, ...], outcome: str
) -> None:
    bot = Bot()
    await bot.hold_lago()
    paid_booking(bot)
    if tiers:
        lago_tiers(bot, *tiers)
    [question] = await bot.send("quiero cancelar la reserva")
    assert f"está confirmada. {outcome} ¿Querés que la cancelemos?" in question.text


async def test_with_two_bookings_the_guest_is_asked_which_to_cancel() -> None:
    """Review L2: with two holds, "cancelar" proposed only the latest."""
    bot = Bot(codes=(CODE, "ABCDEFGHJKMN"))
    await bot.hold_lago()
    paid_booking(bot)
    await bot.send("y del 15 al 18 de diciembre para 2?")
    await bot.send("1")
    await bot.send("sí")  # the name we remember
    [which] = await bot.send("cancelar")
    assert which.text == (
        "Tenés 2 reservas desde este número:\n"
        f"1. {CODE_DISPLAY}: reserva confirmada en Cabaña del Lago del 04/12 al 08/12\n"
        "2. ABCD-EFGH-JKMN: pre-reserva sin pagar en Cabaña del Lago del 15/12 al 18/12\n"
        "¿Cuál querés cancelar? Tocá su código o respondé con su número."
    )
    assert which.buttons == [
        (f"cancelwhich:{CODE}", CODE_DISPLAY),
        ("cancelwhich:ABCDEFGHJKMN", "ABCD-EFGH-JKMN"),
    ]
    [ask] = await bot.send("ABCD-EFGH-JKMN", button="cancelwhich:ABCDEFGHJKMN")
    assert ask.text.startswith("¿Cancelamos la pre-reserva ABCD-EFGH-JKMN en Cabaña del Lago")
    [done] = await bot.send("si")
    assert done.text == texts.conv_cancelled("ABCD-EFGH-JKMN")
    # Typed with its code, the other one goes straight to its question.
    [question] = await bot.send(f"cancelar {CODE_DISPLAY}")
    assert question.text.startswith(f"Tu reserva {CODE_DISPLAY} en Cabaña del Lago")


async def test_a_hold_paid_between_the_question_and_the_yes_is_handed_over() -> None:
    bot = Bot()
    await bot.hold_lago()
    await bot.send("cancelar")
    bot.uow.reservations.committed[CODE].confirm(NOW)
    [told] = await bot.send("si")
    assert told.text == texts.conv_cancel_confirmed_booking(CODE_DISPLAY)
    [alert] = bot.alerts()
    assert alert == texts.admin_cancel_request(CODE_DISPLAY, texts.ADMIN_CANCEL_PAYMENTS_UNKNOWN)


async def test_only_the_phone_that_booked_can_cancel_and_a_lapsed_hold_needs_nothing() -> None:
    bot = Bot()
    await bot.hold_lago()
    [refused] = await bot.send(f"cancelar {CODE_DISPLAY}", phone=OTHER_PHONE)
    assert refused.text == texts.CONV_CANCEL_OTHER_PHONE
    bot.clock.current = NOW + timedelta(hours=1)
    [reply] = await bot.send("cancelar")
    assert reply.text == texts.conv_not_cancellable(CODE_DISPLAY)
    assert bot.uow.audit.entries == []


async def test_asking_for_a_person_hands_over_and_silences_the_assistant() -> None:
    bot = Bot()
    [told] = await bot.send("me pasas con una persona?")
    assert told.text == texts.CONV_HANDOVER
    assert bot.alerts() == [texts.admin_guest_wants_person(PHONE)]
    assert bot.store.ttls[PHONE] == HANDOVER_PAUSE
    # Review L6: "hola? hay alguien?" got no reply at all for 2 hours. The first message after
    # the handover is acknowledged once; the next ones wait for the person.
    bot.clock.current += timedelta(minutes=30)
    [waiting] = await bot.send("hola? hay alguien?")
    assert waiting.text == texts.CONV_HANDOVER_WAITING
    assert bot.alerts() == []
    assert await bot.send("hola? tienen lugar para 2 el finde?") == []
    assert await bot.send(kind="image") == []
    assert bot.alerts() == []
    [told] = await bot.send("hola", phone=OTHER_PHONE)  # another guest: business as usual
    assert told.text == texts.CONV_WELCOME
    # The pause is not extended by the guest writing again: it ends when it was to end.
    assert bot.store.ttls[PHONE] == HANDOVER_PAUSE - timedelta(minutes=30)
    assert bot.store.paused_until[PHONE] == NOW + HANDOVER_PAUSE
    bot.clock.current = NOW + HANDOVER_PAUSE
    bot.store.states.pop(PHONE)  # the pause ran out (the store's TTL)
    [welcome] = await bot.send("hola")
    assert welcome.text == texts.CONV_WELCOME


async def test_the_menu_button_hands_over_too() -> None:
    bot = Bot()
    [told] = await bot.send("Hablar con alguien", button="menu:human")
    assert told.text == texts.CONV_HANDOVER


async def test_repeated_misunderstandings_hand_over() -> None:
    bot = Bot()
    [first] = await bot.send("asdf qwerty")
    assert first.text == texts.CONV_FALLBACK
    assert first.buttons[1] == ("menu:human", "Hablar con alguien")
    await bot.send("zzz")
    [told] = await bot.send("???")
    assert told.text == texts.CONV_HANDOVER_MISUNDERSTOOD
    assert bot.alerts() == [texts.admin_guest_misunderstood(PHONE)]


async def test_an_understood_message_resets_the_misunderstandings() -> None:
    bot = Bot()
    await bot.send("asdf")
    await bot.send("zzz")
    await bot.send("hola")
    [reply] = await bot.send("qwerty")
    assert reply.text == texts.CONV_FALLBACK
    assert bot.state().misunderstood == 1


async def test_a_pending_question_is_asked_again_when_not_understood() -> None:
    bot = Bot()
    await bot.send("el finde largo")
    [reply] = await bot.send("jajaja")
    assert reply.text == f"{texts.CONV_NOT_UNDERSTOOD} {texts.CONV_ASK_GUESTS}"


@pytest.mark.parametrize(
    ("kind", "reply"),
    [
        ("audio", texts.CONV_MEDIA),
        ("image", texts.CONV_MEDIA),
        ("video", texts.CONV_MEDIA),
        ("document", texts.CONV_MEDIA),
        ("sticker", texts.CONV_STICKER),
        ("location", texts.CONV_LOCATION),
    ],
)
async def test_media_gets_a_friendly_request_to_write(kind: str, reply: str) -> None:
    """Review L5: a sticker or a location got "no podemos escuchar audios ni ver fotos"."""
    bot = Bot()
    await bot.send("el finde largo")
    [answer] = await bot.send(kind=kind)
    assert answer.text == reply
    assert bot.state().step is Step.GUESTS  # the question still stands


async def test_a_burst_of_media_gets_one_reply() -> None:
    """Review L5: three photos in a row got three identical replies."""
    bot = Bot()
    [note] = await bot.send(kind="image", media=("m1", "image/jpeg"))
    assert note.text == texts.CONV_MEDIA
    bot.clock.current += timedelta(seconds=20)
    assert await bot.send(kind="image", media=("m2", "image/jpeg")) == []
    bot.clock.current += timedelta(minutes=1)
    assert await bot.send(kind="audio") == []
    assert await bot.send(kind="sticker") == []
    assert all(row["processed"] for row in bot.uow.idempotency.committed.values())
    [other] = await bot.send(kind="image", phone=OTHER_PHONE)  # per conversation
    assert other.text == texts.CONV_MEDIA
    # A while later (the clock's), a photo is answered again.
    bot.clock.current += ConversationSetup().media_note_quiet
    [again] = await bot.send(kind="image")
    assert again.text == texts.CONV_MEDIA
    # Written messages in between are answered as ever.
    [welcome] = await bot.send("hola")
    assert welcome.text == texts.CONV_WELCOME


async def test_a_reaction_needs_no_answer_but_is_processed() -> None:
    bot = Bot()
    assert await bot.send(kind="reaction") == []
    assert all(row["processed"] for row in bot.uow.idempotency.committed.values())


@pytest.mark.parametrize("answer", ["la 2", "si", "ninguna"])
async def test_an_answer_to_a_forgotten_question_restarts_politely(answer: str) -> None:
    bot = Bot()
    [reply] = await bot.send(answer)
    assert reply.text == texts.CONV_RESTART
    assert bot.state().step is Step.DATES


async def test_an_old_option_button_still_books_after_the_state_expired() -> None:
    bot = Bot()
    await bot.send("hola, tienen lugar para 4 el finde largo?")
    bot.store.states.clear()  # 30 minutes later
    [ask] = await bot.send("Cabaña del Lago", button=LAGO_FINDE)
    assert ask.text.startswith("¡Buenísimo! Cabaña del Lago, del 04/12 al 08/12.")


async def test_a_redelivered_message_is_not_answered_twice() -> None:
    bot = Bot()
    payload = {
        "type": "message",
        "id": "wamid.SAME",
        "from": PHONE,
        "name": None,
        "message_type": "text",
        "text": "hola",
    }
    key = await bot.record(payload)
    assert await bot.process(WHATSAPP, key) is True
    assert await bot.process(WHATSAPP, key) is False
    assert len(bot.replies()) == 1


async def test_a_crash_after_the_hold_never_holds_twice_nor_loses_the_reply() -> None:
    bot = Bot()
    await bot.send("hola, tienen lugar para 4 el finde largo?")
    await bot.send("1")
    payload = {
        "type": "message",
        "id": "wamid.CRASH",
        "from": PHONE,
        "name": "Juana",
        "message_type": "text",
        "text": "Juana Pérez",
    }
    key = await bot.record(payload)
    bot.uow.outbox.crash_on = WhatsAppMessage  # the hold is committed; the reply is not
    # The crash is caught, counted and left for the worker (never a stalled queue).
    assert await bot.process(WHATSAPP, key) is False
    assert len(bot.reservations()) == 1
    assert bot.replies() == []
    assert bot.state().step is Step.NAME  # not saved: the worker will answer from here
    # The worker processes the delivery again: the same hold is announced, once.
    assert await bot.process(WHATSAPP, key) is True
    [held] = bot.replies()
    assert CODE_DISPLAY in held.text
    assert len(bot.reservations()) == 1


async def test_a_second_message_after_the_hold_does_not_hold_again() -> None:
    bot = Bot()
    await bot.send("hola, tienen lugar para 4 el finde largo?")
    await bot.send("1")
    await bot.send("Juana Pérez")
    await bot.send("Juana Pérez")  # the burst's second message: no longer an answer
    assert len(bot.reservations()) == 1
    # Even with the conversation forgotten, the same offer re-announces the live hold.
    bot.store.states.clear()
    await bot.send("Cabaña del Lago", button=LAGO_FINDE)
    [held] = await bot.send("Juana Pérez")
    assert CODE_DISPLAY in held.text
    assert len(bot.reservations()) == 1


async def test_an_unavailable_store_leaves_the_delivery_for_the_worker() -> None:
    bot = Bot()
    bot.store.unavailable = True
    assert await bot.send("hola") == []
    [row] = bot.uow.idempotency.committed.values()
    assert row["processed"] is False
    assert row["attempts"] == 1
    bot.store.unavailable = False
    assert await bot.process(WHATSAPP, next(iter(bot.uow.idempotency.committed))[1]) is True
    [welcome] = bot.replies()
    assert welcome.text == texts.CONV_WELCOME


async def test_a_lost_state_save_still_sends_the_replies() -> None:
    bot = Bot()
    bot.store.lose_saves = True
    [welcome] = await bot.send("hola")
    assert welcome.text == texts.CONV_WELCOME
    assert bot.state() is None


async def test_status_updates_are_still_recorded_on_the_outbox() -> None:
    bot = Bot()
    key = await bot.record({"type": "status", "id": "wamid.OUT1", "status": "delivered"})
    assert await bot.process(WHATSAPP, key) is True
    assert bot.uow.outbox.deliveries == [("wamid.OUT1", "delivered")]
    assert bot.replies() == []


def test_the_state_knows_what_the_parser_should_expect() -> None:
    assert ConversationState().expecting is None
    assert ConversationState(Step.CHOICE).expecting is not None
