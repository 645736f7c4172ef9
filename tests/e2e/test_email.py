"""E-mail as a second channel, end to end: through the outbox (never from a request), over
real SMTP to a server the suite starts (aiosmtpd), checked as received: headers, the text and
HTML parts, the links, and that no guest's e-mail carries another guest's data."""

from __future__ import annotations

import re
from datetime import timedelta

import msgspec
import pytest
from dishka import AsyncContainer
from litestar import Litestar
from litestar.testing import AsyncTestClient

from application.messaging.dispatch_outbox import OUTBOX_BACKOFF, DispatchOutbox
from entrypoints.settings import Secret, Settings
from tests.e2e.conftest import ADMIN_EMAIL, JWT_SECRET
from tests.e2e.test_admin import bearer
from tests.e2e.test_payments import DEPOSIT, hold, notify, status_of
from tests.fakes.providers import FakeMercadoPago, FakeWhatsApp
from tests.fakes.smtp import FakeSmtp
from tests.money_text import PESO
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]
OWNER_PHONE = "5492944000111"
OWNER_EMAIL = "duena@cabanas.test"
MAIL_FROM = "Cabañas del Lago <reservas@cabanas.test>"


@pytest.fixture
def integrated_settings(integrated_settings: Settings, smtp: FakeSmtp) -> Settings:
    return msgspec.structs.replace(
        integrated_settings,
        admin_whatsapp_number=OWNER_PHONE,
        smtp_url=Secret(smtp.url),
        mail_from=MAIL_FROM,
        owner_email=OWNER_EMAIL,
    )


async def dispatch(worker: AsyncContainer) -> None:
    async with worker() as scope:
        await (await scope.get(DispatchOutbox))()


async def test_a_guest_who_gave_an_email_gets_the_link_and_the_confirmation_by_email(
    pay_client: Client, worker: AsyncContainer, mp: FakeMercadoPago, smtp: FakeSmtp
) -> None:
    booking = await hold(pay_client)
    assert smtp.received == []  # the request only queued it
    await dispatch(worker)
    [link_mail] = smtp.to("juana@example.com")
    assert link_mail.message["Subject"] == f"Pagá la seña de la reserva {booking['code_display']}"
    assert str(booking["payment_url"]) in link_mail.part("plain")
    assert f'href="{booking["payment_url"]}"' in link_mail.part("html").replace("&amp;", "&")

    mp.add_payment("3001", "approved", DEPOSIT, str(booking["code"]))
    await notify(pay_client, "3001")
    await notify(pay_client, "3001")  # redelivered: still one confirmation
    assert await status_of(pay_client, booking["code"]) == "confirmed"
    [_, confirmed] = smtp.to("juana@example.com")
    headers = confirmed.message
    assert confirmed.mail_from == "reservas@cabanas.test"
    assert headers["From"] == MAIL_FROM
    assert headers["To"] == "juana@example.com"
    assert headers["Subject"] == f"Reserva {booking['code_display']} confirmada"
    assert re.fullmatch(r"<cabanas\.outbox-\d+@cabanas\.test>", headers["Message-ID"])
    assert headers["Date"]
    assert headers["Content-Language"] == "es-AR"
    assert headers.get_content_type() == "multipart/alternative"
    text, page = confirmed.part("plain"), confirmed.part("html")
    for part in (text, page):
        assert "¡Hola, Juana!" in part
        assert str(booking["code_display"]) in part
        assert "Cabaña del Lago" in part
        assert "18/12/2026" in part
        assert "21/12/2026" in part
        assert f"{PESO}86.700" in part
    assert f"https://wa.me/{OWNER_PHONE}" in text
    assert f'<a href="https://wa.me/{OWNER_PHONE}"' in page
    assert '<html lang="es-AR">' in page
    assert smtp.logins  # it logged in with SMTP_URL's user and password


async def test_each_guest_email_carries_only_that_guests_data(
    pay_client: Client, worker: AsyncContainer, mp: FakeMercadoPago, smtp: FakeSmtp
) -> None:
    juana = await hold(pay_client)
    pedro = await hold(
        pay_client,
        accommodation_id=2,
        guest_name="Pedro Gómez",
        guest_phone="+5493815550000",
        guest_email="pedro@example.org",
    )
    mp.add_payment("3101", "approved", DEPOSIT, str(juana["code"]))
    mp.add_payment("3102", "approved", float(pedro["deposit_amount"]), str(pedro["code"]))
    await notify(pay_client, "3101")
    await notify(pay_client, "3102")
    await dispatch(worker)
    theirs = {"juana@example.com": juana, "pedro@example.org": pedro}
    for address, mine in theirs.items():
        mails = smtp.to(address)
        assert len(mails) == 2  # the deposit link and the confirmation
        other = next(b for a, b in theirs.items() if a != address)
        for mail in mails:
            assert mail.rcpt_tos == [address]
            whole = mail.message.as_string() + mail.part("plain") + mail.part("html")
            assert str(mine["code_display"]) in whole
            assert str(other["code_display"]) not in whole
            assert str(other["code"]) not in whole
            assert other["guest"]["name"].split()[0] not in whole  # type: ignore[index]
            assert "pedro" not in whole.lower() or address.startswith("pedro")
            assert "juana" not in whole.lower() or address.startswith("juana")


async def test_the_owner_gets_alerts_by_email_too(
    pay_client: Client, mp: FakeMercadoPago, smtp: FakeSmtp, wa: FakeWhatsApp
) -> None:
    booking = await hold(pay_client)
    mp.add_payment("3201", "approved", DEPOSIT - 1, str(booking["code"]))
    await notify(pay_client, "3201")
    [alert] = smtp.to(OWNER_EMAIL)
    assert alert.message["Subject"] == "Aviso del sistema de reservas"
    assert "el monto no cubre la seña" in alert.part("plain")
    assert f"https://cabanas.test/panel/reservas/{booking['code']}" in alert.part("plain")
    assert "wa.me" not in alert.part("plain")  # the owner's own number is no help to the owner
    assert [n for n, _ in wa.templates_sent()] == ["aviso_dueno"]


async def test_a_refused_email_is_retried_with_backoff_and_sent_once(
    pay_client: Client, worker: AsyncContainer, smtp: FakeSmtp, clock: FixedClock
) -> None:
    await hold(pay_client)
    smtp.refuse_with.append("451 4.3.0 Mailbox temporarily unavailable")
    await dispatch(worker)
    assert smtp.to("juana@example.com") == []
    await dispatch(worker)  # not due yet
    assert smtp.to("juana@example.com") == []
    clock.current += OUTBOX_BACKOFF.after(1)
    await dispatch(worker)
    await dispatch(worker)
    assert len(smtp.to("juana@example.com")) == 1


async def test_a_permanently_refused_address_is_given_up(
    pay_client: Client, worker: AsyncContainer, smtp: FakeSmtp, clock: FixedClock
) -> None:
    await hold(pay_client)
    smtp.refuse_with.append("550 5.1.1 No such user")
    await dispatch(worker)
    clock.current += timedelta(days=1)
    await dispatch(worker)
    assert smtp.to("juana@example.com") == []


async def test_an_alert_no_channel_delivers_goes_to_the_queue_and_nowhere_else(
    pay_client: Client, mp: FakeMercadoPago, smtp: FakeSmtp, wa: FakeWhatsApp
) -> None:
    wa.templates[("aviso_dueno", "es_AR")]["status"] = "DISABLED"
    smtp.refuse_with.append("550 5.1.1 No such user")
    booking = await hold(pay_client, guest_email=None)
    mp.add_payment("3301", "approved", DEPOSIT - 1, str(booking["code"]))
    await notify(pay_client, "3301")
    queue = (
        await pay_client.get(
            "/admin/messages/undeliverable", headers=bearer(ADMIN_EMAIL, secret=JWT_SECRET)
        )
    ).json()
    assert [(q["topic"], q["recipient"]) for q in queue] == [("owner_alert", "owner")]
    assert sorted(e.split(":")[0] for e in queue[0]["errors"]) == ["admin.alert", "email.message"]
    assert wa.sent == []  # no alert about the alert
    assert smtp.received == []
