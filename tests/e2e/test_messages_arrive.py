"""Issue 21's "done when": a guest who books over HTTP, a guest who books on WhatsApp and pays
two days later, and an owner who has not written for a week all receive what they should —
the template (name and parameters) outside WhatsApp's 24 h window, free text inside it — and
e-mail arrives beside it. The fake Graph API enforces the window by the test's clock (free text
to someone who has not written in 24 h is refused with 131047, as WhatsApp does); the e-mail
goes over real SMTP to the suite's server. No sleeps: the clock is moved."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from entrypoints.settings import Secret, Settings
from tests.e2e.test_payments import DEPOSIT, hold, notify, status_of
from tests.e2e.test_whatsapp_conversation import (
    OUTBOUND,
    Guest,
    _fresh_conversations,  # noqa: F401 - autouse: no conversation leaks between tests
    _hold_lago,
    _messages_dated_by_the_test_clock,  # noqa: F401 - autouse: Meta dates messages "now"
    body_of,
)
from tests.fakes.providers import FakeMercadoPago, FakeWhatsApp
from tests.fakes.smtp import FakeSmtp
from tests.money_text import PESO
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]
OWNER = "5492944000111"
OWNER_OUTBOUND = "542944000111"
OWNER_EMAIL = "duena@cabanas.test"


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


async def test_a_guest_who_booked_over_http_and_never_wrote_gets_the_template_and_an_email(
    pay_client: Client, mp: FakeMercadoPago, wa: FakeWhatsApp, smtp: FakeSmtp
) -> None:
    booking = await hold(pay_client)
    mp.add_payment("4001", "approved", DEPOSIT, str(booking["code"]))
    await notify(pay_client, "4001")
    assert await status_of(pay_client, booking["code"]) == "confirmed"
    assert wa.refused == []  # no free text was even tried
    assert [m["to"] for m in wa.sent] == ["541155551234"]
    assert wa.templates_sent() == [
        (
            "reserva_confirmada",
            [
                "Juana",
                str(booking["code_display"]),
                "Cabaña del Lago",
                "18/12",
                "21/12",
                f"{PESO}86.700",
            ],
        )
    ]
    subjects = [r.message["Subject"] for r in smtp.to("juana@example.com")]
    assert f"Reserva {booking['code_display']} confirmada" in subjects


async def test_a_guest_who_books_on_whatsapp_and_pays_two_days_later_gets_the_template(
    pay_client: Client,
    mp: FakeMercadoPago,
    wa: FakeWhatsApp,
    clock: FixedClock,
) -> None:
    guest = Guest(pay_client, wa)
    wa.customer_wrote(guest.phone, clock.now())  # each message the guest sends opens it
    code = await _hold_lago(guest)
    link = wa.sent[-1]
    assert link["type"] == "text"  # the deposit link, inside the window: free text
    assert "Mercado Pago" in body_of(link)
    clock.current += timedelta(days=2)
    mp.add_payment("4002", "approved", 112_200.0, code.replace("-", ""))
    before = len(wa.sent)
    await notify(pay_client, "4002")
    assert await status_of(pay_client, code.replace("-", "")) == "confirmed"
    [confirmed] = wa.sent[before:]
    assert confirmed["to"] == OUTBOUND
    assert confirmed["type"] == "template"
    assert wa.templates_sent()[-1] == (
        "reserva_confirmada",
        ["Juana", code, "Cabaña del Lago", "04/12", "08/12", f"{PESO}112.200"],
    )
    assert wa.refused == []


async def test_a_guest_who_pays_within_the_window_gets_free_text(
    pay_client: Client, mp: FakeMercadoPago, wa: FakeWhatsApp, clock: FixedClock
) -> None:
    guest = Guest(pay_client, wa)
    wa.customer_wrote(guest.phone, clock.now())
    code = await _hold_lago(guest)
    clock.current += timedelta(minutes=40)
    mp.add_payment("4003", "approved", 112_200.0, code.replace("-", ""))
    before = len(wa.sent)
    await notify(pay_client, "4003")
    [confirmed] = wa.sent[before:]
    assert confirmed["type"] == "text"
    assert body_of(confirmed) == (
        f"¡Listo, Juana! 🎉 Tu reserva {code} en Cabaña del Lago del 04/12 al 08/12 está "
        f"confirmada. Recibimos la seña de {PESO}112.200. El saldo de {PESO}261.800 se paga "
        "hasta el 04/12. ¡Te esperamos!\n\n"
        f"Tu reserva, con todos los detalles: https://cabanas.test/r/{code.replace('-', '')}"
    )
    assert wa.templates_sent() == []


async def test_an_owner_silent_for_a_week_gets_alerts_as_templates_and_by_email(
    pay_client: Client,
    mp: FakeMercadoPago,
    wa: FakeWhatsApp,
    smtp: FakeSmtp,
    clock: FixedClock,
) -> None:
    owner = Guest(pay_client, wa, phone=OWNER, name="Dueña")
    wa.customer_wrote(OWNER, clock.now())
    await owner.says("hola")  # the owner last wrote to the business number a week ago
    clock.current += timedelta(days=7)
    booking = await hold(pay_client, guest_email=None)
    mp.add_payment("4004", "approved", DEPOSIT - 1, str(booking["code"]))  # short: an alert
    before = len(wa.sent)
    await notify(pay_client, "4004")
    [alert] = [m for m in wa.sent[before:] if m["to"] == OWNER_OUTBOUND]
    assert alert["type"] == "template"
    [(_, [text])] = [t for t in wa.templates_sent() if t[0] == "aviso_dueno"]
    assert text == (
        f"⚠️ Pago 4004 de Mercado Pago para la reserva {booking['code_display']}: el monto no "
        "cubre la seña. Miralo en el panel: "
        f"https://cabanas.test/panel/reservas/{booking['code']}"
    )
    [mail] = smtp.to(OWNER_EMAIL)
    assert text in mail.part("plain")
    assert wa.refused == []
