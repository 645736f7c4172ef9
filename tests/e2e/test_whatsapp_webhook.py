"""The WhatsApp webhook: handshake, X-Hub-Signature-256 on the raw bytes, every item of an
envelope recorded once, an acknowledgement sent once through the outbox."""

from __future__ import annotations

import json

import pytest
from dishka import AsyncContainer
from litestar import Litestar
from litestar.testing import AsyncTestClient

from adapters.whatsapp.signature import sign
from application.messaging.dispatch_outbox import DispatchOutbox
from tests.e2e.conftest import NOW, WA_APP_SECRET, WA_VERIFY_TOKEN
from tests.e2e.test_api import assert_problem
from tests.fakes.providers import FakeWhatsApp

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]


def envelope(
    *, messages: list[dict[str, object]] = (), statuses: list[dict[str, object]] = ()
) -> bytes:  # type: ignore[assignment]
    value: dict[str, object] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5492944000000", "phone_number_id": "106540352242922"},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": "Juana"}, "wa_id": "5491155551234"}]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1029384756", "changes": [{"field": "messages", "value": value}]}],
    }
    # Non-ASCII kept as is: the signature must be checked on these exact bytes.
    return json.dumps(body, ensure_ascii=False).encode()


def text_message(wamid: str, text: str) -> dict[str, object]:
    return {
        "from": "5491155551234",
        "id": wamid,
        "timestamp": str(int(NOW.timestamp())),
        "type": "text",
        "text": {"body": text},
    }


async def post(client: Client, body: bytes, secret: str = WA_APP_SECRET) -> object:
    return await client.post(
        "/webhooks/whatsapp",
        content=body,
        headers={"X-Hub-Signature-256": sign(secret, body), "Content-Type": "application/json"},
    )


async def test_handshake_echoes_the_challenge_only_with_the_right_token(pay_client: Client) -> None:
    ok = await pay_client.get(
        "/webhooks/whatsapp",
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": WA_VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        },
    )
    assert ok.status_code == 200
    assert ok.text == "1158201444"
    assert ok.headers["content-type"].startswith("text/plain")
    wrong = await pay_client.get(
        "/webhooks/whatsapp",
        params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"},
    )
    assert_problem(wrong, 403)
    assert_problem(await pay_client.get("/webhooks/whatsapp"), 403)


async def test_a_text_message_is_acknowledged_once(pay_client: Client, wa: FakeWhatsApp) -> None:
    body = envelope(
        messages=[text_message("wamid.AAA1", "Hola! tienen lugar para el finde? 🏡 ñandú")]
    )
    r = await post(pay_client, body)
    assert r.status_code == 202, r.text  # type: ignore[attr-defined]
    assert r.json() == {"status": "accepted", "items": 1}  # type: ignore[attr-defined]
    [ack] = wa.sent
    assert ack["to"] == "541155551234"
    assert ack["type"] == "text"
    # Meta redelivers: nothing is processed or sent again.
    again = await post(pay_client, body)
    assert again.json() == {"status": "duplicate", "items": 0}  # type: ignore[attr-defined]
    assert len(wa.sent) == 1


async def test_several_messages_in_one_envelope_are_each_handled(
    pay_client: Client, wa: FakeWhatsApp
) -> None:
    body = envelope(messages=[text_message("wamid.B1", "hola"), text_message("wamid.B2", "che?")])
    r = await post(pay_client, body)
    assert r.json() == {"status": "accepted", "items": 2}  # type: ignore[attr-defined]
    assert len(wa.sent) == 2


async def test_a_status_update_is_recorded_on_the_message_it_is_about(
    pay_client: Client, wa: FakeWhatsApp, worker: AsyncContainer
) -> None:
    await post(pay_client, envelope(messages=[text_message("wamid.C1", "hola")]))
    [ack] = wa.sent
    assert ack
    from sqlalchemy import text

    from adapters.postgres.database import make_engine

    async with worker() as scope:
        await (await scope.get(DispatchOutbox))()
    settings_url = pay_client.app.state.settings.database_url
    engine = make_engine(settings_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            wamid = (
                await conn.execute(text("SELECT provider_message_id FROM outbox"))
            ).scalar_one()
        r = await post(
            pay_client,
            envelope(
                statuses=[
                    {
                        "id": wamid,
                        "status": "delivered",
                        "timestamp": str(int(NOW.timestamp()) + 100),
                        "recipient_id": "5491155551234",
                    }
                ]
            ),
        )
        assert r.status_code == 202  # type: ignore[attr-defined]
        async with engine.connect() as conn:
            delivery = (await conn.execute(text("SELECT delivery_status FROM outbox"))).scalar_one()
        assert delivery == "delivered"
    finally:
        await engine.dispose()


@pytest.mark.parametrize("forge", ["missing", "wrong secret", "tampered body", "no prefix"])
async def test_forged_posts_are_refused(pay_client: Client, wa: FakeWhatsApp, forge: str) -> None:
    body = envelope(messages=[text_message("wamid.F1", "hola")])
    headers = {
        "missing": {},
        "wrong secret": {"X-Hub-Signature-256": sign("other-secret", body)},
        "tampered body": {"X-Hub-Signature-256": sign(WA_APP_SECRET, body + b" ")},
        "no prefix": {"X-Hub-Signature-256": sign(WA_APP_SECRET, body).removeprefix("sha256=")},
    }[forge]
    r = await pay_client.post("/webhooks/whatsapp", content=body, headers=headers)
    assert_problem(r, 401)
    assert wa.sent == []


async def test_without_an_app_secret_nothing_is_accepted(client: Client) -> None:
    body = envelope(messages=[text_message("wamid.G1", "hola")])
    r = await post(client, body, secret="")
    detail = assert_problem(r, 401)["detail"]
    assert "WHATSAPP_APP_SECRET is not configured" in str(detail)


@pytest.mark.parametrize("text", ["hola, somos ፪ para el finde", "somos 𐩀", "del ፪ al ፫ de enero"])
async def test_a_numeral_int_cannot_read_still_gets_an_answer(
    pay_client: Client, wa: FakeWhatsApp, text: str
) -> None:
    """An Ethiopic or Kharosthi numeral is no number we read: the assistant answers (asking
    back), instead of failing the delivery for the worker to retry all day."""
    r = await post(pay_client, envelope(messages=[text_message("wamid.NUM1", text)]))
    assert r.status_code == 202, r.text  # type: ignore[attr-defined]
    [reply] = wa.sent
    assert reply["to"] == "541155551234"
