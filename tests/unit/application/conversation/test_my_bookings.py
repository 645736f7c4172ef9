"""A phone with several bookings, with in-memory fakes: "mi reserva" lists them, and the
answer to "¿Cuál querés cancelar?" picks one (by number, ordinal, code or cabin)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from application.messaging import texts
from domain.booking.reservation import ReservationStatus
from domain.codes import ReservationCode
from domain.conversation.state import Step
from tests.money_text import PESO
from tests.unit.application.conversation.harness import CODE, CODE_DISPLAY, GUEST_PHONE, Bot
from tests.unit.domain.builders import NOW, TODAY, hold

SECOND = "ABCDEFGHJKMN"
SECOND_DISPLAY = "ABCD-EFGH-JKMN"
THIRD = "HJKMNPQRSTVW"
GONE = "0123456789AB"


def booked(
    bot: Bot,
    code: str,
    cabin_id: int,
    days_ahead: int,
    nights: int = 2,
    *,
    confirmed: bool = True,
    phone: str = GUEST_PHONE,
    made: timedelta = timedelta(0),
) -> None:
    """A booking of this phone (as the API or the console would have made it), ``made`` ago
    (a hold made then ran until 30 minutes after)."""
    check_in = TODAY + timedelta(days=days_ahead)
    reservation = replace(
        hold(code),
        accommodation_id=cabin_id,
        stay=replace(hold(code).stay, check_in=check_in, check_out=check_in + timedelta(nights)),
        guest=replace(hold(code).guest, phone=phone),
        payment_url=f"https://pay.example/{code}",
        created_at=NOW - made,
        expires_at=NOW - made + timedelta(minutes=30),
    )
    if confirmed:
        reservation.confirm(NOW)
    bot.uow.reservations.committed[code] = reservation


async def two_bookings(bot: Bot) -> None:
    """The confirmed Lago booking of the long weekend, and a hold on Bosque 15–18 December."""
    await bot.hold_lago()
    bot.uow.reservations.committed[CODE].confirm(NOW)
    await bot.send("y del 15 al 18 de diciembre para 2?")
    await bot.send("la del bosque")
    await bot.send("sí")  # the name we remember


# --- "mi reserva" ---------------------------------------------------------------------------


async def test_my_reservation_lists_each_live_booking_most_imminent_first() -> None:
    """Review: with several bookings, "mi reserva" showed only the latest one made."""
    bot = Bot()
    booked(bot, SECOND, 2, 20, 3)  # made first, but later
    booked(bot, THIRD, 3, 9, confirmed=False)  # a hold, the soonest
    await bot.hold_lago()  # the latest made: 04/12 → 08/12, a hold too
    bot.uow.reservations.committed[CODE].confirm(NOW)
    booked(bot, GONE, 1, 30)
    bot.uow.reservations.committed[GONE].cancel(NOW)  # not live: not listed
    [status] = await bot.send("mi reserva")
    assert status.text == (
        "Tenés 3 reservas desde este número:\n"
        f"1. {CODE_DISPLAY} en Cabaña del Lago del 04/12 al 08/12: confirmada ✅\n"
        "2. HJKM-NPQR-STVW en Cabaña Familiar Los Alerces del 10/12 al 12/12: pre-reserva "
        f"esperando la seña de {PESO}90.000 hasta las 12:30. Podés pagarla acá: "
        "https://pay.example/HJKMNPQRSTVW\n"
        f"3. {SECOND_DISPLAY} en Cabaña del Bosque del 21/12 al 24/12: confirmada ✅"
    )
    assert status.pages == (f"/r/{CODE}", f"/r/{THIRD}", f"/r/{SECOND}")
    assert status.page is None
    for synonym in ("Mi reserva", "tenemos una reserva, esta confirmada?", "ya pagué"):
        [again] = await bot.send(synonym)
        assert again.text == status.text, synonym
    [tapped] = await bot.send("Mi reserva", button="menu:status")
    assert tapped.text == status.text
    # By its code, one booking is answered alone, as before.
    [one] = await bot.send(f"como esta la reserva {SECOND_DISPLAY}?")
    assert one.text.startswith(f"Tu reserva {SECOND_DISPLAY} en Cabaña del Bosque")
    assert one.page == f"/r/{SECOND}"


async def test_a_stay_under_way_is_listed_and_one_over_is_not() -> None:
    bot = Bot()
    booked(bot, CODE, 1, -2, 4)  # arrived two days ago, leaves on the 3rd
    booked(bot, SECOND, 2, -3, 3)  # left today
    booked(bot, THIRD, 3, 5)
    [status] = await bot.send("mi reserva")
    assert status.text.startswith("Tenés 2 reservas desde este número:\n")
    assert f"1. {CODE_DISPLAY} en Cabaña del Lago del 29/11 al 03/12: confirmada ✅" in status.text
    assert SECOND_DISPLAY not in status.text


def lapse(bot: Bot, code: str, how: str) -> None:
    """``code``'s booking is over: a hold whose time ran out (recorded as expired by the
    sweeper, or not yet) or a cancelled one."""
    reservation = bot.uow.reservations.committed[code]
    if how == "cancelled":
        reservation.cancel(NOW)
    else:
        reservation.expires_at = NOW - timedelta(minutes=1)
        if how == "expired":
            reservation.expire(NOW)


@pytest.mark.parametrize("how", ["ran out", "expired", "cancelled"])
async def test_one_live_booking_is_shown_before_a_newer_one_that_lapsed(how: str) -> None:
    """Bug: a confirmed booking, then a newer hold that lapsed unpaid (or was cancelled):
    "mi reserva" answered about the lapsed one, the newest made, not the booking to come."""
    bot = Bot()
    booked(bot, SECOND, 2, 20, 3, made=timedelta(days=3))
    booked(bot, THIRD, 3, 9, confirmed=False, made=timedelta(hours=1))
    lapse(bot, THIRD, how)
    [status] = await bot.send("mi reserva")
    assert status.text == (
        f"Tu reserva {SECOND_DISPLAY} en Cabaña del Bosque del 21/12 al 24/12 está confirmada ✅ "
        "¡Te esperamos!"
    )
    assert status.page == f"/r/{SECOND}"
    assert status.pages == ()


@pytest.mark.parametrize("how", ["ran out", "expired", "cancelled"])
async def test_a_running_hold_is_shown_before_a_newer_one_that_lapsed(how: str) -> None:
    bot = Bot()
    booked(bot, SECOND, 2, 20, 3, confirmed=False, made=timedelta(minutes=10))
    booked(bot, THIRD, 3, 9, confirmed=False, made=timedelta(minutes=5))
    lapse(bot, THIRD, how)
    [status] = await bot.send("mi reserva")
    assert status.text == (
        f"Tu pre-reserva {SECOND_DISPLAY} en Cabaña del Bosque del 21/12 al 24/12 está "
        f"esperando la seña de {PESO}90.000 hasta las 12:20. Podés pagarla acá: "
        f"https://pay.example/{SECOND}"
    )
    assert status.page == f"/r/{SECOND}"


async def test_with_nothing_live_the_newest_booking_is_said_to_be_over() -> None:
    bot = Bot()
    booked(bot, SECOND, 2, 20, 3, made=timedelta(days=3))
    lapse(bot, SECOND, "cancelled")
    booked(bot, THIRD, 3, 9, confirmed=False, made=timedelta(hours=1))
    lapse(bot, THIRD, "ran out")
    [status] = await bot.send("mi reserva")
    assert status.text == texts.conv_status_expired("HJKM-NPQR-STVW")
    assert status.page is None
    lapse(bot, THIRD, "expired")
    bot.uow.reservations.committed[THIRD].created_at = NOW - timedelta(days=4)
    [status] = await bot.send("mi reserva")
    assert status.text == texts.conv_status_cancelled(SECOND_DISPLAY)
    assert status.page is None


async def test_more_than_five_bookings_say_how_many_more_and_point_to_a_person() -> None:
    bot = Bot()
    codes = [ReservationCode.generate().value for _ in range(7)]
    for week, code in enumerate(codes):
        booked(bot, code, 1, 3 + 7 * week)
    [status] = await bot.send("mi reserva")
    lines = status.text.split("\n")
    assert lines[0] == "Tenés 7 reservas desde este número. Las 5 más próximas:"
    assert [line[:3] for line in lines[1:6]] == ["1. ", "2. ", "3. ", "4. ", "5. "]
    assert lines[1].startswith(f"1. {ReservationCode(codes[0]).display} ")
    assert lines[5].startswith(f"5. {ReservationCode(codes[4]).display} ")
    assert lines[6] == (
        "Y 2 más: para verlas, escribinos «hablar con una persona» y te las pasa alguien del "
        "equipo."
    )
    assert status.pages == tuple(f"/r/{code}" for code in codes[:5])
    [handed] = await bot.send("hablar con una persona")
    assert handed.text == texts.CONV_HANDOVER


async def test_a_hold_without_a_deadline_is_listed_as_a_hold() -> None:
    """A hold's deadline is what the list says it waits until; without one (a row written by
    hand) it is still a hold waiting for its deposit, never "confirmada"."""
    bot = Bot()
    booked(bot, SECOND, 2, 20)
    booked(bot, THIRD, 3, 9, confirmed=False)
    bot.uow.reservations.committed[THIRD].expires_at = None
    [status] = await bot.send("mi reserva")
    assert status.text.split("\n")[1] == (
        "1. HJKM-NPQR-STVW en Cabaña Familiar Los Alerces del 10/12 al 12/12: pre-reserva "
        f"esperando la seña de {PESO}90.000. Podés pagarla acá: https://pay.example/HJKMNPQRSTVW"
    )


# --- "¿Cuál querés cancelar?" ----------------------------------------------------------------


async def test_the_question_says_how_to_answer() -> None:
    bot = Bot(codes=(CODE, SECOND))
    await two_bookings(bot)
    [which] = await bot.send("cancelar")
    assert which.text == (
        "Tenés 2 reservas desde este número:\n"
        f"1. {CODE_DISPLAY}: reserva confirmada en Cabaña del Lago del 04/12 al 08/12\n"
        f"2. {SECOND_DISPLAY}: pre-reserva sin pagar en Cabaña del Bosque del 15/12 al 18/12\n"
        "¿Cuál querés cancelar? Tocá su código o respondé con su número."
    )
    assert bot.state().step is Step.CANCEL_WHICH
    assert bot.state().choices == (CODE, SECOND)


@pytest.mark.parametrize(
    "answer",
    [
        "la 2",
        "2",
        "la segunda",
        "cancelar la 2",
        SECOND_DISPLAY,
        SECOND_DISPLAY.lower(),
        SECOND,
        "abcd efgh jkmn",
        "la abcdefghjkmn por favor",
        "la del bosque",
        "Cabaña del Bosque",
    ],
)
async def test_the_second_booking_is_picked_and_its_cancellation_asked(answer: str) -> None:
    """Review: "la 2" (or the code without "cancelar") answering "¿Cuál querés cancelar?" got
    "no te entendimos" or a restart; it picks that booking and asks the usual yes or no."""
    bot = Bot(codes=(CODE, SECOND))
    await two_bookings(bot)
    await bot.send("cancelar")
    [ask] = await bot.send(answer)
    assert ask.text == texts.conv_confirm_cancel(
        SECOND_DISPLAY,
        "Cabaña del Bosque",
        TODAY + timedelta(days=14),
        TODAY + timedelta(days=17),
        today=TODAY,
    )
    assert bot.state().step is Step.CANCELLING
    assert bot.state().code == SECOND
    [done] = await bot.send("si")
    assert done.text == texts.conv_cancelled(SECOND_DISPLAY)
    assert bot.uow.reservations.committed[SECOND].status is ReservationStatus.CANCELLED
    assert bot.uow.reservations.committed[CODE].status is ReservationStatus.CONFIRMED


@pytest.mark.parametrize("answer", ["la primera", "1", "la 1", CODE_DISPLAY.lower(), "la del lago"])
async def test_the_first_booking_is_picked_too(answer: str) -> None:
    bot = Bot(codes=(CODE, SECOND))
    await two_bookings(bot)
    await bot.send("cancelar")
    [ask] = await bot.send(answer)
    assert ask.text.startswith(f"Tu reserva {CODE_DISPLAY} en Cabaña del Lago del 04/12 al 08/12")
    assert ask.text.endswith("¿Querés que la cancelemos?")
    assert bot.state().code == CODE


@pytest.mark.parametrize(("answer", "number"), [("la 3", 3), ("3", 3), ("0", 0), ("25", 25)])
async def test_a_number_not_in_the_list_is_asked_again_naming_the_valid_ones(
    answer: str, number: int
) -> None:
    bot = Bot(codes=(CODE, SECOND))
    await two_bookings(bot)
    await bot.send("cancelar")
    [again] = await bot.send(answer)
    assert again.text == (
        f"No hay una reserva {number} en la lista 🤔 ¿Cuál querés cancelar? Respondé 1 o 2, o "
        "su código (por ejemplo: ABCD-EFGH-JKMN)."
    )
    assert bot.state().step is Step.CANCEL_WHICH
    assert bot.reservations()[1].status is ReservationStatus.PRE_RESERVED
    [ask] = await bot.send("la 2")
    assert ask.text.startswith(f"¿Cancelamos la pre-reserva {SECOND_DISPLAY}")


async def test_a_cabin_with_two_of_the_bookings_is_asked_again() -> None:
    bot = Bot()
    booked(bot, CODE, 1, 3)
    booked(bot, SECOND, 1, 20)
    await bot.send("cancelar")
    [again] = await bot.send("la del lago")
    assert again.text == (
        "Tenés más de una reserva en Cabaña del Lago 🤔 ¿Cuál querés cancelar? Respondé 1 o 2, "
        "o su código (por ejemplo: ABCD-EFGH-JKMN)."
    )
    [again] = await bot.send("la del bosque")
    assert again.text.startswith("Ninguna de esas reservas es en Cabaña del Bosque 🤔")
    [ask] = await bot.send("la segunda")
    assert ask.text.startswith(f"Tu reserva {SECOND_DISPLAY} en Cabaña del Lago del 21/12")


async def test_none_cancels_nothing_and_a_yes_asks_which() -> None:
    bot = Bot(codes=(CODE, SECOND))
    await two_bookings(bot)
    await bot.send("cancelar")
    [which] = await bot.send("sí")
    assert which.text == texts.conv_pick_to_cancel(2)
    [none] = await bot.send("ninguna")
    assert none.text == texts.CONV_CANCEL_NONE
    assert bot.state().step is Step.IDLE
    assert [r.status for r in bot.reservations()] == [
        ReservationStatus.CONFIRMED,
        ReservationStatus.PRE_RESERVED,
    ]


async def test_more_bookings_than_buttons_are_picked_by_number() -> None:
    bot = Bot()
    codes = [ReservationCode.generate().value for _ in range(5)]
    for days, code in enumerate(codes, 3):
        booked(bot, code, 1 + days % 3, days * 3)
    [which] = await bot.send("cancelar")
    assert which.buttons == []
    assert which.text.endswith(
        "¿Cuál querés cancelar? Respondé con su número o su código (por ejemplo: la 2, o "
        "ABCD-EFGH-JKMN)."
    )
    [again] = await bot.send("la 6")
    assert "Respondé un número del 1 al 5, o su código" in again.text
    [ask] = await bot.send("la cuarta")
    assert ReservationCode(codes[3]).display in ask.text
    assert bot.state().code == codes[3]


async def test_a_message_that_is_no_answer_is_read_as_usual() -> None:
    bot = Bot(codes=(CODE, SECOND))
    await two_bookings(bot)
    await bot.send("cancelar")
    [status] = await bot.send(f"como esta la reserva {SECOND_DISPLAY}?")
    assert status.text.startswith(f"Tu pre-reserva {SECOND_DISPLAY} en Cabaña del Bosque")
    [options] = await bot.send("mejor decime si hay lugar del 20 al 22 de diciembre para 2")
    assert options.text.startswith("Para 2 personas, del 20/12 al 22/12, tenemos:")
    assert bot.state().step is Step.CHOICE
    assert bot.state().choices == ()


async def test_a_hold_that_lapsed_since_the_list_is_said_to_be_over() -> None:
    bot = Bot(codes=(CODE, SECOND))
    await two_bookings(bot)
    await bot.send("cancelar")
    bot.clock.current = NOW + timedelta(hours=1)
    [reply] = await bot.send("la 2")
    assert reply.text == texts.conv_not_cancellable(SECOND_DISPLAY)
    assert bot.state().step is Step.IDLE


@pytest.mark.parametrize("how", ["ran out", "expired", "cancelled"])
async def test_cancelling_with_a_stay_under_way_asks_about_it_not_a_newer_lapsed_one(
    how: str,
) -> None:
    """Nothing left to cancel but a stay under way (it cannot be cancelled online; the owner
    is asked): "cancelar" answered about a newer hold that lapsed, not the stay the guest is
    in."""
    bot = Bot()
    booked(bot, CODE, 1, -2, 4, made=timedelta(days=10))  # arrived two days ago
    booked(bot, THIRD, 3, 9, confirmed=False, made=timedelta(hours=1))
    lapse(bot, THIRD, how)
    [ask] = await bot.send("cancelar")
    assert CODE_DISPLAY in ask.text
    assert "HJKM-NPQR-STVW" not in ask.text
    assert bot.state().code == CODE


async def test_cancelling_with_nothing_live_still_answers_about_the_newest() -> None:
    bot = Bot()
    booked(bot, SECOND, 2, -9, 3, made=timedelta(days=20))  # over
    booked(bot, THIRD, 3, 9, confirmed=False, made=timedelta(hours=1))
    lapse(bot, THIRD, "expired")
    [answer] = await bot.send("cancelar")
    assert answer.text == texts.conv_not_cancellable("HJKM-NPQR-STVW")
