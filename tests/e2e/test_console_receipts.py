"""Comprobantes in the console: a transfer receipt arrives over WhatsApp (signed webhook, the
fake Graph API's media endpoint), waits on Hoy, is shown next to its booking (the image served
by the console with its checked type), and is approved — the transfer is in the ledger and the
hold confirmed — or rejected with a reason, which the guest is told."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from application.messaging import texts
from domain.accounts import Role
from entrypoints.settings import Settings
from tests.e2e.console_client import OWNER, console_for, for_owners
from tests.e2e.test_console_reservations import rows
from tests.e2e.test_ledger import admin
from tests.e2e.test_payments import DEPOSIT, hold, status_of
from tests.e2e.test_receipts import JPEG, image
from tests.e2e.test_whatsapp_conversation import (
    PHONE,
    Guest,
    _fresh_conversations,  # noqa: F401 - autouse: no conversation leaks between tests
    _messages_dated_by_the_test_clock,  # noqa: F401 - autouse: Meta dates messages "now"
)
from tests.fakes.providers import FakeWhatsApp
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]
PDF = b"%PDF-1.7\n" + b"1 0 obj << >> endobj\n" * 20
LINK = re.compile(r'href="/panel/comprobantes/(\d+)"')


async def receipt_from_guest(
    pay_client: Client, wa: FakeWhatsApp, media_id: str, mime: str, data: bytes
) -> dict[str, object]:
    booking = await hold(pay_client, payment_method="transfer")
    wa.media[media_id] = (mime, data)
    kind = "image" if mime.startswith("image/") else "document"
    message = (
        image(media_id, mime)
        if kind == "image"
        else {"type": "document", "document": {"id": media_id, "mime_type": mime}}
    )
    await Guest(pay_client, wa).send(message)
    return booking


async def test_a_receipt_waits_on_hoy_is_shown_and_approving_it_confirms_the_hold(
    pay_client: Client, wa: FakeWhatsApp, integrated_settings: Settings, clock: FixedClock
) -> None:
    booking = await receipt_from_guest(pay_client, wa, "4455", "image/jpeg", JPEG)
    code = str(booking["code"])
    async with console_for(for_owners(integrated_settings), clock) as console:
        await console.member(OWNER, Role.OWNER)
        today = await console.client.get("/panel/")
        assert "Comprobantes para revisar" in today.text
        assert "1 comprobante de transferencia espera tu aprobación" in today.text
        assert (
            f'Foto de la reserva <span class="code">{booking["code_display"]}</span> · llegó'
            in today.text
        )
        [receipt_id] = LINK.findall(today.text)
        path = f"/panel/comprobantes/{receipt_id}"

        shown = await console.client.get(path)
        assert shown.status_code == 200, shown.text[:2000]
        assert "img-src 'self'" in shown.headers["content-security-policy"]
        assert f'<img class="receipt" src="{path}/archivo"' in shown.text
        assert f"…{PHONE[-4:]}" in shown.text
        assert PHONE not in shown.text
        assert 'value="86.700"' in shown.text  # prefilled with the deposit owed
        assert str(booking["code_display"]) in shown.text

        served = await console.client.get(f"{path}/archivo")
        assert served.status_code == 200
        assert served.content == JPEG
        assert served.headers["content-type"] == "image/jpeg"
        assert served.headers["content-disposition"].startswith("inline;")
        assert served.headers["x-content-type-options"] == "nosniff"
        assert "no-store" in served.headers["cache-control"]

        reserva = await console.client.get(f"/panel/reservas/{code}")
        assert f'href="{path}"' in reserva.text

        bad = await console.post(f"{path}/aprobar", {"monto": "mucho"}, path)
        assert bad.status_code == 400
        assert "Escribí el monto en pesos" in bad.text
        assert 'value="mucho"' in bad.text  # the input is kept

        approved = await console.post(f"{path}/aprobar", {"monto": "86.700"}, path)
        assert approved.status_code == 303, approved.text[:2000]
        assert approved.headers["location"] == f"/panel/reservas/{code}?hecho=pago-confirmada"
        again = await console.client.post(
            f"{path}/aprobar", data={"monto": "86.700", "_csrf_token": await console.token(path)}
        )
        assert again.headers["location"] == f"/panel/reservas/{code}?hecho=pago-repetido"
        assert "Comprobantes para revisar" not in (await console.client.get("/panel/")).text
        after = await console.client.get(path)
        assert "Aprobado" in after.text
        assert 'action="' + path + '/aprobar"' not in after.text

    assert await status_of(pay_client, code) == "confirmed"
    ledger = (await pay_client.get(f"/admin/reservations/{code}/ledger", headers=admin())).json()
    [payment] = ledger["payments"]
    assert (payment["method"], payment["amount"]) == ("transfer", DEPOSIT)
    audit = await rows(
        integrated_settings,
        "SELECT actor FROM admin_audit_log WHERE target = $1 AND action LIKE '%payment%'",
        code,
    )
    assert [r["actor"] for r in audit] == [OWNER]


async def test_rejecting_needs_a_reason_and_the_guest_is_told_it(
    pay_client: Client, wa: FakeWhatsApp, integrated_settings: Settings, clock: FixedClock
) -> None:
    booking = await receipt_from_guest(pay_client, wa, "6677", "application/pdf", PDF)
    async with console_for(for_owners(integrated_settings), clock) as console:
        await console.member(OWNER, Role.OWNER)
        [receipt_id] = LINK.findall((await console.client.get("/panel/")).text)
        path = f"/panel/comprobantes/{receipt_id}"
        shown = await console.client.get(path)
        assert "Abrir o descargar el PDF" in shown.text
        assert "<img" not in shown.text
        served = await console.client.get(f"{path}/archivo")
        assert (served.headers["content-type"], served.content) == ("application/pdf", PDF)

        no_reason = await console.post(f"{path}/rechazar", {"motivo": "  "}, path)
        assert no_reason.status_code == 400
        assert "Escribí por qué lo rechazás" in no_reason.text
        assert 'aria-invalid="true"' in no_reason.text
        assert (await pay_client.get("/admin/receipts", headers=admin())).json() != []
        # Longer than kept: refused as written (the guest would get it cut on WhatsApp).
        long = "No se lee el monto. " * 30
        too_long = await console.post(f"{path}/rechazar", {"motivo": long}, path)
        assert too_long.status_code == 400
        assert "Puede tener hasta 500 caracteres (tiene 599): acortalo." in too_long.text
        assert long.strip() in too_long.text
        assert (await pay_client.get("/admin/receipts", headers=admin())).json() != []

        rejected = await console.post(f"{path}/rechazar", {"motivo": "No se lee el monto"}, path)
        assert rejected.status_code == 303
        assert rejected.headers["location"] == f"{path}?hecho=rechazado"
        assert "Rechazado" in (await console.client.get(rejected.headers["location"])).text
        late = await console.post(f"{path}/aprobar", {"monto": "86.700"}, path)
        assert late.status_code == 409
        assert "Ese comprobante ya se decidió" in late.text

    assert (await pay_client.get("/admin/receipts", headers=admin())).json() == []
    assert await status_of(pay_client, booking["code"]) == "pre_reserved"
    told = await rows(
        integrated_settings,
        "SELECT payload->>'to' AS to, payload->>'text' AS text FROM outbox WHERE dedupe_key = $1",
        f"receipt:rejected:{receipt_id}",
    )
    expected = texts.conv_receipt_rejected(str(booking["code_display"]), "No se lee el monto")
    assert [(r["to"], r["text"]) for r in told] == [(f"+{PHONE}", expected)]


async def test_staff_get_the_403_page_for_a_receipt_and_its_file(
    pay_client: Client, wa: FakeWhatsApp, integrated_settings: Settings, clock: FixedClock
) -> None:
    await receipt_from_guest(pay_client, wa, "8899", "image/jpeg", JPEG)
    [queued] = (await pay_client.get("/admin/receipts", headers=admin())).json()
    async with console_for(for_owners(integrated_settings), clock) as console:
        await console.accept(await console.invite(OWNER))
        await console.member("equipo@example.com", Role.STAFF)
        today = await console.client.get("/panel/")
        assert "Comprobantes para revisar" not in today.text
        for suffix in ("", "/archivo"):
            answer = await console.client.get(f"/panel/comprobantes/{queued['id']}{suffix}")
            assert answer.status_code == 403
            assert "solo para la dueña o el dueño" in answer.text
