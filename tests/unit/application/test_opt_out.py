"""BAJA, STOP and ALTA on WhatsApp, through the delivery path the webhook uses (fakes): the
choice is stored per number, confirmed in Spanish, and the thank-you alone stops."""

from __future__ import annotations

from datetime import date

from application.messaging.balance_reminders import RemindBalancesDue
from application.messaging.stay_messages import SendStayMessages
from domain.messaging.schedule import ScheduleRules
from domain.money import Money
from domain.payments.ledger import MoneyIn, PaymentMethod
from tests.unit.application.conversation.harness import PHONE, Bot
from tests.unit.application.test_scheduled_messages import LAGO_TEXTS, art, booking, whatsapp


async def test_baja_opts_the_number_out_and_is_confirmed_without_the_assistant() -> None:
    bot = Bot()
    [reply] = await bot.send("BAJA")
    assert reply.to == PHONE
    assert reply.text.startswith("Listo, te dimos de baja")
    assert "escribinos ALTA" in reply.text
    assert "541155551234" in bot.uow.opt_outs.numbers  # one form for 549… and +549…
    assert bot.state() is None  # the booking assistant never saw it
    assert bot.uow.idempotency.committed  # processed: a redelivery changes nothing
    assert all(row["processed"] for row in bot.uow.idempotency.committed.values())
    [again] = await bot.send("stop")
    assert again.text == reply.text
    [back] = await bot.send("Alta")
    assert back.text.startswith("¡Listo! Te volvimos a dar de alta")
    assert bot.uow.opt_outs.numbers == {}


async def test_a_sentence_with_baja_in_it_goes_to_the_assistant() -> None:
    bot = Bot()
    [reply] = await bot.send("hola, quiero dar de baja mi reserva")
    assert not reply.text.startswith("Listo, te dimos de baja")
    assert bot.uow.opt_outs.numbers == {}


async def test_an_opted_out_guest_gets_no_thank_you_but_every_transactional_message() -> None:
    bot = Bot()
    uow = bot.uow
    uow.reservations.committed["7K3M9QXD2F10"] = booking()
    deposit = MoneyIn("mp-1", PaymentMethod.MERCADOPAGO, Money.of("90000"), date(2026, 12, 1), "t")
    uow.ledger.committed.append(("7K3M9QXD2F10", "payment", deposit))  # a balance is owed
    uow.reservations.committed["AAAAAAAAAAAA"] = booking(
        "AAAAAAAAAAAA", date(2026, 12, 1), date(2026, 12, 3)
    )
    uow.cabin_texts.items[1] = LAGO_TEXTS
    await bot.send("BAJA")  # from the guest's phone: +5491155551234
    rules = ScheduleRules()
    bot.clock.current = art(4, 10)  # the thank-you for AAAA is due
    assert await SendStayMessages(uow, bot.clock, rules)() == 0
    bot.clock.current = art(11, 10)  # the balance of 7K3M is due
    assert await RemindBalancesDue(uow, bot.clock, rules)() == 1
    bot.clock.current = art(16, 10)
    assert await SendStayMessages(uow, bot.clock, rules)() == 1  # the arrival information
    topics = [m.topic for m in whatsapp(uow)]
    assert topics == ["reply", "balance_reminder", "pre_arrival"]
    assert [k for _, k in uow.outbox.committed if k and "thank_you" in k] == []  # nor e-mail


async def test_an_alta_in_time_brings_the_thank_you_back() -> None:
    bot = Bot()
    uow = bot.uow
    uow.reservations.committed["AAAAAAAAAAAA"] = booking(
        "AAAAAAAAAAAA", date(2026, 12, 1), date(2026, 12, 3)
    )
    uow.cabin_texts.items[1] = LAGO_TEXTS
    await bot.send("BAJA")
    bot.clock.current = art(4, 10)
    send = SendStayMessages(uow, bot.clock, ScheduleRules())
    assert await send() == 0
    await bot.send("ALTA")
    bot.clock.current = art(4, 11)
    assert await send() == 1
    assert whatsapp(uow)[-1].topic == "thank_you"
