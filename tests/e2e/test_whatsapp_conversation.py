"""The WhatsApp booking assistant end to end: signed webhook payloads in Meta's shapes through
HTTP, the replies read back from the fake Graph API server in the order the guest sees them
(button payloads included), holds and payments through the real use cases, the fake Mercado
Pago server and real PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from sqlalchemy import text

from adapters.postgres.database import make_engine
from adapters.redis.client import make_redis
from adapters.whatsapp.signature import sign
from entrypoints.embedded import EmbeddedRedis
from entrypoints.settings import Settings
from tests.e2e.conftest import NOW, WA_APP_SECRET
from tests.e2e.test_ledger import admin
from tests.e2e.test_payments import notify
from tests.fakes.providers import FakeMercadoPago, FakeWhatsApp
from tests.money_text import PESO
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]

PHONE = "5491155551234"  # as WhatsApp sends it (549 + 10 digits) ...
OUTBOUND = "541155551234"  # ... and as we must send to it (spec §1.6)
ADMIN = "5492944000111"
ADMIN_OUTBOUND = "542944000111"
LAGO = "pick:1:20261204:20261208:4"  # the seeded cabins are 1 Lago, 2 Bosque, 3 Los Alerces
ALERCES = "pick:3:20261204:20261208:4"
CODE = re.compile(r"Código: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")


@pytest.fixture
def integrated_settings(integrated_settings: Settings) -> Settings:
    """Owner alerts go to a WhatsApp number too, so the tests see them."""
    return msgspec.structs.replace(integrated_settings, admin_whatsapp_number=ADMIN)


@pytest.fixture(autouse=True)
async def _fresh_conversations(redis_server: EmbeddedRedis) -> AsyncIterator[None]:
    """Redis outlives a test (each gets a fresh database, not a fresh Redis): no conversation
    state may leak into the next test, here or in the other WhatsApp tests."""
    client = make_redis(redis_server.url())

    async def forget() -> None:
        async for key in client.scan_iter(match="conv:*"):
            await client.delete(key)

    await forget()
    yield
    await forget()
    await client.aclose()


_clock: list[FixedClock] = []


@pytest.fixture(autouse=True)
def _messages_dated_by_the_test_clock(clock: FixedClock) -> Iterator[None]:
    """Meta dates each message when the guest sends it: here, the app's (the test's) now."""
    _clock.append(clock)
    yield
    _clock.clear()


def _sent_at() -> datetime:
    return _clock[-1].now() if _clock else NOW


def _envelope(
    message: dict[str, Any], phone: str, name: str | None, sent_at: datetime | None = None
) -> bytes:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5492944000000", "phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": name}, "wa_id": phone}] if name else [],
        "messages": [
            {
                "from": phone,
                "id": f"wamid.{uuid.uuid4().hex}",
                "timestamp": str(int((sent_at or _sent_at()).timestamp())),
                **message,
            }
        ],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1029384756", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body, ensure_ascii=False).encode()


def typed(body: str) -> dict[str, Any]:
    return {"type": "text", "text": {"body": body}}


def tapped(button_id: str, title: str) -> dict[str, Any]:
    return {
        "type": "interactive",
        "context": {"from": "5492944000000", "id": "wamid.ours"},
        "interactive": {"type": "button_reply", "button_reply": {"id": button_id, "title": title}},
    }


class Guest:
    """One phone talking to the assistant; ``send`` returns what the guest (and the owner)
    received because of it, in order."""

    def __init__(
        self, client: Client, wa: FakeWhatsApp, phone: str = PHONE, name: str | None = "Juana"
    ):
        self.client, self.wa, self.phone, self.name = client, wa, phone, name

    async def send(
        self, message: dict[str, Any], sent_at: datetime | None = None
    ) -> list[dict[str, Any]]:
        """``sent_at``: when the guest sent it (by default, now on the test's clock)."""
        before = len(self.wa.sent)
        body = _envelope(message, self.phone, self.name, sent_at)
        r = await self.client.post(
            "/webhooks/whatsapp",
            content=body,
            headers={
                "X-Hub-Signature-256": sign(WA_APP_SECRET, body),
                "Content-Type": "application/json",
            },
        )
        assert r.status_code == 202, r.text
        return self.wa.sent[before:]

    async def says(self, body: str, sent_at: datetime | None = None) -> list[dict[str, Any]]:
        return await self.send(typed(body), sent_at)

    async def taps(self, button_id: str, title: str) -> list[dict[str, Any]]:
        return await self.send(tapped(button_id, title))


def body_of(message: dict[str, Any]) -> str:
    if message["type"] == "text":
        return str(message["text"]["body"])
    return str(message["interactive"]["body"]["text"])


def alert_of(message: dict[str, Any]) -> str:
    """An owner alert: the owner has not written to the business number in these tests, so it
    comes as the aviso_dueno template, the alert its one parameter."""
    assert message["type"] == "template", message
    assert message["template"]["name"] == "aviso_dueno"
    [body] = message["template"]["components"]
    [param] = body["parameters"]
    return str(param["text"])


def buttons_of(message: dict[str, Any]) -> list[tuple[str, str]]:
    assert message["type"] == "interactive"
    return [
        (b["reply"]["id"], b["reply"]["title"]) for b in message["interactive"]["action"]["buttons"]
    ]


async def _hold_lago(guest: Guest) -> str:
    """From the question to a hold on Cabaña del Lago; returns the code as displayed."""
    await guest.says("hola, tienen lugar para 4 el finde largo?")
    await guest.taps(LAGO, "Cabaña del Lago")
    replies = await guest.says("Juana Pérez")
    match = CODE.search(body_of(replies[0]))
    assert match, replies
    return match.group(1)


async def _count_reservations(client: Client) -> int:
    engine = make_engine(client.app.state.settings.database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text("SELECT count(*) FROM reservations"))).scalar_one())
    finally:
        await engine.dispose()


async def test_from_a_question_to_a_paid_booking(
    pay_client: Client, wa: FakeWhatsApp, mp: FakeMercadoPago
) -> None:
    tiers = {
        "cancellation_tiers": [
            {"min_days_before": 15, "percent": 100, "outcome": "refund"},
            {"min_days_before": 2, "percent": 100, "outcome": "credit", "credit_valid_days": 365},
        ]
    }
    put = await pay_client.put("/admin/accommodations/1/prices", json=tiers, headers=admin())
    assert put.status_code == 200, put.text
    guest = Guest(pay_client, wa)
    [options] = await guest.says("hola, tienen lugar para 4 el finde largo?")
    assert options["to"] == OUTBOUND
    assert body_of(options) == (
        "Para 4 personas, del 04/12 al 08/12, tenemos:\n"
        f"1. Cabaña del Lago: {PESO}374.000 en total (seña {PESO}112.200)\n"
        f"   • 2 noches (fin de semana): 2 × {PESO}102.000 = {PESO}204.000\n"
        f"   • 2 noches: 2 × {PESO}85.000 = {PESO}170.000\n"
        f"2. Cabaña Familiar Los Alerces: {PESO}540.000 en total (seña {PESO}162.000)\n"
        f"   • 2 noches (fin de semana): 2 × {PESO}150.000 = {PESO}300.000\n"
        f"   • 2 noches: 2 × {PESO}120.000 = {PESO}240.000\n"
        "¿Cuál te reservamos? Tocá una opción o escribinos el número."
    )
    assert buttons_of(options) == [(LAGO, "Cabaña del Lago"), (ALERCES, "Familiar Los Alerces")]

    [ask_name] = await guest.taps(LAGO, "Cabaña del Lago")
    assert body_of(ask_name) == (
        "¡Buenísimo! Cabaña del Lago, del 04/12 al 08/12. "
        "¿A nombre de quién hacemos la reserva? (nombre y apellido)"
    )
    assert buttons_of(ask_name) == [("name:profile", "Juana")]  # the profile name, one tap away

    held, pay_link = await guest.says("Juana Pérez")
    match = CODE.search(body_of(held))
    assert match
    code = match.group(1)
    page = f"https://cabanas.test/r/{code.replace('-', '')}"  # PUBLIC_BASE_URL's /r/{code}
    assert (await pay_client.get(page)).status_code == 200
    assert body_of(held) == (
        f"¡Listo, Juana! 🙌 Te reservamos Cabaña del Lago del 04/12 al 08/12. Código: {code}. "
        f"Total: {PESO}374.000. La seña es de {PESO}112.200 y te la guardamos hasta las 12:30.\n"
        f"• 2 noches (fin de semana): 2 × {PESO}102.000 = {PESO}204.000\n"
        f"• 2 noches: 2 × {PESO}85.000 = {PESO}170.000\n"
        "Si cancelás:\n"
        "• Con 15 días o más de anticipación: te devolvemos el 100 % de lo pagado.\n"
        "• Entre 2 y 14 días antes de la llegada: te queda un crédito del 100 % de lo pagado "
        "para usar en otra reserva dentro de 365 días.\n"
        "• Con menos de 2 días de anticipación: no hay devolución.\n"
        "En el próximo mensaje te mandamos el link de Mercado Pago para pagarla.\n\n"
        f"Tu reserva, con todos los detalles: {page}"
    )
    booking = (await pay_client.get(f"/reservations/{code}")).json()
    assert booking["status"] == "pre_reserved"
    assert booking["accommodation_id"] == 1
    assert booking["guests"] == 4
    assert booking["payment_url"].startswith("https://www.mercadopago.com.ar/checkout/v1/redirect")
    assert pay_link["to"] == OUTBOUND
    assert body_of(pay_link) == (
        f"Para confirmar la reserva {code}, pagá la seña de {PESO}112.200 con Mercado Pago acá: "
        f"{booking['payment_url']}"
    )
    [preference] = mp.preferences
    assert preference["external_reference"] == code.replace("-", "")

    mp.add_payment("1320000001", "approved", 112_200.0, code.replace("-", ""))
    before = len(wa.sent)
    assert (await notify(pay_client, "1320000001")).status_code == 202  # type: ignore[attr-defined]
    [confirmed] = wa.sent[before:]
    assert confirmed["to"] == OUTBOUND
    assert body_of(confirmed) == (
        f"¡Listo, Juana! 🎉 Tu reserva {code} en Cabaña del Lago del 04/12 al 08/12 está "
        f"confirmada. Recibimos la seña de {PESO}112.200. El saldo de {PESO}261.800 se paga "
        "hasta el 04/12. ¡Te esperamos!\n\n"
        "Si cancelás:\n"
        "• Con 15 días o más de anticipación: te devolvemos el 100 % de lo pagado.\n"
        "• Entre 2 y 14 días antes de la llegada: te queda un crédito del 100 % de lo pagado "
        "para usar en otra reserva dentro de 365 días.\n"
        "• Con menos de 2 días de anticipación: no hay devolución.\n\n"
        f"Tu reserva, con todos los detalles: {page}"
    )
    [status] = await guest.says("mi reserva")
    assert body_of(status) == (
        f"Tu reserva {code} en Cabaña del Lago del 04/12 al 08/12 está confirmada ✅ ¡Te esperamos!"
        f"\n\nTu reserva, con todos los detalles: {page}"
    )


async def test_a_choice_delivered_after_the_name_is_not_misunderstood(
    pay_client: Client, wa: FakeWhatsApp, clock: FixedClock
) -> None:
    """Review: WhatsApp delivered "1" (sent 30 s earlier) after "Pedro Gómez": the name got
    "Perdón, no te entendimos" and the "1" asked for the name again. Then a late "hola"
    (sent before the hold's name) is no answer to anything: nothing is sent back."""
    guest = Guest(pay_client, wa, name=None)
    now = clock.now()
    await guest.says("hola, tienen lugar para 4 el finde largo?", now - timedelta(minutes=1))
    named = await guest.says("Pedro Gómez", now)
    chosen = await guest.says("1", now - timedelta(seconds=30))
    said = [body_of(m) for m in named + chosen]
    assert not any("no te entendimos" in text for text in said), said
    assert not any("A nombre de quién" in text for text in said), said
    assert said[0].startswith("¡Gracias, Pedro! Te la reservamos a ese nombre")
    assert said[1].startswith("¡Listo, Pedro! 🙌 Te reservamos Cabaña del Lago del 04/12 al 08/12.")
    assert await _count_reservations(pay_client) == 1
    assert await guest.says("hola", now - timedelta(seconds=20)) == []


async def test_a_burst_of_messages_never_holds_twice(pay_client: Client, wa: FakeWhatsApp) -> None:
    guest = Guest(pay_client, wa)
    await guest.says("hola, tienen lugar para 4 el finde largo?")
    # WhatsApp delivers taps and retyped answers in bursts, as separate webhook calls.
    await asyncio.gather(guest.taps(LAGO, "Cabaña del Lago"), guest.taps(LAGO, "Cabaña del Lago"))
    replies = await asyncio.gather(guest.says("Juana Pérez"), guest.says("Juana Pérez"))
    holds = [m for batch in replies for m in batch if "Código:" in body_of(m)]
    assert len(holds) == 1
    assert await _count_reservations(pay_client) == 1


async def test_a_hold_is_cancelled_after_a_confirmation_button(
    pay_client: Client, wa: FakeWhatsApp
) -> None:
    guest = Guest(pay_client, wa)
    code = await _hold_lago(guest)
    [question] = await guest.says("quiero cancelar")
    assert body_of(question) == (
        f"¿Cancelamos la pre-reserva {code} en Cabaña del Lago del 04/12 al 08/12? "
        "Las noches quedan libres para otra persona."
    )
    plain = code.replace("-", "")
    assert buttons_of(question) == [
        (f"cancel:{plain}", "Sí, cancelar"),
        (f"keep:{plain}", "No, mantenerla"),
    ]
    [done] = await guest.taps(f"cancel:{plain}", "Sí, cancelar")
    assert body_of(done) == f"Listo, cancelamos la pre-reserva {code}. ¡Cuando quieras, escribinos!"
    assert (await pay_client.get(f"/reservations/{code}")).json()["status"] == "cancelled"
    [status] = await guest.says(f"como esta la reserva {code}?")
    assert body_of(status) == f"La reserva {code} está cancelada."


async def test_my_reservation_lists_every_live_booking_with_its_page(
    pay_client: Client, wa: FakeWhatsApp
) -> None:
    guest = Guest(pay_client, wa)
    first = await _hold_lago(guest)
    await guest.says("y del 15 al 18 de diciembre para 2?")
    await guest.says("la del bosque")
    [held, *_] = await guest.says("sí")
    match = CODE.search(body_of(held))
    assert match, held
    second = match.group(1)
    [status] = await guest.says("mi reserva")
    assert status["to"] == OUTBOUND
    lines = body_of(status).split("\n")
    assert lines[0] == "Tenés 2 reservas desde este número:"
    assert lines[1].startswith(
        f"1. {first} en Cabaña del Lago del 04/12 al 08/12: pre-reserva esperando la seña de "
        f"{PESO}112.200 hasta las 12:30. Podés pagarla acá: https://"
    )
    assert lines[2].startswith(f"2. {second} en Cabaña del Bosque del 15/12 al 18/12: pre-reserva")
    assert lines[3:] == [
        "",
        "Cada una, con todos los detalles:",
        f"• {first}: https://cabanas.test/r/{first.replace('-', '')}",
        f"• {second}: https://cabanas.test/r/{second.replace('-', '')}",
    ]


async def test_my_reservation_shows_the_live_hold_not_a_newer_one_cancelled(
    pay_client: Client, wa: FakeWhatsApp
) -> None:
    """Bug: after a second hold, cancelled, "mi reserva" said the cancelled one (the newest
    made) was cancelled, and not a word about the hold still waiting for its deposit."""
    guest = Guest(pay_client, wa)
    first = await _hold_lago(guest)
    await guest.says("y del 15 al 18 de diciembre para 2?")
    await guest.says("la del bosque")
    [held, *_] = await guest.says("sí")
    match = CODE.search(body_of(held))
    assert match, held
    second = match.group(1)
    await guest.says(f"cancelar {second}")
    [done] = await guest.taps(f"cancel:{second.replace('-', '')}", "Sí, cancelar")
    assert body_of(done).startswith(f"Listo, cancelamos la pre-reserva {second}.")
    [status] = await guest.says("mi reserva")
    text = body_of(status)
    assert text.startswith(
        f"Tu pre-reserva {first} en Cabaña del Lago del 04/12 al 08/12 está esperando la seña "
        f"de {PESO}112.200 hasta las 12:30. Podés pagarla acá: https://"
    ), text
    assert text.endswith(
        f"Tu reserva, con todos los detalles: https://cabanas.test/r/{first.replace('-', '')}"
    )


async def test_the_booking_to_cancel_is_picked_by_its_number_in_the_list(
    pay_client: Client, wa: FakeWhatsApp
) -> None:
    guest = Guest(pay_client, wa)
    first = await _hold_lago(guest)
    await guest.says("y del 15 al 18 de diciembre para 2?")
    await guest.says("la del bosque")
    [held, *_] = await guest.says("sí")
    match = CODE.search(body_of(held))
    assert match, held
    second = match.group(1)
    [which] = await guest.says("cancelar")
    assert body_of(which).startswith("Tenés 2 reservas desde este número:\n")
    [again] = await guest.says("la 3")
    assert body_of(again).startswith("No hay una reserva 3 en la lista 🤔")
    [question] = await guest.says("la 2")
    assert body_of(question) == (
        f"¿Cancelamos la pre-reserva {second} en Cabaña del Bosque del 15/12 al 18/12? "
        "Las noches quedan libres para otra persona."
    )
    [done] = await guest.says("sí")
    assert (
        body_of(done) == f"Listo, cancelamos la pre-reserva {second}. ¡Cuando quieras, escribinos!"
    )
    assert (await pay_client.get(f"/reservations/{second}")).json()["status"] == "cancelled"
    assert (await pay_client.get(f"/reservations/{first}")).json()["status"] == "pre_reserved"


async def test_cancelling_a_paid_booking_says_what_comes_back_then_goes_to_the_owner(
    pay_client: Client, wa: FakeWhatsApp, mp: FakeMercadoPago
) -> None:
    tiers = {
        "cancellation_tiers": [
            {"min_days_before": 15, "percent": 100, "outcome": "refund"},
            {"min_days_before": 2, "percent": 100, "outcome": "credit", "credit_valid_days": 365},
        ]
    }
    put = await pay_client.put("/admin/accommodations/1/prices", json=tiers, headers=admin())
    assert put.status_code == 200, put.text
    guest = Guest(pay_client, wa)
    code = await _hold_lago(guest)
    mp.add_payment("1320000002", "approved", 112_200.0, code.replace("-", ""))
    await notify(pay_client, "1320000002")
    [question] = await guest.says("no vamos a poder ir, cancelar")
    assert question["to"] == OUTBOUND
    page = f"https://cabanas.test/r/{code.replace('-', '')}"
    assert body_of(question) == (
        f"Tu reserva {code} en Cabaña del Lago del 04/12 al 08/12 está confirmada. Si la "
        f"cancelás hoy, te quedan {PESO}112.200 de los {PESO}112.200 que pagaste como crédito "
        "para otra fecha, válido por 365 días. ¿Querés que la cancelemos?\n\n"
        f"Tu reserva, con todos los detalles: {page}"
    )
    plain = code.replace("-", "")
    assert buttons_of(question) == [
        (f"cancel:{plain}", "Sí, cancelar"),
        (f"keep:{plain}", "No, mantenerla"),
    ]
    told, alert = await guest.taps(f"cancel:{plain}", "Sí, cancelar")
    assert body_of(told) == (
        f"Listo 🙌 Le pasamos tu pedido de cancelar la reserva {code} a una persona del equipo: "
        "la cancela y te escribe por acá a la brevedad, con lo que se devuelve si corresponde."
    )
    assert "te confirma la devolución" not in body_of(told)  # it was just told: a credit
    assert alert["to"] == ADMIN_OUTBOUND
    assert alert_of(alert) == (
        f"❗ El huésped de la reserva confirmada {code} pide cancelarla por WhatsApp. "
        "Cancelándola hoy (faltan 3 días para la llegada), la política de la cabaña le deja un "
        f"crédito de {PESO}112.200 de los {PESO}112.200 pagados, válido por 365 días. "
        f"Miralo en el panel: https://cabanas.test/panel/reservas/{code.replace('-', '')}"
    )  # the code and what the policy returns, no name or phone; its page in the console
    assert (await pay_client.get(f"/reservations/{code}")).json()["status"] == "confirmed"
    [waiting] = await guest.says("hola??")  # a person answers now: told once
    assert body_of(waiting).startswith("Ya le avisamos a una persona del equipo")
    assert await guest.says("hola???") == []


async def test_a_burst_of_photos_and_audios_gets_one_reply(
    pay_client: Client, wa: FakeWhatsApp, clock: FixedClock
) -> None:
    """Review L5: three photos in a row, three identical replies; a sticker got the same."""
    guest = Guest(pay_client, wa)
    photo = {"type": "image", "image": {"id": "1480000001", "mime_type": "image/jpeg"}}
    [note] = await guest.send(photo)
    assert "no podemos escuchar audios ni ver fotos" in body_of(note)
    clock.current += timedelta(seconds=15)
    assert (
        await guest.send({**photo, "image": {"id": "1480000002", "mime_type": "image/jpeg"}}) == []
    )
    assert await guest.send({"type": "audio", "audio": {"id": "1480000003"}}) == []
    clock.current += timedelta(minutes=10)
    [sticker] = await guest.send({"type": "sticker", "sticker": {"id": "1480000004"}})
    assert body_of(sticker).startswith("😄 ¿En qué te ayudamos?")


async def test_asking_for_a_person_hands_over_and_the_assistant_stays_quiet(
    pay_client: Client, wa: FakeWhatsApp
) -> None:
    guest = Guest(pay_client, wa)
    told, alert = await guest.says("quiero hablar con una persona")
    assert body_of(told) == (
        "¡Dale! Le avisamos a una persona del equipo y te escribe por acá a la brevedad 🙌"
    )
    assert alert["to"] == ADMIN_OUTBOUND
    assert f"https://wa.me/{PHONE}" in alert_of(alert)
    assert alert_of(alert).endswith("Miralo en el panel: https://cabanas.test/panel/conversaciones")
    # Review L6: "hola? hay alguien?" got silence; the first message is acknowledged once.
    [waiting] = await guest.says("hola? hay alguien?")
    assert body_of(waiting) == (
        "Ya le avisamos a una persona del equipo, te responde a la brevedad 🙌"
    )
    assert await guest.says("tienen lugar para 2 el finde?") == []
    # Another guest is not affected.
    other = Guest(pay_client, wa, phone="5491166667777", name=None)
    [welcome] = await other.says("hola")
    assert welcome["to"] == "541166667777"
    assert buttons_of(welcome) == [
        ("menu:status", "Mi reserva"),
        ("menu:human", "Hablar con alguien"),
    ]


async def test_handovers_are_visible_in_the_admin_api_and_the_owner_can_resume(
    pay_client: Client, wa: FakeWhatsApp
) -> None:
    from tests.e2e.conftest import ADMIN_EMAIL, JWT_SECRET
    from tests.e2e.test_admin import bearer

    admin = bearer(ADMIN_EMAIL, secret=JWT_SECRET)
    guest = Guest(pay_client, wa)
    await guest.says("quiero hablar con una persona")
    listed = (await pay_client.get("/admin/conversations/handovers", headers=admin)).json()
    assert [(h["phone"], h["whatsapp_link"]) for h in listed] == [(PHONE, f"https://wa.me/{PHONE}")]
    assert (await pay_client.get("/admin/conversations/handovers")).status_code == 401
    # The phone as people write it (E.164 with its +) works too.
    r = await pay_client.post(f"/admin/conversations/%2B{PHONE}/resume", headers=admin)
    assert r.status_code == 204
    assert (await pay_client.get("/admin/conversations/handovers", headers=admin)).json() == []
    assert await guest.says("hola") != []  # the assistant answers again
    again = await pay_client.post(f"/admin/conversations/{PHONE}/resume", headers=admin)
    assert again.status_code == 404


async def test_voice_notes_and_photos_get_a_friendly_request_to_write(
    pay_client: Client, wa: FakeWhatsApp
) -> None:
    guest = Guest(pay_client, wa)
    audio = {
        "type": "audio",
        "audio": {"mime_type": "audio/ogg; codecs=opus", "sha256": "x", "id": "1", "voice": True},
    }
    [reply] = await guest.send(audio)
    assert body_of(reply).startswith("¡Gracias! Por ahora no podemos escuchar audios ni ver fotos")
    assert "escribís las fechas" in body_of(reply)
    # A photo right after it is part of the same burst: told once is enough (review L5).
    assert (
        await guest.send({"type": "image", "image": {"mime_type": "image/jpeg", "id": "2"}}) == []
    )


async def test_unclear_dates_and_missing_guests_are_asked_back(
    pay_client: Client, wa: FakeWhatsApp
) -> None:
    guest = Guest(pay_client, wa)
    [reply] = await guest.says("hola! tienen algo en enero?")
    assert (
        body_of(reply)
        == "¿Qué días? Escribinos también el mes (por ejemplo: del 15 al 18 de enero)"
    )
    [reply] = await guest.says("del 15 al 18 de enero")
    assert body_of(reply) == "¿Para cuántas personas?"
    [reply] = await guest.says("somos 8")
    assert body_of(reply).startswith("Nuestras cabañas son para hasta 6 personas")
    [options] = await guest.says("bueno, somos 6")
    assert body_of(options).startswith(
        "Para 6 personas, del 15/01/2027 al 18/01/2027, tenemos:\n1. Cabaña Familiar"
    )
    assert buttons_of(options) == [("pick:3:20270115:20270118:6", "Familiar Los Alerces")]


async def test_a_cabin_taken_meanwhile_gets_an_apology_and_the_other_options(
    pay_client: Client, wa: FakeWhatsApp
) -> None:
    guest = Guest(pay_client, wa)
    await guest.says("hola, tienen lugar para 4 el finde largo?")
    await guest.taps(LAGO, "Cabaña del Lago")
    taken = await pay_client.post(
        "/reservations",
        json={
            "accommodation_id": 1,
            "check_in": "2026-12-04",
            "check_out": "2026-12-07",
            "guests": 2,
            "guest_name": "Otra Persona",
            "guest_phone": "+5491100000000",
        },
    )
    assert taken.status_code == 201, taken.text
    sorry, options = await guest.says("Juana Pérez")
    assert body_of(sorry) == "Uy, perdón: Cabaña del Lago se acaba de ocupar para esas fechas 😕"
    assert buttons_of(options) == [(ALERCES, "Familiar Los Alerces")]
    # The name is remembered and proposed (never reused silently): one tap holds the other cabin.
    [ask] = await guest.taps(ALERCES, "Familiar Los Alerces")
    assert buttons_of(ask) == [("name:remembered", "Juana Pérez")]
    [held, _link] = await guest.taps("name:remembered", "Juana Pérez")
    assert "Te reservamos Cabaña Familiar Los Alerces del 04/12 al 08/12" in body_of(held)


async def test_an_old_button_still_works_after_the_conversation_expired(
    pay_client: Client, wa: FakeWhatsApp, redis_server: EmbeddedRedis
) -> None:
    guest = Guest(pay_client, wa, name=None)
    await guest.says("hola, tienen lugar para 4 el finde largo?")
    client: Redis = make_redis(redis_server.url())
    try:
        async for key in client.scan_iter(match="conv:*"):
            await client.delete(key)  # 30 minutes later...
    finally:
        await client.aclose()
    [ask_name] = await guest.taps(ALERCES, "Familiar Los Alerces")
    assert "Cabaña Familiar Los Alerces, del 04/12 al 08/12" in body_of(ask_name)
    assert ask_name["type"] == "text"  # no profile name to suggest
    [again] = await guest.says("la 2")  # not a name: the pending question is asked again
    assert body_of(again) == (
        "Perdón, no te entendimos 🙈 ¿Nos pasás tu nombre y apellido para la reserva?"
    )
    [held, _link] = await guest.says("Juana Pérez")
    assert "Te reservamos Cabaña Familiar Los Alerces del 04/12 al 08/12" in body_of(held)


async def test_no_guest_phone_or_name_reaches_the_logs_along_the_whole_flow(
    pay_client: Client, wa: FakeWhatsApp, mp: FakeMercadoPago
) -> None:
    import io
    import logging

    from entrypoints.logs import JsonFormatter

    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        guest = Guest(pay_client, wa, name="Juana Pérez")
        await guest.says("hola, tienen lugar para 4 el finde largo?")
        await guest.taps(LAGO, "Cabaña del Lago")
        await guest.says("Juana Pérez")
        await guest.says("quiero hablar con una persona")  # an owner alert with a wa.me link
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
    logged = buffer.getvalue()
    assert "webhook" in logged or "outbox" in logged  # the flow did log
    for secret in (PHONE, PHONE[-10:], "Juana", "Pérez", WA_APP_SECRET):
        assert secret not in logged, secret
