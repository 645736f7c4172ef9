"""The assistant's booking path with in-memory fakes: question → options → choice → name → hold."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from application.booking.place_hold import PlaceHoldCommand
from application.conversation.options import button_title, option_buttons
from application.messaging import texts
from application.messaging.quote_texts import cancellation_terms
from application.ports.outbox import OwnerAlert, PaymentLinkJob
from application.ports.pricing import StoredPrices
from domain.booking.hold_limits import HoldQuota, phone_key
from domain.booking.policy import BookingPolicy
from domain.booking.reservation import Channel, Guest, ReservationStatus
from domain.conversation.state import ConversationState, Offer, Step
from domain.money import Money
from domain.payments.cancellation import CancellationPolicy, CancellationTier, Outcome
from domain.pricing import Rate, RecurringRange, Season
from domain.pricing.cabin_rules import NO_RULES, CabinPriceRules
from domain.stay import Stay
from tests.money_text import PESO
from tests.unit.application.conversation.harness import (
    ALERCES,
    ALERCES_FINDE,
    BOSQUE,
    CABINS,
    CODE,
    CODE_DISPLAY,
    GUEST_PHONE,
    LAGO,
    LAGO_FINDE,
    PHONE,
    Bot,
)
from tests.unit.application.fakes import FakePriceRules
from tests.unit.domain.builders import NOW, cabin

OPTIONS = (
    "Para 4 personas, del 04/12 al 08/12, tenemos:\n"
    f"1. Cabaña del Lago: {PESO}500.000 en total (seña {PESO}150.000)\n"
    f"   • 2 noches (fin de semana): 2 × {PESO}150.000 = {PESO}300.000\n"
    f"   • 2 noches: 2 × {PESO}100.000 = {PESO}200.000\n"
    f"2. Cabaña Familiar Los Alerces: {PESO}600.000 en total (seña {PESO}180.000)\n"
    f"   • 2 noches (fin de semana): 2 × {PESO}180.000 = {PESO}360.000\n"
    f"   • 2 noches: 2 × {PESO}120.000 = {PESO}240.000\n"
    "¿Cuál te reservamos? Tocá una opción o escribinos el número."
)


async def test_a_question_with_dates_and_guests_lists_the_free_cabins_as_buttons() -> None:
    bot = Bot()
    [options] = await bot.send("hola, tienen lugar para 4 el finde largo?")
    assert options.to == PHONE
    assert options.text == OPTIONS  # the Bosque hosts 2: not offered
    assert options.buttons == [
        (LAGO_FINDE, "Cabaña del Lago"),
        (ALERCES_FINDE, "Familiar Los Alerces"),  # ≤ 20 characters
    ]
    assert bot.state().step is Step.CHOICE


async def test_the_long_weekend_is_read_on_the_holiday_calendar() -> None:
    """Review M2: "el finde largo" was always this Friday to Monday. Monday 7 and Tuesday 8
    December are days off: it is Friday 4 to Tuesday 8, four nights; the assistant asks the
    holidays around today and the year ahead (next Carnival, next Easter)."""
    bot = Bot()
    [options] = await bot.send("hola, tienen lugar para 4 el finde largo?")
    assert options.text.startswith("Para 4 personas, del 04/12 al 08/12, tenemos:")
    assert bot.holidays.asked[-1] == (date(2026, 12, 1), date(2028, 1, 5))


async def test_a_named_long_weekend_is_quoted_with_its_real_length() -> None:
    bot = Bot()
    [options] = await bot.send("quiero ir el finde largo de carnaval, somos 5")
    assert options.text.startswith("Para 5 personas, del 05/02/2027 al 09/02/2027, tenemos:")
    [options] = await bot.send("y para semana santa?")
    assert options.text.startswith("Para 5 personas, del 23/03/2027 al 28/03/2027, tenemos:")


async def test_without_a_long_weekend_coming_the_dates_are_asked_back() -> None:
    bot = Bot()
    bot.clock.current = datetime(2027, 8, 20, 15, tzinfo=UTC)  # next one: 9–11 October
    [reply] = await bot.send("hola, tienen lugar para 4 el finde largo?")
    assert reply.text == texts.CONV_DATES_AMBIGUOUS["no_long_weekend"]
    assert bot.state().step is Step.DATES
    assert bot.state().guests == 4


@pytest.mark.parametrize(
    "question",
    [
        "hola, tienen lugar para 4 el feriado?",
        "somos 4, para el puente hay algo?",
        "este feriado para 4",
        "el próximo feriado somos 4",
        "hay lugar el finde del feriado? somos 4",
    ],
)
async def test_the_holiday_or_the_bridge_is_read_as_the_long_weekend(question: str) -> None:
    """Review: "el feriado" got "no te entendimos", and "el finde del feriado" an ordinary
    Friday to Sunday; they are the next long weekend, and none coming is asked back."""
    bot = Bot()
    [options] = await bot.send(question)
    assert options.text == OPTIONS
    bot = Bot()
    bot.clock.current = datetime(2027, 8, 20, 15, tzinfo=UTC)  # next one: 9–11 October
    [reply] = await bot.send(question)
    assert reply.text == texts.CONV_DATES_AMBIGUOUS["no_long_weekend"]
    assert bot.state().step is Step.DATES
    assert bot.state().guests == 4


async def test_more_than_three_options_are_a_numbered_list_without_buttons() -> None:
    names = ("Arrayán", "Coihue", "Ñire", "Lenga")
    bot = Bot(tuple(cabin(id=i, name=f"Cabaña {name}") for i, name in enumerate(names, 1)))
    [options] = await bot.send("somos 2, del 15 al 18 de diciembre")
    assert "\n4. Cabaña Lenga: " in options.text
    assert options.text.endswith("¿Cuál te reservamos? Escribinos el número.")
    assert options.buttons == []
    [ask] = await bot.send("la 4")
    assert ask.text.startswith("¡Buenísimo! Cabaña Lenga, del 15/12 al 18/12.")


@pytest.mark.parametrize(
    ("choice", "cabin_name"),
    [("la 2", "Cabaña Familiar Los Alerces"), ("2", "Cabaña Familiar Los Alerces"),
     ("la del lago", "Cabaña del Lago"), ("me quedo con la primera", "Cabaña del Lago")],
)  # fmt: skip
async def test_an_option_is_chosen_by_number_or_name(choice: str, cabin_name: str) -> None:
    bot = Bot()
    await bot.send("hola, tienen lugar para 4 el finde largo?")
    [ask] = await bot.send(choice)
    assert ask.text == texts.conv_ask_name(
        cabin_name, date(2026, 12, 4), date(2026, 12, 8), date(2026, 12, 1)
    )
    assert ask.buttons == [("name:profile", "Juana")]
    assert bot.state().step is Step.NAME


async def test_a_number_out_of_range_and_a_cabin_not_offered_are_explained() -> None:
    bot = Bot()
    await bot.send("hola, tienen lugar para 4 el finde largo?")
    [again] = await bot.send("la 5")
    assert again.text == "Elegí un número del 1 al 2, porfa."
    sorry, options = await bot.send("la del bosque")
    assert sorry.text == "Cabaña del Bosque no está libre para esas fechas 😕"
    assert options.text == OPTIONS


async def test_a_cabin_named_in_the_question_skips_the_list() -> None:
    bot = Bot()
    [ask] = await bot.send("tienen la del lago para 4 el finde largo?")
    assert ask.text.startswith("¡Buenísimo! Cabaña del Lago, del 04/12 al 08/12.")


async def test_the_hold_is_placed_through_place_hold_and_announced() -> None:
    bot = Bot()
    [held] = await bot.hold_lago()
    assert held.text == (
        f"¡Listo, Juana! 🙌 Te reservamos Cabaña del Lago del 04/12 al 08/12. Código: "
        f"{CODE_DISPLAY}. Total: {PESO}500.000. La seña es de {PESO}150.000 y te la guardamos "
        "hasta las 12:30.\n"
        f"• 2 noches (fin de semana): 2 × {PESO}150.000 = {PESO}300.000\n"
        f"• 2 noches: 2 × {PESO}100.000 = {PESO}200.000\n"
        "Esta cabaña no tiene una política de cancelación cargada: si tenés que cancelar, "
        "escribinos y lo vemos.\n"
        "En el próximo mensaje te mandamos el link de Mercado Pago para pagarla."
    )
    [reservation] = bot.reservations()
    assert reservation.channel is Channel.WHATSAPP
    assert reservation.guest.name == "Juana Pérez"
    assert reservation.guest.phone == GUEST_PHONE
    assert reservation.guests == 4
    assert reservation.status is ReservationStatus.PRE_RESERVED
    # The payment link is PlaceHold's job (the outbox sends it as the next message).
    assert len(bot.uow.outbox.sent(PaymentLinkJob)) == 1
    assert bot.alerts() == []
    assert bot.state().step is Step.IDLE
    assert bot.state().name == "Juana Pérez"


async def test_the_hold_states_the_cancellation_terms_before_the_guest_pays() -> None:
    """Review M8: the terms came only with the confirmation, after paying."""
    bot = Bot()
    tiers = (
        CancellationTier(30, Decimal(100)),
        CancellationTier(7, Decimal(50), Outcome.CREDIT, credit_valid_days=180),
    )
    bot.uow.prices.read[1] = StoredPrices(NO_RULES, CancellationPolicy(tiers))
    [held] = await bot.hold_lago()
    # The policy's wording is quote_texts.cancellation_terms's, whatever it says.
    terms = cancellation_terms(CancellationPolicy(tiers))
    assert terms is not None
    assert terms.startswith("Si cancelás:\n• Con 30 días")
    assert held.text.endswith(
        f"= {PESO}200.000\n{terms}\nEn el próximo mensaje te mandamos el link de Mercado Pago para "
        "pagarla."
    )


async def test_a_name_with_invisible_characters_is_held_under_what_can_be_seen() -> None:
    """The same rule as the booking API (domain.booking.guest_name): bidi overrides and zero-width
    characters neither block the name nor reach the hold."""
    bot = Bot()
    await bot.send("hola, tienen lugar para 4 el finde largo?")
    await bot.send("1")
    [held] = await bot.send("\u202eJua\u200bna\u202c Pe\u0301rez")
    assert held.text.startswith("¡Listo, Juana!")
    assert bot.reservations()[0].guest.name == "Juana Pérez"


async def test_without_online_payments_the_owner_is_asked_to_send_payment_details() -> None:
    bot = Bot(payments=False)
    [held] = await bot.hold_lago()
    assert held.text.endswith("En un ratito te mandamos los datos para pagarla.")
    assert bot.alerts() == [texts.admin_hold_needs_payment_details(CODE_DISPLAY)]


async def test_the_profile_name_is_one_tap_or_a_yes_away() -> None:
    bot = Bot()
    await bot.send("hola, tienen lugar para 4 el finde largo?")
    await bot.send("2")
    [held] = await bot.send("Juana", button="name:profile")
    assert "Te reservamos Cabaña Familiar Los Alerces" in held.text
    assert bot.reservations()[0].guest.name == "Juana"

    other = Bot()
    await other.send("hola, tienen lugar para 4 el finde largo?")
    await other.send("1")
    [held] = await other.send("sí")
    assert held.text.startswith("¡Listo, Juana!")


async def test_a_profile_name_that_is_no_name_is_not_suggested() -> None:
    bot = Bot()
    await bot.send("hola, tienen lugar para 4 el finde largo?", profile="🌻✨")
    [ask] = await bot.send("1", profile="🌻✨")
    assert ask.buttons == []
    [again] = await bot.send("si", profile="🌻✨")
    assert again.text == texts.CONV_ASK_NAME_AGAIN


async def test_a_name_given_earlier_is_proposed_not_used_silently() -> None:
    """Review H1: a remembered name used to be reused without a word; now it is one tap or a
    "sí" away, and the guest can give another."""
    bot = Bot()
    await bot.send("hola soy Marta Gómez, tienen lugar para 4 el finde largo?")
    [ask] = await bot.send("la 1")
    assert ask.text == texts.conv_confirm_name(
        "Cabaña del Lago", date(2026, 12, 4), date(2026, 12, 8), "Marta Gómez", date(2026, 12, 1)
    )
    assert ask.buttons == [("name:remembered", "Marta Gómez")]
    assert bot.reservations() == []
    [held] = await bot.send("sí")
    assert held.text.startswith("¡Listo, Marta! 🙌")

    tapped = Bot()
    await tapped.send("hola soy Marta Gómez, tienen lugar para 4 el finde largo?")
    await tapped.send("la 1")
    await tapped.send("Marta Gómez", button="name:remembered")
    assert tapped.reservations()[0].guest.name == "Marta Gómez"

    other = Bot()
    await other.send("hola soy Marta Gómez, tienen lugar para 4 el finde largo?")
    await other.send("la 1")
    await other.send("Julián Gómez")
    assert other.reservations()[0].guest.name == "Julián Gómez"


async def test_a_name_in_the_same_message_as_the_choice_is_used_at_once() -> None:
    bot = Bot()
    await bot.send("hola, tienen lugar para 4 el finde largo?")
    [held] = await bot.send("la 1, a nombre de Marta Gómez")
    assert held.text.startswith("¡Listo, Marta! 🙌")


async def test_a_cabin_taken_meanwhile_gets_an_apology_and_the_remaining_options() -> None:
    bot = Bot(codes=("7K3M9QXD2F10", "AAAABBBBCCCC"))
    await bot.send("hola, tienen lugar para 4 el finde largo?")
    await bot.send("1")
    # Someone books the Lago on the website while the guest types their name.
    someone = Guest("Otra Persona", "+5491100000000")
    await bot.place_hold(
        PlaceHoldCommand(1, date(2026, 12, 4), date(2026, 12, 8), 2, someone, Channel.API)
    )
    sorry, options = await bot.send("Juana Pérez")
    assert sorry.text == texts.conv_just_taken("Cabaña del Lago")
    assert options.buttons == [(ALERCES_FINDE, "Familiar Los Alerces")]
    [ask] = await bot.send("Familiar Los Alerces", button=ALERCES_FINDE)
    assert ask.buttons == [("name:remembered", "Juana Pérez")]  # the name just given
    [held] = await bot.send("Juana Pérez", button="name:remembered")
    assert "Te reservamos Cabaña Familiar Los Alerces" in held.text


@pytest.mark.parametrize(
    ("message", "answer"),
    [
        ("tienen lugar?", texts.CONV_ASK_DATES_AND_GUESTS),
        ("quiero reservar para 2", texts.CONV_ASK_DATES),
        ("el finde largo", texts.CONV_ASK_GUESTS),
        ("desde el 15 somos 2", texts.conv_ask_check_out(date(2026, 12, 15), date(2026, 12, 1))),
        ("3 noches somos 2", texts.conv_ask_check_in(3)),
        ("el 15 o el 22 para 2", texts.CONV_DATES_AMBIGUOUS["multiple_options"]),
        ("del 10 al 5 para 2", texts.CONV_DATES_AMBIGUOUS["range_backwards"]),
        ("31/11 al 2/12 para 2", texts.CONV_DATES_AMBIGUOUS["invalid_date"]),
        ("el viernes 15 somos 2", texts.CONV_DATES_AMBIGUOUS["weekday_mismatch"]),
        ("del 15 al 18, 2 noches, somos 2", texts.CONV_DATES_AMBIGUOUS["nights_mismatch"]),
        ("la semana que viene somos 2", texts.CONV_DATES_AMBIGUOUS["vague_period"]),
        ("en enero somos 2", texts.CONV_DATES_AMBIGUOUS["month_only"]),
        ("del 15/3/2025 al 18/3/2025", texts.CONV_DATES_AMBIGUOUS["past_date"]),
        ("el finde somos 4: 2 adultos y 3 chicos", texts.CONV_ASK_GUESTS_AGAIN),
        # Reported: each was quoted for the first number.
        ("del 15 al 18 de enero somos 2 o 3", texts.CONV_ASK_GUESTS_AGAIN),
        ("somos 3 o 4 del 10/2 al 12/2", texts.CONV_ASK_GUESTS_AGAIN),
        ("del 15 al 18 de enero, 2 o 3 personas", texts.CONV_ASK_GUESTS_AGAIN),
        ("2 a 3 personas del 20 al 23 de enero", texts.CONV_ASK_GUESTS_AGAIN),
        ("del 20 al 23 de enero seríamos 2, tal vez 3", texts.CONV_ASK_GUESTS_AGAIN),
        ("del 20 al 23 de enero somos 2 y quizás 3", texts.CONV_ASK_GUESTS_AGAIN),
        ("del 20 al 23 de enero para 2, capaz somos 3", texts.CONV_ASK_GUESTS_AGAIN),
    ],
)
async def test_what_is_missing_or_unclear_is_asked_back_never_guessed(
    message: str, answer: str
) -> None:
    bot = Bot()
    [reply] = await bot.send(message)
    assert reply.text == answer
    assert bot.reservations() == []


async def test_answers_complete_the_question_across_messages() -> None:
    bot = Bot()
    await bot.send("4 noches")
    await bot.send("desde el 4")
    [options] = await bot.send("4")  # a bare head count, answering "¿para cuántas personas?"
    assert options.text == OPTIONS


@pytest.mark.parametrize(
    ("message", "answer"),
    [
        ("el sabado 1 noche para 4", texts.conv_min_nights(2)),
        ("40 noches desde el 10 de enero somos 2", texts.conv_max_nights(30)),
        ("el finde somos 8", texts.conv_too_many_guests(6)),
        ("del 1 al 3 de diciembre de 2028 somos 2", texts.conv_beyond_horizon(date(2028, 6, 1))),
    ],
)
async def test_stays_the_rules_refuse_are_explained(message: str, answer: str) -> None:
    bot = Bot()
    [reply] = await bot.send(message)
    assert reply.text == answer
    assert bot.state().step is Step.DATES


async def test_a_seasons_minimum_stay_is_the_one_named() -> None:
    """The refusal named the cabins' own minimum (2) when the season's (4) refused the stay:
    the guest added a night and was refused again."""
    season = Season(
        "Temporada alta",
        RecurringRange.parse("15/12", "28/02"),
        Rate(nightly=Money.of("150000")),
        min_nights=4,
    )
    rules = FakePriceRules({c.id: CabinPriceRules(seasons=(season,)) for c in CABINS})
    bot = Bot(price_rules=rules)
    [reply] = await bot.send("somos 2, del 18 al 21 de diciembre")
    assert reply.text == texts.conv_min_nights(4)
    [options] = await bot.send("somos 2, del 18 al 22 de diciembre")
    assert options.text.startswith("Para 2 personas, del 18/12 al 22/12, tenemos:")


async def test_dates_that_passed_while_the_guest_was_typing_are_explained() -> None:
    bot = Bot()
    # Started before midnight; the head count arrives on the 1st.
    bot.store.states[PHONE] = ConversationState(Step.GUESTS, check_in=date(2026, 11, 30), nights=2)
    [reply] = await bot.send("somos 2")
    assert reply.text == texts.CONV_PAST_DATES


async def test_a_button_from_an_old_message_with_past_dates_is_explained_not_taken() -> None:
    """Found from the outside: a stale ``pick:`` button was accepted ("¿A nombre de quién?")
    and only after the name came "no está libre" and "ya pasaron", contradicting each other."""
    bot = Bot()
    [reply] = await bot.send("Cabaña del Lago", button="pick:1:20261120:20261123:2")
    assert reply.text == texts.CONV_PAST_DATES
    assert bot.state().step is Step.DATES
    assert bot.state().chosen is None
    assert bot.reservations() == []


async def test_no_room_is_said_plainly() -> None:
    bot = Bot((LAGO,))
    await bot.hold_lago()
    other = "5491166667777"
    [reply] = await bot.send("hola, tienen lugar para 2 el finde largo?", phone=other)
    assert reply.text == texts.CONV_NO_ROOM


async def test_a_stay_too_short_beside_a_full_cabin_names_the_minimum_not_no_room() -> None:
    """Reported: one night where one cabin is taken and the others take two at least was
    answered "no nos queda lugar"; a second night would have found a cabin."""
    bot = Bot()
    # The one cabin that takes a single night (Bosque) is held for it.
    await bot.send("para 2 del 5/12 al 6/12")
    await bot.send("Cabaña del Bosque", button="pick:2:20261205:20261206:2")
    await bot.send("Juana Pérez")
    assert len(bot.reservations()) == 1
    other = "5491166667777"
    [reply] = await bot.send("para 2 del 5/12 al 6/12", phone=other)
    assert reply.text == texts.conv_min_nights(2)


async def test_declining_every_option_asks_for_other_dates() -> None:
    bot = Bot()
    await bot.send("hola, tienen lugar para 4 el finde largo?")
    [reply] = await bot.send("ninguna")
    assert reply.text == texts.CONV_CHOICE_DECLINED
    assert bot.state().step is Step.DATES
    assert bot.state().guests == 4


def test_a_deadline_on_another_day_names_the_day() -> None:
    assert texts.deadline(NOW, date(2026, 12, 1)) == "las 12:00"
    assert texts.deadline(NOW + timedelta(hours=12), date(2026, 12, 1)) == "el 02/12 a las 00:00"


async def test_prices_are_the_quote_of_the_cabin() -> None:
    expensive = cabin(id=9, name="Casa Grande", base_price=Money.of("99999.50"), capacity=4)
    bot = Bot((expensive,), policy=BookingPolicy(deposit_percent=Decimal(50)))
    [options] = await bot.send("del 15 al 17 de diciembre para 2")
    assert f"Casa Grande: {PESO}199.999 en total (seña {PESO}99.999,50)" in options.text


def test_sample_cabins_are_what_the_tests_assume() -> None:
    assert [c.name for c in CABINS] == [LAGO.name, BOSQUE.name, ALERCES.name]


def test_button_titles_fit_in_twenty_characters_and_stay_apart() -> None:
    day = date(2026, 12, 4)
    long_names = [Offer(i, name, day, day + timedelta(days=2), 2) for i, name in enumerate(
        ["Cabaña Mirador del Lago Grande Norte", "Cabaña Mirador del Lago Grande Sur"], 1
    )]  # fmt: skip
    assert [t for _, t in [(b.id, b.title) for b in option_buttons(long_names)]] == [
        "Opción 1",
        "Opción 2",
    ]
    assert button_title("Cabaña Mirador del Nahuel Huapi") == "Mirador del Nahuel…"
    assert button_title("Cabaña Mirador del Cerro Otto") == "Mirador del Cerro O…"
    assert button_title("Cabaña Familiar Los Alerces") == "Familiar Los Alerces"
    assert all(len(button_title(c.name)) <= 20 for c in CABINS)


async def test_a_live_hold_announced_again_carries_its_payment_link() -> None:
    bot = Bot()
    await bot.hold_lago()
    bot.uow.reservations.committed["7K3M9QXD2F10"].payment_url = "https://mp.test/pay"
    bot.store.states.clear()  # the guest starts over with the same choice
    await bot.send("Cabaña del Lago", button=LAGO_FINDE)
    [held] = await bot.send("Juana Pérez")
    assert held.text.endswith("Podés pagarla acá: https://mp.test/pay")
    assert len(bot.reservations()) == 1


async def test_a_name_sent_again_after_the_hold_is_not_a_misunderstanding() -> None:
    """Found from the outside: a burst of the same name made one hold (right), but each copy
    after it got "no te entendimos", and the third handed the guest over for two hours."""
    bot = Bot()
    await bot.hold_lago()  # the name given: "Juana Pérez"
    for text in ("Juana Pérez", "Juana Pérez", " juana  PÉREZ ", "Juana Pérez"):
        assert await bot.send(text) == []
    assert bot.state().step is Step.IDLE
    assert bot.state().misunderstood == 0
    assert len(bot.reservations()) == 1
    # Anything else still counts as before.
    [reply] = await bot.send("asdfgh")
    assert reply.text.startswith(texts.CONV_FALLBACK)


async def test_a_phone_with_two_live_holds_is_told_to_pay_one_or_wait() -> None:
    """WhatsApp holds count per phone number (MAX_LIVE_HOLDS_PER_PHONE, 2 by default), across
    channels: two holds made over the API from the same number leave no room for a third."""
    bot = Bot(codes=("7K3M9QXD2F11", "7K3M9QXD2F12", CODE))
    for cabin_id, days in ((2, 20), (3, 30)):
        s = Stay(NOW.date() + timedelta(days=days), NOW.date() + timedelta(days=days + 2))
        await bot.place_hold(
            PlaceHoldCommand(
                cabin_id,
                s.check_in,
                s.check_out,
                2,
                Guest("Juana Pérez", "+54 9 11 5555-1234"),
                quota=HoldQuota(phone_key("+54 9 11 5555-1234"), "some-client"),
            )
        )
    [refused] = await bot.hold_lago()
    assert refused.text == (
        "Ya tenés 2 pre-reservas esperando la seña 🙌 Para hacer otra, pagá alguna o esperá a "
        "que venza la primera (las 12:30)."
    )
    assert len(bot.reservations()) == 2
    assert bot.uow.metrics.limited == [("MAX_LIVE_HOLDS_PER_PHONE", "whatsapp")]
    assert bot.state().step is Step.IDLE


async def test_a_stay_longer_than_a_guest_may_hold_is_refused_before_any_quote() -> None:
    """Review M4: 20 nights were quoted, a cabin chosen and a name asked before "Las estadías
    de más de 14 noches las coordinamos directamente"; the owner's alert had no number."""
    bot = Bot()
    [refused] = await bot.send("somos 2, del 5 al 25 de enero")
    assert refused.text == texts.conv_long_stay_offer(14)
    assert "14 noches" in refused.text
    assert refused.buttons == [("menu:human", "Hablar con alguien")]
    assert bot.state().step is Step.DATES
    assert bot.alerts() == []
    [handover] = await bot.send("Hablar con alguien", button="menu:human")
    assert handover.text == texts.CONV_HANDOVER
    [alert] = bot.alerts()
    assert alert.startswith(
        "📅 Por WhatsApp piden 20 noches (del 05/01/2027 al 25/01/2027, 2 personas)"
    )
    assert f"https://wa.me/{PHONE}" in alert
    # The alert opens the console's manual booking with the dates filled in.
    [owner_alert] = bot.uow.outbox.sent(OwnerAlert)
    assert owner_alert.link == "/panel/reservas/nueva?desde=2027-01-05&hasta=2027-01-25"
    assert bot.reservations() == []
    assert bot.state().step is Step.HANDED_OVER


async def test_shorter_dates_after_a_long_stay_refusal_are_quoted() -> None:
    bot = Bot()
    await bot.send("somos 2, del 5 al 25 de enero")
    [options] = await bot.send("bueno, del 5 al 12 de enero")
    assert options.text.startswith("Para 2 personas, del 05/01/2027 al 12/01/2027, tenemos:")


async def test_an_old_button_for_a_long_stay_still_goes_to_the_owner() -> None:
    """A stay priced before MAX_HOLD_NIGHTS was lowered: refused at the hold, by a person."""
    bot = Bot()
    await bot.send("Cabaña del Lago", button="pick:1:20270105:20270125:2")
    [handover] = await bot.send("Juana Pérez")
    assert handover.text == texts.conv_long_stay(14)
    [alert] = bot.alerts()
    assert alert.startswith(
        "📅 Por WhatsApp piden 20 noches en Cabaña del Lago (del 05/01/2027 al 25/01/2027, "
        "2 personas)"
    )
    assert f"https://wa.me/{PHONE}" in alert
    [owner_alert] = bot.uow.outbox.sent(OwnerAlert)
    assert owner_alert.link == "/panel/reservas/nueva?cabana=1&desde=2027-01-05&hasta=2027-01-25"
    assert bot.reservations() == []
    assert bot.state().step is Step.HANDED_OVER


async def test_new_dates_at_the_name_step_search_again_instead_of_holding() -> None:
    """Review H1: "no, esperá, mejor del 11 al 14" became a hold for "Esperá" on the old dates."""
    bot = Bot()
    await bot.send("somos 4 del 10 al 15")
    await bot.send("1")
    [options] = await bot.send("no, esperá, mejor del 11 al 14")
    assert options.text.startswith("Para 4 personas, del 11/12 al 14/12, tenemos:")
    assert bot.reservations() == []
    assert bot.state().step is Step.CHOICE
    assert bot.state().name is None
    [ask] = await bot.send("1")
    assert ask.text.startswith("¡Buenísimo! Cabaña del Lago, del 11/12 al 14/12.")
    await bot.send("Juana Pérez")
    [reservation] = bot.reservations()
    assert (reservation.guest.name, reservation.stay) == (
        "Juana Pérez",
        Stay(date(2026, 12, 11), date(2026, 12, 14)),
    )


async def test_another_cabin_at_the_name_step_is_a_change_of_mind() -> None:
    bot = Bot()
    await bot.send("hola, tienen lugar para 4 el finde largo?")
    await bot.send("1")
    [ask] = await bot.send("mejor la familiar")
    assert ask.text == texts.conv_ask_name(
        "Cabaña Familiar Los Alerces", date(2026, 12, 4), date(2026, 12, 8), date(2026, 12, 1)
    )
    assert bot.reservations() == []


@pytest.mark.parametrize(
    "reply",
    ["dejame pensarlo", "esperá", "no", "después te aviso", "mañana te confirmo"],
)
async def test_hesitating_at_the_name_step_keeps_the_choice_and_holds_nothing(
    reply: str,
) -> None:
    bot = Bot()
    await bot.send("hola, tienen lugar para 4 el finde largo?")
    await bot.send("1")
    [answer] = await bot.send(reply)
    assert answer.text == texts.CONV_NAME_NOT_YET
    assert bot.reservations() == []
    assert bot.state().step is Step.NAME
    assert bot.state().name is None
    [held] = await bot.send("Juana Pérez")  # the choice waited for the name
    assert held.text.startswith("¡Listo, Juana! 🙌 Te reservamos Cabaña del Lago del 04/12")


@pytest.mark.parametrize("step", ["la lista", "el nombre"])
async def test_cancelar_drops_the_choice_in_progress(step: str) -> None:
    """Review L2: "cancelar" at the name step answered "No encontramos reservas hechas desde
    este número"; the guest meant the choice in progress."""
    bot = Bot()
    await bot.send("hola, tienen lugar para 4 el finde largo?")
    if step == "el nombre":
        await bot.send("1")
    [answer] = await bot.send("cancelar")
    assert answer.text == texts.CONV_CHOICE_DROPPED
    assert bot.reservations() == []
    assert bot.state().step is Step.IDLE
    assert bot.state().options == ()
    assert bot.state().chosen is None
    [reply] = await bot.send("Juana Pérez")  # nothing waits for a name any more
    assert bot.reservations() == []
    assert not reply.text.startswith("¡Listo")


async def test_cancelar_during_a_search_says_how_to_cancel_a_booking_made_before() -> None:
    bot = Bot()
    await bot.hold_lago()
    await bot.send("y del 15 al 18 de diciembre para 2?")
    [answer] = await bot.send("cancelar")
    assert answer.text == texts.CONV_CHOICE_DROPPED + texts.CONV_CHOICE_DROPPED_HAS_BOOKINGS
    [ask] = await bot.send("cancelar")  # now it is about the booking
    assert ask.text.startswith(f"¿Cancelamos la pre-reserva {CODE_DISPLAY}")


@pytest.mark.parametrize("reply", ["a nombre de mi marido", "Juana"])
async def test_a_name_step_answer_without_first_name_and_surname_is_asked_again(
    reply: str,
) -> None:
    bot = Bot()
    await bot.send("hola, tienen lugar para 4 el finde largo?")
    await bot.send("1")
    [again] = await bot.send(reply)
    assert again.text == texts.CONV_ASK_FULL_NAME
    assert bot.reservations() == []
    assert bot.state().name is None
    await bot.send("a nombre de Pedro Gómez")
    assert bot.reservations()[0].guest.name == "Pedro Gómez"


async def test_a_hesitation_is_never_remembered_as_the_phones_name() -> None:
    """Review H1: "Esperá" stuck to the phone and the next booking went under it unasked."""
    bot = Bot(codes=(CODE, "AAAABBBBCCCC"))
    await bot.send("hola, tienen lugar para 4 el finde largo?")
    await bot.send("1")
    await bot.send("esperá")
    await bot.send("somos 2 del 15 al 18 de diciembre")
    [ask] = await bot.send("1")
    assert ask.text.startswith("¡Buenísimo! Cabaña del Lago, del 15/12 al 18/12. ¿A nombre")
    assert bot.reservations() == []


async def test_dates_that_passed_lately_are_explained_not_quoted_for_next_year() -> None:
    """Review H2: on 03/12 "del 1 al 3 de diciembre" was quoted and held for December 2027."""
    bot = Bot()
    bot.clock.current = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    [reply] = await bot.send("del 1 al 3 de diciembre para 2")
    assert reply.text == texts.CONV_DATES_AMBIGUOUS["past_date"]
    assert bot.state().step is Step.DATES
    assert bot.state().options == ()


async def test_dates_in_another_year_are_shown_with_the_year() -> None:
    """Review H2: options, the name question and the hold showed "del 01/12 al 03/12" for a
    stay in 2027; a stay this year keeps the short form."""
    bot = Bot()
    [options] = await bot.send("somos 2 del 15 al 18 de marzo")
    assert options.text.startswith("Para 2 personas, del 15/03/2027 al 18/03/2027, tenemos:")
    [ask] = await bot.send("1")
    assert ask.text.startswith("¡Buenísimo! Cabaña del Lago, del 15/03/2027 al 18/03/2027.")
    [held] = await bot.send("Juana Pérez")
    assert "Te reservamos Cabaña del Lago del 15/03/2027 al 18/03/2027." in held.text
    [across] = await bot.send("y del 30 de diciembre al 2 de enero?")
    assert across.text.startswith("Para 2 personas, del 30/12 al 02/01/2027, tenemos:")


async def test_a_hedged_day_is_no_hedged_head_count() -> None:
    bot = Bot()
    [reply] = await bot.send("somos 2, capaz el 15 de enero por 3 noches")
    assert reply.text != texts.CONV_ASK_GUESTS_AGAIN
    assert "Para 2 personas" in reply.text
