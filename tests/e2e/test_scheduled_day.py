"""One whole day of the sync worker's scheduled messages, end to end: bookings made and paid
over HTTP, the owner's texts saved through the admin API, then the clock walked through
Thursday 10 December hour by hour, the worker's every duty run at each step (``run_once``, as
``cabanas sync --once`` does) and what arrived read back from the fake Graph API (which
enforces the 24 h window by the test clock) and the suite's SMTP server. One guest replied
BAJA days before: her thank-you does not go, her neighbour's does. No sleeps."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import msgspec
import pytest
from dishka import AsyncContainer
from litestar import Litestar
from litestar.testing import AsyncTestClient

from application.messaging.texts import ars
from domain.calendar import ARGENTINA
from domain.money import Money
from entrypoints.settings import Secret, Settings
from entrypoints.worker import run_once
from tests.e2e.conftest import JWT_SECRET
from tests.e2e.test_admin import bearer
from tests.e2e.test_payments import hold, notify, status_of
from tests.e2e.test_whatsapp_conversation import (
    Guest,
    _fresh_conversations,  # noqa: F401 - autouse: no conversation leaks between tests
    _messages_dated_by_the_test_clock,  # noqa: F401 - autouse: Meta dates messages "now"
    body_of,
)
from tests.fakes.providers import FakeMercadoPago, FakeWhatsApp
from tests.fakes.smtp import FakeSmtp
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]
OWNER = "5492944000111"
OWNER_OUTBOUND = "542944000111"
OWNER_EMAIL = "duena@cabanas.test"
DAY = 10  # Thursday 10 December 2026
TEXTS = {
    1: ("Ruta 40 km 2010, Villa La Angostura", "https://g.page/r/lago/review"),
    2: ("Los Coihues 55, Villa La Angostura", "https://g.page/r/bosque/review"),
    3: ("Ruta 231 km 4, Villa La Angostura", "https://g.page/r/alerces/review"),
}
# Who stays when (1 Lago, 2 Bosque, 3 Los Alerces) and what the 10th brings each.
STAYS = {
    "xavier": (1, "2026-12-07", "2026-12-10"),  # leaves on the 10th
    # Pre-arrival on the 10th; her balance (due on the 5th, BALANCE_DUE_DAYS before check-in) was
    # reminded on the 1st, the day she booked: BALANCE_REMINDER_DAYS before it is due had passed.
    "ana": (1, "2026-12-12", "2026-12-14"),
    "bruno": (1, "2026-12-17", "2026-12-19"),  # balance due on the 10th: reminded that morning
    "carla": (2, "2026-12-08", "2026-12-11"),  # check-out reminder on the evening of the 10th
    "elena": (3, "2026-12-06", "2026-12-09"),  # thank-you due on the 10th, but she said BAJA
    "gala": (2, "2026-12-04", "2026-12-08"),  # thank-you due on the 9th or 10th
    "franco": (3, "2026-12-10", "2026-12-12"),  # arrives on the 10th: pre-arrival that morning
}


def phone(name: str) -> str:
    return f"+54911555500{list(STAYS).index(name):02d}"


def outbound(name: str) -> str:
    return phone(name).replace("+549", "54")


def email(name: str) -> str:
    return f"{name}@example.com"


@pytest.fixture
def integrated_settings(integrated_settings: Settings, smtp: FakeSmtp) -> Settings:
    return msgspec.structs.replace(
        integrated_settings,
        admin_whatsapp_number=OWNER,
        smtp_url=Secret(smtp.url),
        mail_from="Cabañas del Lago <reservas@cabanas.test>",
        owner_email=OWNER_EMAIL,
    )


@pytest.fixture
def wa(wa: FakeWhatsApp, clock: FixedClock) -> FakeWhatsApp:
    wa.now = clock.now
    return wa


def local(hour: int, minute: int = 0, day: int = DAY) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=ARGENTINA)


async def book_and_pay(
    client: Client, mp: FakeMercadoPago, name: str, payment_id: str
) -> dict[str, object]:
    cabin, check_in, check_out = STAYS[name]
    booking = await hold(
        client,
        accommodation_id=cabin,
        check_in=check_in,
        check_out=check_out,
        guest_name=f"{name.capitalize()} Pérez",
        guest_phone=phone(name),
        guest_email=email(name),
    )
    mp.add_payment(
        payment_id, "approved", float(str(booking["deposit_amount"])), str(booking["code"])
    )
    await notify(client, payment_id)
    assert await status_of(client, booking["code"]) == "confirmed"
    return booking


async def test_one_day_of_scheduled_messages_each_at_its_hour_and_once(
    pay_client: Client,
    worker: AsyncContainer,
    integrated_settings: Settings,
    mp: FakeMercadoPago,
    wa: FakeWhatsApp,
    smtp: FakeSmtp,
    clock: FixedClock,
) -> None:
    admin = bearer(secret=JWT_SECRET)
    for cabin, (address, review) in TEXTS.items():
        current = (
            await pay_client.get(f"/admin/accommodations/{cabin}/messages", headers=admin)
        ).json()
        changed = {k: v for k, v in current.items() if k not in ("accommodation_id", "map_link")}
        changed.update(address=address, review_url=review, keys="en la caja con clave 1234")
        r = await pay_client.put(
            f"/admin/accommodations/{cabin}/messages", json=changed, headers=admin
        )
        assert r.status_code == 200, r.text
    bookings = {
        name: await book_and_pay(pay_client, mp, name, f"77{i}") for i, name in enumerate(STAYS)
    }
    code = {name: str(b["code_display"]) for name, b in bookings.items()}
    elena = Guest(pay_client, wa, phone=phone("elena").lstrip("+"), name="Elena")
    wa.customer_wrote(elena.phone, clock.now())
    [confirmed] = await elena.says("BAJA")
    assert body_of(confirmed).startswith("Listo, te dimos de baja")
    before = len(wa.sent)
    await run_once(worker, integrated_settings)  # today's leftovers: deposit links, 1 Dec summary
    first_day = [(m["to"], m["template"]["name"]) for m in wa.sent[before:] if "template" in m]
    assert (outbound("ana"), "saldo_link_de_pago") in first_day
    assert (outbound("bruno"), "saldo_link_de_pago") not in first_day  # his opens on the 3rd

    timeline: list[tuple[str, str, str, str]] = []

    async def run_at(at: datetime) -> None:
        clock.current = at
        sent, received = len(wa.sent), len(smtp.received)
        assert await run_once(worker, integrated_settings)
        for m in wa.sent[sent:]:
            what = m["template"]["name"] if m["type"] == "template" else "text"
            timeline.append((f"{at:%H:%M}", "whatsapp", m["to"], what))
        for mail in smtp.received[received:]:
            timeline.append(
                (f"{at:%H:%M}", "email", mail.rcpt_tos[0], str(mail.message["Subject"]))
            )

    carla = Guest(pay_client, wa, phone=phone("carla").lstrip("+"), name="Carla")
    for hour in range(24):
        for minute in (0, 59) if hour in (7, 9, 18, 23) else (0,):
            if (hour, minute) == (18, 59):
                # Carla writes in the evening: her 24 h window opens.
                clock.current = local(18, 59)
                wa.customer_wrote(carla.phone, clock.now())
                assert await carla.says("hola!")  # the assistant answers, as free text
            await run_at(local(hour, minute))

    at_eight = sorted(t for t in timeline if t[0] == "08:00")
    at_ten = sorted(t for t in timeline if t[0] == "10:00")
    at_seven_pm = sorted(t for t in timeline if t[0] == "19:00")
    assert at_eight == [
        ("08:00", "email", OWNER_EMAIL, "Resumen del jueves 10/12"),
        ("08:00", "whatsapp", OWNER_OUTBOUND, "resumen_diario"),
    ]
    assert at_ten == sorted(
        [
            ("10:00", "whatsapp", outbound("ana"), "info_llegada"),
            ("10:00", "email", email("ana"), "Tu llegada a Cabaña del Lago el 12/12"),
            ("10:00", "whatsapp", outbound("franco"), "info_llegada"),
            (
                "10:00",
                "email",
                email("franco"),
                "Tu llegada a Cabaña Familiar Los Alerces el 10/12",
            ),
            ("10:00", "whatsapp", outbound("bruno"), "saldo_link_de_pago"),
            ("10:00", "email", email("bruno"), f"Saldo de tu reserva {code['bruno']}"),
            ("10:00", "whatsapp", outbound("gala"), "gracias_por_venir"),
            ("10:00", "email", email("gala"), "¡Gracias por elegir Cabaña del Bosque!"),
        ]
    )
    assert at_seven_pm == [
        ("19:00", "email", email("carla"), "Mañana es tu salida de Cabaña del Bosque"),
        ("19:00", "whatsapp", outbound("carla"), "text"),  # she wrote an hour ago: free text
    ]
    assert len(timeline) == len(at_eight) + len(at_ten) + len(at_seven_pm)  # nothing else, once

    # What the owner read at 08:00, and what the guests read.
    balances = [
        Money.of(
            Decimal(str(bookings[n]["total_amount"])) - Decimal(str(bookings[n]["deposit_amount"]))
        )
        for n in ("franco", "ana", "bruno")
    ]
    summary = dict(wa.templates_sent())["resumen_diario"]
    assert summary == [
        "jueves 10/12",
        f"Cabaña Familiar Los Alerces: Franco Pérez ({code['franco']})",
        f"Cabaña del Lago: Xavier Pérez ({code['xavier']})",
        "0",
        f"{ars(sum(balances, Money.zero()))} (3 reservas)",
        "sin calendarios externos",
        "nada. Todo en el panel: https://cabanas.test/panel/",  # where each item is acted on
    ]
    [(_, arrival)] = [t for t in wa.templates_sent() if t[0] == "info_llegada" and t[1][0] == "Ana"]
    assert arrival == [
        "Ana",
        "Cabaña del Lago",
        "12/12",
        "14:00",
        "Ruta 40 km 2010, Villa La Angostura",
        "https://www.google.com/maps/search/?api=1&query=Ruta+40+km+2010%2C+Villa+La+Angostura",
        "en la caja con clave 1234",
    ]
    [reminder] = [m for m in wa.sent if m["to"] == outbound("carla") and m["type"] == "text"][-1:]
    assert body_of(reminder).startswith(
        "Hola, Carla. Te recordamos que mañana, 11/12, es la salida"
    )
    [thanks] = [m for m in smtp.to(email("gala")) if "Gracias" in str(m.message["Subject"])]
    assert "https://g.page/r/bosque/review" in thanks.part("plain")
    assert 'href="https://g.page/r/bosque/review"' in thanks.part("html")
    assert not [m for m in smtp.to(email("elena")) if "Gracias" in str(m.message["Subject"])]
    assert wa.refused == []  # no free text outside a window, no template refused
