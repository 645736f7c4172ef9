"""The scheduled messages with in-memory fakes and a clock set in Argentine time: what each
message says, when it goes, and that it goes once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from application.messaging.balance_reminders import RemindBalancesDue
from application.messaging.daily_summary import SendDailySummary, SummarySetup
from application.messaging.dispatch_outbox import OutboxSetup
from application.messaging.stay_messages import SendStayMessages
from application.ports.calendars import Feed
from application.ports.ledger import LedgerTerms
from application.ports.outbox import EmailMessage, OwnerAlert, WhatsAppMessage
from application.ports.payments import PaymentRecord
from application.ports.undeliverable import GUEST, UndeliverableMessage
from domain.booking.reservation import Channel, Guest, Reservation, ReservationStatus
from domain.calendar import ARGENTINA
from domain.calendar_sync.external_calendar import ExternalSource, HeldRelease
from domain.codes import ReservationCode
from domain.messaging.cabin_texts import CabinTexts
from domain.messaging.schedule import ScheduleRules
from domain.money import Money
from domain.payments.ledger import Flag, MoneyIn, MoneyOut, PaymentMethod
from domain.payments.payment import Attention, Payment, PaymentStatus
from domain.stay import Stay
from tests.money_text import PESO
from tests.unit.application.fakes import FakeUnitOfWork, FixedClock
from tests.unit.domain.builders import cabin

LAGO_TEXTS = CabinTexts(
    address="Ruta 40 km 2010, Villa La Angostura",
    map_url="https://maps.app.goo.gl/lago",
    keys="están en la caja con clave 1234",
    check_out_note="Dejá la llave en la caja.",
    thank_you_note="¡Fue un gusto recibirte!",
    review_url="https://g.page/r/lago/review",
)
CODE = "7K3M9QXD2F10"


def art(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=ARGENTINA)


def booking(
    code: str = CODE,
    check_in: date = date(2026, 12, 18),
    check_out: date = date(2026, 12, 21),
    *,
    status: ReservationStatus = ReservationStatus.CONFIRMED,
    email: str | None = "juana@example.com",
    name: str = "Juana Pérez",
) -> Reservation:
    return Reservation(
        code=ReservationCode(code),
        accommodation_id=1,
        stay=Stay(check_in, check_out),
        guests=2,
        guest=Guest(name, "+5491155551234", email),
        total=Money.of("300000"),
        deposit=Money.of("90000"),
        channel=Channel.API,
        status=status,
        created_at=datetime(2026, 12, 1, 15, tzinfo=UTC),
        expires_at=None if status is not ReservationStatus.PRE_RESERVED else art(30, 12),
    )


def world(*reservations: Reservation, texts: CabinTexts | None = LAGO_TEXTS) -> FakeUnitOfWork:
    uow = FakeUnitOfWork([cabin(id=1, name="Cabaña del Lago"), cabin(id=2, name="Bosque")])
    for r in reservations:
        uow.reservations.committed[r.code.value] = r
    if texts is not None:
        uow.cabin_texts.items[1] = texts
    return uow


def whatsapp(uow: FakeUnitOfWork) -> list[WhatsAppMessage]:
    return uow.outbox.sent(WhatsAppMessage)


def emails(uow: FakeUnitOfWork) -> list[EmailMessage]:
    return uow.outbox.sent(EmailMessage)


async def test_the_arrival_information_goes_once_from_ten_two_days_before() -> None:
    uow, clock = world(booking()), FixedClock(art(16, 9, 59))
    send = SendStayMessages(uow, clock, ScheduleRules())
    assert await send() == 0
    clock.current = art(16, 10, 0)
    assert await send() == 1
    [message] = whatsapp(uow)
    assert message.to == "+5491155551234"
    assert message.topic == "pre_arrival"
    assert message.reservation == CODE
    assert message.template is not None
    assert message.template.name == "info_llegada"
    assert message.template.params == (
        "Juana",
        "Cabaña del Lago",
        "18/12",
        "14:00",
        "Ruta 40 km 2010, Villa La Angostura",
        "https://maps.app.goo.gl/lago",
        "están en la caja con clave 1234",
    )
    assert "Las llaves: están en la caja con clave 1234" in message.text
    [mail] = emails(uow)
    assert mail.to == "juana@example.com"
    assert mail.subject == "Tu llegada a Cabaña del Lago el 18/12"
    assert "18/12/2026, desde las 14:00" in mail.text
    assert "7K3M-9QXD-2F10" in mail.text
    keys = [k for _, k in uow.outbox.committed]
    assert keys == ["scheduled:pre_arrival:7K3M9QXD2F10", "scheduled:pre_arrival:7K3M9QXD2F10:1"]
    for later in (art(16, 15), art(17, 10), art(18, 21)):
        clock.current = later
        assert await send() == 0  # once
    assert len(uow.outbox.committed) == 2


async def test_an_arrival_in_the_new_year_names_its_year() -> None:
    """Sent on 30/12 for an arrival on 01/01: "el 01/01/2027", not "el 01/01"."""
    uow = world(booking(check_in=date(2027, 1, 1), check_out=date(2027, 1, 4)))
    clock = FixedClock(art(30, 10, 0))
    assert await SendStayMessages(uow, clock, ScheduleRules())() == 1
    [message] = whatsapp(uow)
    assert "Te esperamos en Cabaña del Lago el 01/01/2027, desde las 14:00" in message.text
    assert message.template is not None
    assert message.template.params[2] == "01/01/2027"


async def test_without_an_address_the_owner_is_told_and_it_goes_once_the_address_is_saved() -> None:
    uow, clock = world(booking(), texts=None), FixedClock(art(16, 10))
    send = SendStayMessages(uow, clock, ScheduleRules())
    assert await send() == 0
    clock.current = art(16, 11)
    assert await send() == 0
    [alert] = uow.outbox.sent(OwnerAlert)  # once a day, not every pass
    assert "Cabaña del Lago no tiene cargada la dirección" in alert.text
    assert "/api/" not in alert.text  # the owner acts on the console, not the API
    assert alert.link == "/panel/cabanas/1"  # where the cabin's texts for the guests are
    assert whatsapp(uow) == []
    uow.cabin_texts.items[1] = LAGO_TEXTS
    clock.current = art(16, 11, 5)
    assert await send() == 1
    assert [m.topic for m in whatsapp(uow)] == ["pre_arrival"]


async def test_holds_and_cancelled_bookings_get_nothing() -> None:
    uow = world(
        booking("AAAAAAAAAAAA", status=ReservationStatus.PRE_RESERVED),
        booking("BBBBBBBBBBBB", status=ReservationStatus.CANCELLED),
    )
    clock = FixedClock(art(16, 12))
    assert await SendStayMessages(uow, clock, ScheduleRules())() == 0
    assert await RemindBalancesDue(uow, clock, ScheduleRules())() == 0
    assert uow.outbox.committed == []


async def test_the_check_out_reminder_goes_the_evening_before_and_the_thank_you_after() -> None:
    uow, clock = world(booking(email=None)), FixedClock(art(20, 18, 59))
    send = SendStayMessages(uow, clock, ScheduleRules())
    assert await send() == 0
    clock.current = art(20, 19)
    assert await send() == 1
    [reminder] = whatsapp(uow)
    assert reminder.template is not None
    assert reminder.template.name == "recordatorio_salida"
    assert reminder.template.params == (
        "Juana",
        "21/12",
        "Cabaña del Lago",
        "10:00",
        "Dejá la llave en la caja.",
    )
    assert emails(uow) == []  # no address given: WhatsApp only
    clock.current = art(21, 12)
    assert await send() == 0
    clock.current = art(22, 10)
    assert await send() == 1
    thanks = whatsapp(uow)[-1]
    assert thanks.template is not None
    assert thanks.template.name == "gracias_por_venir"
    assert thanks.template.params == (
        "Juana",
        "Cabaña del Lago",
        "¡Fue un gusto recibirte!",
        "https://g.page/r/lago/review",
    )
    assert "respondé BAJA" in thanks.text


async def test_no_thank_you_without_a_review_link() -> None:
    uow = world(booking(), texts=CabinTexts(address="Ruta 40"))
    assert await SendStayMessages(uow, FixedClock(art(22, 10)), ScheduleRules())() == 0
    assert uow.outbox.committed == []


async def test_the_balance_reminder_reads_what_is_owed_from_the_ledger() -> None:
    owing = booking()
    paid_in_full = booking(
        "PPPPPPPPPPPP", check_in=date(2026, 12, 15), check_out=date(2026, 12, 16)
    )
    uow = world(owing, paid_in_full)
    # The ledger (issue 22): the deposit of one by Mercado Pago and a transfer for another
    # 40.000; the other paid in full in two parts. The payments table is not read.
    for code, reference, method, amount in (
        (CODE, "mp-1", PaymentMethod.MERCADOPAGO, "90000"),
        (CODE, "manual:transfer", PaymentMethod.TRANSFER, "40000"),
        ("PPPPPPPPPPPP", "mp-2", PaymentMethod.MERCADOPAGO, "90000"),
        ("PPPPPPPPPPPP", "mp-3", PaymentMethod.MERCADOPAGO, "210000"),
    ):
        paid = MoneyIn(reference, method, Money.of(amount), date(2026, 12, 1), "test")
        uow.ledger.committed.append((code, "payment", paid))
    clock = FixedClock(art(11, 9, 59))
    remind = RemindBalancesDue(uow, clock, ScheduleRules(), LedgerTerms(balance_due_days=5))
    assert await remind() == 0
    clock.current = art(11, 10)
    assert await remind() == 1  # the booking paid in full is not reminded
    [message] = whatsapp(uow)
    assert message.topic == "balance_reminder"
    assert message.template is not None
    assert message.template.params == (
        "Juana",
        "7K3M-9QXD-2F10",
        "Cabaña del Lago",
        f"{PESO}170.000",  # 300.000 - 90.000 - 40.000, as the ledger holds it
        "13/12",  # the ledger's due date: BALANCE_DUE_DAYS (5) before check-in
    )
    assert emails(uow)[0].subject == "Saldo de tu reserva 7K3M-9QXD-2F10"
    clock.current = art(17, 21)
    assert await remind() == 0


async def test_a_refund_in_the_ledger_counts_against_what_was_paid() -> None:
    uow = world(booking())
    paid = MoneyIn("mp-1", PaymentMethod.MERCADOPAGO, Money.of("300000"), date(2026, 12, 1), "t")
    refund = MoneyOut("refund-1", Money.of("50000"), date(2026, 12, 2), "owner")
    uow.ledger.committed += [(CODE, "payment", paid), (CODE, "refund", refund)]
    assert await RemindBalancesDue(uow, FixedClock(art(11, 10)), ScheduleRules())() == 1
    [message] = whatsapp(uow)
    assert message.template is not None
    assert message.template.params[3] == f"{PESO}50.000"
    assert message.template.params[4] == "11/12"  # the default: 7 days before check-in


async def test_a_pass_that_dies_before_committing_leaves_the_message_to_the_next() -> None:
    uow, clock = world(booking()), FixedClock(art(16, 10))
    send = SendStayMessages(uow, clock, ScheduleRules())
    uow.outbox.crash_on = EmailMessage  # the WhatsApp row is written, then the process dies
    with pytest.raises(RuntimeError):
        await send()
    assert uow.outbox.committed == []
    assert uow.schedule.committed == {}  # the claim went with its rows
    assert await send() == 1
    assert len(uow.outbox.committed) == 2


OWNER = OutboxSetup(
    admin_phone="5492944000111",
    owner_email="duena@cabanas.test",
    console_base_url="https://cabanas.test",
)


def feed(feed_id: int, source: ExternalSource, synced: datetime, **changes: object) -> Feed:
    values: dict[str, object] = {
        "id": feed_id,
        "accommodation_id": 1,
        "source": source,
        "url": f"https://example.com/{feed_id}.ics",
        "enabled": True,
        "etag": None,
        "last_modified": None,
        "last_synced_at": synced,
        "last_success_at": synced,
        "last_error": None,
        "events_count": 1,
        "created_at": art(1, 0),
    }
    return Feed(**{**values, **changes})  # type: ignore[arg-type]


async def test_the_owners_summary_tells_the_day_and_what_needs_a_look_once() -> None:
    arriving = booking("AAAAAAAAAAAA", date(2026, 12, 10), date(2026, 12, 12))
    leaving = booking("BBBBBBBBBBBB", date(2026, 12, 7), date(2026, 12, 10), name="Pedro Gómez")
    later = booking("CCCCCCCCCCCC", date(2026, 12, 15), date(2026, 12, 16))
    hold = booking("DDDDDDDDDDDD", date(2026, 12, 20), date(2026, 12, 22))
    hold.status, hold.expires_at = ReservationStatus.PRE_RESERVED, art(10, 8, 30)
    uow = world(arriving, leaving, later, hold)
    now = art(10, 8)
    listed = [
        feed(1, ExternalSource.AIRBNB, now - timedelta(minutes=5)),
        feed(2, ExternalSource.BOOKING, now - timedelta(hours=3), last_error="HTTP 500"),
        feed(
            3,
            ExternalSource.GOOGLE,
            now - timedelta(minutes=1),
            held_release=HeldRelease(4, "x", 1, now),
        ),
    ]
    uow.feeds.read.feeds.update({f.id: f for f in listed})
    uow.undeliverable.items["g"] = UndeliverableMessage("g", "pre_arrival", GUEST, CODE, "x", now)
    record = PaymentRecord(
        Payment("9", PaymentStatus.APPROVED, Money.of("1"), None),
        None,
        Attention.UNKNOWN_REFERENCE,
        "?",
        now,
        now,
    )
    uow.payments.committed["9"] = record
    deposit = MoneyIn("mp-a", PaymentMethod.MERCADOPAGO, Money.of("90000"), date(2026, 12, 1), "t")
    uow.ledger.committed.append(("AAAAAAAAAAAA", "payment", deposit))
    clock = FixedClock(art(10, 7, 59))
    summary = SendDailySummary(uow, clock, ScheduleRules(), OWNER, SummarySetup())
    assert await summary() == 0
    clock.current = now
    assert await summary() == 1
    [message] = whatsapp(uow)
    assert message.to == "5492944000111"
    assert message.topic == "owner_daily_summary"
    assert message.template is not None
    assert message.template.name == "resumen_diario"
    assert message.template.params == (
        "jueves 10/12",
        "Cabaña del Lago: Juana Pérez (AAAA-AAAA-AAAA)",
        "Cabaña del Lago: Pedro Gómez (BBBB-BBBB-BBBB)",
        "1",
        # Arriving today (its deposit in the ledger) and on the 15th, within the 7 days: the
        # first owes 210.000; the second's payments were never recorded (confirmed before the
        # ledger existed): unknown, not its whole 300.000.
        f"{PESO}210.000 (1 reserva); 1 reserva sin datos de pagos",
        "Booking.com de Cabaña del Lago sin actualizar",
        # Where each of them is acted on (the template keeps its seven parameters).
        "1 mensaje no entregado, 1 pago a revisar, 1 calendario retenido. "
        "Todo en el panel: https://cabanas.test/panel/",
    )
    assert message.text.startswith("☀️ Resumen del jueves 10/12\nLlegadas: Cabaña del Lago")
    assert message.text.endswith("\nTodo en el panel: https://cabanas.test/panel/")
    [mail] = emails(uow)
    assert mail.to is None  # the owner's address, resolved when sent
    assert mail.subject == "Resumen del jueves 10/12"
    assert "Todo en el panel: https://cabanas.test/panel/\n\n¡Buen día!" in mail.text
    for later_today in (art(10, 8, 1), art(10, 23, 59)):
        clock.current = later_today
        assert await summary() == 0
    clock.current = art(11, 8)
    assert await summary() == 1  # the next day's


async def test_a_quiet_day_says_so_and_no_owner_channel_means_no_summary() -> None:
    uow, clock = world(), FixedClock(art(10, 9))
    assert await SendDailySummary(uow, clock, ScheduleRules(), OutboxSetup(), SummarySetup())() == 0
    assert uow.outbox.committed == []
    only_mail = OutboxSetup(owner_email="duena@cabanas.test")
    assert await SendDailySummary(uow, clock, ScheduleRules(), only_mail, SummarySetup())() == 1
    [mail] = emails(uow)
    assert whatsapp(uow) == []
    assert mail.text == (
        "Resumen del jueves 10/12\n\nLlegadas: ninguna\nSalidas: ninguna\n"
        "Pre-reservas vigentes: 0\nSaldos a cobrar: ninguno\n"
        "Calendarios: sin calendarios externos\nPara revisar: nada\n\n¡Buen día!"
    )


async def test_no_balance_reminder_for_a_booking_whose_payments_were_never_recorded() -> None:
    """Confirmed before the ledger existed (or without an amount): its deposit was paid, never
    written down. Asking the guest for the whole total would ask for the deposit twice."""
    uow = world(booking())
    assert await RemindBalancesDue(uow, FixedClock(art(11, 10)), ScheduleRules())() == 0
    assert uow.outbox.committed == []
    # Once the owner writes down what it was paid, the reminder asks for the rest.
    paid = MoneyIn("t-1", PaymentMethod.TRANSFER, Money.of("90000"), date(2026, 12, 1), "owner")
    uow.ledger.committed.append((CODE, "payment", paid))
    assert await RemindBalancesDue(uow, FixedClock(art(11, 10)), ScheduleRules())() == 1
    [message] = whatsapp(uow)
    assert message.template is not None
    assert message.template.params[3] == f"{PESO}210.000"


async def test_the_owners_summary_counts_a_payment_recorded_by_hand_that_matched_nothing() -> None:
    arriving = booking("AAAAAAAAAAAA", date(2026, 12, 10), date(2026, 12, 12))
    uow = world(arriving)
    part = MoneyIn("manual:a", PaymentMethod.CASH, Money.of("20000"), date(2026, 12, 1), "t", None)
    uow.ledger.committed.append(("AAAAAAAAAAAA", "payment", replace(part, flag=Flag.UNMATCHED)))
    now = art(10, 8)
    assert await SendDailySummary(uow, FixedClock(now), ScheduleRules(), OWNER, SummarySetup())()
    [message] = whatsapp(uow)
    assert message.template is not None
    assert message.template.params[-1].startswith("1 pago a revisar. Todo en el panel: ")
