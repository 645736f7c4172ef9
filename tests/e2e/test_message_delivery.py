"""Messages that arrive: free text inside WhatsApp's 24 h window, the approved template
outside it, and refused templates never silent. Real adapters against the fake Graph API
(which enforces the window and checks templates, spec §1.7), real PostgreSQL, the test's clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from entrypoints.settings import Settings
from tests.e2e.conftest import ADMIN_EMAIL, JWT_SECRET
from tests.e2e.test_admin import bearer
from tests.e2e.test_payments import DEPOSIT, hold, notify, status_of
from tests.fakes.providers import FakeMercadoPago, FakeWhatsApp
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]
OWNER = "5492944000111"
OWNER_OUTBOUND = "542944000111"
GUEST_OUTBOUND = "541155551234"


@pytest.fixture
def integrated_settings(integrated_settings: Settings) -> Settings:
    return msgspec.structs.replace(integrated_settings, admin_whatsapp_number=OWNER)


@pytest.fixture
def wa(wa: FakeWhatsApp, clock: FixedClock) -> FakeWhatsApp:
    wa.now = clock.now  # free text only within 24 h of the person's last message
    return wa


def _pause(status: str) -> Callable[[FakeWhatsApp], None]:
    def change(wa: FakeWhatsApp) -> None:
        wa.templates[("reserva_confirmada", "es_AR")]["status"] = status

    return change


def _forget(wa: FakeWhatsApp) -> None:
    del wa.templates[("reserva_confirmada", "es_AR")]


def _expect_five(wa: FakeWhatsApp) -> None:  # approved with another body than the code's
    wa.templates[("reserva_confirmada", "es_AR")]["params"] = 5


@pytest.mark.parametrize(
    ("break_template", "code"),
    [
        (_pause("PAUSED"), 132015),
        (_pause("DISABLED"), 132016),
        (_forget, 132001),
        (_expect_five, 132000),
    ],
)
async def test_a_refused_template_fails_the_message_and_the_owner_hears_of_it(
    pay_client: Client,
    mp: FakeMercadoPago,
    wa: FakeWhatsApp,
    break_template: Callable[[FakeWhatsApp], None],
    code: int,
) -> None:
    break_template(wa)
    booking = await hold(pay_client)
    mp.add_payment("2001", "approved", DEPOSIT, str(booking["code"]))
    await notify(pay_client, "2001")
    assert await status_of(pay_client, booking["code"]) == "confirmed"
    assert [(c, b["to"], b["template"]["name"]) for c, b in wa.refused] == [
        (code, GUEST_OUTBOUND, "reserva_confirmada")
    ]
    [(name, [alert])] = wa.templates_sent()
    assert name == "aviso_dueno"  # the owner never wrote either
    assert "reserva_confirmada" in alert
    assert str(code) in alert
    assert wa.sent[0]["to"] == OWNER_OUTBOUND


async def test_a_refused_owner_alert_template_raises_no_alert_about_itself(
    pay_client: Client, mp: FakeMercadoPago, wa: FakeWhatsApp
) -> None:
    wa.templates[("aviso_dueno", "es_AR")]["status"] = "PAUSED"
    booking = await hold(pay_client)
    mp.add_payment("2002", "approved", DEPOSIT - 1, str(booking["code"]))  # short: an alert
    await notify(pay_client, "2002")
    assert [(c, b["template"]["name"]) for c, b in wa.refused] == [(132015, "aviso_dueno")]
    assert wa.sent == []


async def test_the_owner_who_wrote_today_gets_alerts_as_text(
    pay_client: Client, mp: FakeMercadoPago, wa: FakeWhatsApp, clock: FixedClock
) -> None:
    from tests.e2e.test_whatsapp_conversation import Guest

    owner = Guest(pay_client, wa, phone=OWNER, name="Dueña")
    wa.customer_wrote(OWNER, clock.now())
    await owner.says("hola")  # the business number answers the owner like anyone
    clock.current += timedelta(hours=20)
    booking = await hold(pay_client)
    sent_before = len(wa.sent)
    mp.add_payment("2003", "approved", DEPOSIT - 1, str(booking["code"]))
    await notify(pay_client, "2003")
    [alert] = [m for m in wa.sent[sent_before:] if m["to"] == OWNER_OUTBOUND]
    assert alert["type"] == "text"
    assert "el monto no cubre la seña" in alert["text"]["body"]
    # It links to the reservation's page in the console.
    assert alert["text"]["body"].endswith(
        f"Miralo en el panel: https://cabanas.test/panel/reservas/{booking['code']}"
    )


async def test_a_confirmation_no_channel_delivers_is_queued_for_the_owner(
    pay_client: Client, mp: FakeMercadoPago, wa: FakeWhatsApp
) -> None:
    wa.templates[("reserva_confirmada", "es_AR")]["status"] = "PAUSED"
    booking = await hold(pay_client, guest_email=None)  # WhatsApp is the only channel
    mp.add_payment("2101", "approved", DEPOSIT, str(booking["code"]))
    await notify(pay_client, "2101")
    alerts = [params[0] for name, params in wa.templates_sent() if name == "aviso_dueno"]
    assert len(alerts) == 2  # the template refused, and the guest left without the news
    assert any(
        "No pudimos hacerle llegar al huésped la confirmación de la reserva" in a
        and str(booking["code_display"]) in a
        for a in alerts
    )
    queue = (
        await pay_client.get(
            "/admin/messages/undeliverable", headers=bearer(ADMIN_EMAIL, secret=JWT_SECRET)
        )
    ).json()
    assert [(q["topic"], q["recipient"], q["reservation"]) for q in queue] == [
        ("booking_confirmed", "guest", booking["code_display"])
    ]
    [error] = queue[0]["errors"]
    assert "132015" in error
    assert "Juana" not in str(queue)  # no personal data in the queue
    # The owner phoned the guest: dismissed with a reason, it leaves the queue.
    resolve = f"/admin/messages/undeliverable/{queue[0]['id']}/resolve"
    admin_headers = bearer(ADMIN_EMAIL, secret=JWT_SECRET)
    done = await pay_client.post(
        resolve,
        json={"resolution": "dismissed", "reason": "le avisé por teléfono"},
        headers=admin_headers,
    )
    assert (done.status_code, done.json()) == (200, {"requeued": 0})
    assert (
        await pay_client.get("/admin/messages/undeliverable", headers=admin_headers)
    ).json() == []
    again = await pay_client.post(resolve, json={"resolution": "retried"}, headers=admin_headers)
    assert again.status_code == 404


async def test_a_confirmation_that_reaches_the_guest_on_one_channel_is_not_queued(
    pay_client: Client, mp: FakeMercadoPago, wa: FakeWhatsApp
) -> None:
    wa.templates[("reserva_confirmada", "es_AR")]["status"] = "PAUSED"
    booking = await hold(pay_client)  # with an e-mail (logged here: no SMTP_URL)
    mp.add_payment("2102", "approved", DEPOSIT, str(booking["code"]))
    await notify(pay_client, "2102")
    queue = (
        await pay_client.get(
            "/admin/messages/undeliverable", headers=bearer(ADMIN_EMAIL, secret=JWT_SECRET)
        )
    ).json()
    assert queue == []
