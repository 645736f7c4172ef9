"""Mercado Pago end to end: hold → payment link → signed webhook → payment re-fetched →
confirmed → confirmation message sent once. Real httpx adapters against fake MP and WhatsApp
servers on 127.0.0.1; real PostgreSQL."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta

import pytest
from dishka import AsyncContainer
from litestar import Litestar
from litestar.testing import AsyncTestClient

from adapters.mercadopago.signature import manifest, sign
from application.messaging.dispatch_outbox import DispatchOutbox
from application.operations.maintenance import ExpireLapsedHolds
from tests.e2e.conftest import ADMIN_EMAIL, JWT_SECRET, MP_WEBHOOK_SECRET
from tests.e2e.test_admin import bearer
from tests.e2e.test_api import BOOKING, assert_problem
from tests.fakes.providers import FakeMercadoPago, FakeWhatsApp
from tests.money_text import PESO
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]
DEPOSIT = 86_700.0  # the deposit of BOOKING for the first sample cabin


def signed_headers(
    payment_id: str,
    *,
    secret: str = MP_WEBHOOK_SECRET,
    ts: int | None = None,
    request_id: str | None = None,
) -> dict[str, str]:
    request_id = request_id or str(uuid.uuid4())
    ts_text = str(ts if ts is not None else int(time.time() * 1000))
    v1 = sign(secret, manifest(payment_id, request_id, ts_text))
    return {"x-signature": f"ts={ts_text},v1={v1}", "x-request-id": request_id}


async def notify(client: Client, payment_id: str, **kw: object) -> object:
    return await client.post(
        f"/webhooks/mercadopago?data.id={payment_id}&type=payment",
        json={"action": "payment.updated", "type": "payment", "data": {"id": payment_id}},
        headers=signed_headers(payment_id, **kw),  # type: ignore[arg-type]
    )


async def hold(client: Client, **change: object) -> dict[str, object]:
    r = await client.post("/reservations", json={**BOOKING, **change})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def status_of(client: Client, code: object) -> str:
    return str((await client.get(f"/reservations/{code}")).json()["status"])


async def test_hold_gets_a_payment_link_built_from_the_hold(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    booking = await hold(pay_client)
    assert booking["payment_url"].startswith("https://www.mercadopago.com.ar/checkout/")
    [pref] = mp.preferences
    assert pref["external_reference"] == booking["code"]
    assert pref["notification_url"] == (
        "https://cabanas.test/api/v1/webhooks/mercadopago?source_news=webhooks"
    )
    assert pref["items"][0]["unit_price"] == booking["deposit_amount"] == DEPOSIT
    assert pref["items"][0]["currency_id"] == "ARS"
    # The checkout names what is paid for: the cabin and nights as well as the code.
    assert pref["items"][0]["title"] == (
        f"Seña · Cabaña del Lago · 18/12 al 21/12/2026 · {booking['code_display']}"
    )
    assert pref["expires"] is True
    assert pref["expiration_date_to"].startswith(booking["expires_at"][:19])
    # Every outcome brings the guest back to their reservation's page.
    page = f"https://cabanas.test/r/{booking['code']}"
    assert pref["back_urls"] == {"success": page, "pending": page, "failure": page}
    assert mp.preference_headers[0]["x-idempotency-key"] == f"checkout-{booking['code']}"
    # The guest's lookup shows the same link.
    got = (await pay_client.get(f"/reservations/{booking['code']}")).json()
    assert got["payment_url"] == booking["payment_url"]


async def test_signed_webhook_confirms_and_the_guest_is_told_once(
    pay_client: Client, mp: FakeMercadoPago, wa: FakeWhatsApp
) -> None:
    booking = await hold(pay_client)
    mp.add_payment("1319000001", "approved", DEPOSIT, str(booking["code"]))
    r = await notify(pay_client, "1319000001")
    assert r.status_code == 202, r.text  # type: ignore[attr-defined]
    assert await status_of(pay_client, booking["code"]) == "confirmed"
    [message] = wa.sent
    assert message["to"] == "541155551234"  # 549… inbound form, 54… outbound (spec §1.6)
    # Booked over HTTP, never wrote to us: outside the 24 h window, so the approved template.
    assert message["template"]["language"]["code"] == "es_AR"
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
    # Mercado Pago redelivers the same notification five times at once: processed once.
    headers = signed_headers("1319000001")
    deliveries = await asyncio.gather(
        *(
            pay_client.post(
                "/webhooks/mercadopago?data.id=1319000001&type=payment",
                json={"type": "payment", "data": {"id": "1319000001"}},
                headers=headers,
            )
            for _ in range(5)
        )
    )
    assert [d.status_code for d in deliveries] == [202] * 5
    assert sum(d.json()["status"] == "accepted" for d in deliveries) == 1
    assert mp.fetches["1319000001"] == 2  # the first notification and one of the five
    assert len(wa.sent) == 1  # a confirmed booking is not confirmed (or announced) again


async def test_pending_then_approved_confirms(pay_client: Client, mp: FakeMercadoPago) -> None:
    booking = await hold(pay_client)
    mp.add_payment("555", "pending", DEPOSIT, str(booking["code"]))
    assert (await notify(pay_client, "555")).status_code == 202  # type: ignore[attr-defined]
    assert await status_of(pay_client, booking["code"]) == "pre_reserved"
    mp.add_payment("555", "approved", DEPOSIT, str(booking["code"]))
    assert (await notify(pay_client, "555")).status_code == 202  # type: ignore[attr-defined]
    assert await status_of(pay_client, booking["code"]) == "confirmed"
    payments = (
        await pay_client.get(
            f"/admin/payments?reservation={booking['code']}",
            headers=bearer(ADMIN_EMAIL, secret=JWT_SECRET),
        )
    ).json()
    assert [(p["id"], p["status"], p["attention"]) for p in payments] == [("555", "approved", None)]


async def test_short_amount_is_flagged_and_does_not_confirm(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    booking = await hold(pay_client)
    mp.add_payment("777", "approved", DEPOSIT - 1, str(booking["code"]))
    await notify(pay_client, "777")
    assert await status_of(pay_client, booking["code"]) == "pre_reserved"
    flagged = (
        await pay_client.get("/admin/payments", headers=bearer(ADMIN_EMAIL, secret=JWT_SECRET))
    ).json()
    assert [(p["id"], p["attention"]) for p in flagged] == [("777", "amount_short")]


async def test_a_short_payment_leaves_the_queue_once_another_covers_the_deposit(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    booking = await hold(pay_client)
    code = str(booking["code"])
    admin = bearer(ADMIN_EMAIL, secret=JWT_SECRET)
    mp.add_payment("771", "approved", DEPOSIT - 0.01, code)
    await notify(pay_client, "771")
    flagged = (await pay_client.get("/admin/payments", headers=admin)).json()
    assert [(p["id"], p["attention"]) for p in flagged] == [("771", "amount_short")]
    mp.add_payment("772", "approved", 0.01, code)  # the cent missing
    await notify(pay_client, "772")
    assert await status_of(pay_client, code) == "confirmed"
    assert (await pay_client.get("/admin/payments", headers=admin)).json() == []


async def test_the_deposit_paid_twice_is_flagged_for_a_refund_at_once(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    """The checkout stays open after it is paid: a guest who pays it again (two tabs, two
    clicks) has paid a second deposit, not part of the balance (which has a link of its own)."""
    booking = await hold(pay_client)
    code = str(booking["code"])
    mp.add_payment("881", "approved", DEPOSIT, code)
    mp.add_payment("882", "approved", DEPOSIT, code)
    await asyncio.gather(notify(pay_client, "881"), notify(pay_client, "882"))
    assert await status_of(pay_client, code) == "confirmed"
    admin = bearer(ADMIN_EMAIL, secret=JWT_SECRET)
    flagged = (await pay_client.get("/admin/payments", headers=admin)).json()
    assert [(p["attention"], p["attention_reason"]) for p in flagged] == [
        ("refund_required", "a second deposit was paid")
    ]
    assert flagged[0]["id"] in ("881", "882")


@pytest.mark.parametrize("currency", ["USD", None, "pesos"])
async def test_a_payment_in_another_currency_or_none_is_flagged_as_such_and_confirms_nothing(
    pay_client: Client, mp: FakeMercadoPago, currency: str | None
) -> None:
    """The exact deposit, in dollars (or with no readable currency at all): not pesos, and not
    "short" either — the owner is told what is wrong with it."""
    booking = await hold(pay_client)
    mp.add_payment("778", "approved", DEPOSIT, str(booking["code"]), currency_id=currency)
    await notify(pay_client, "778")
    assert await status_of(pay_client, booking["code"]) == "pre_reserved"
    flagged = (
        await pay_client.get("/admin/payments", headers=bearer(ADMIN_EMAIL, secret=JWT_SECRET))
    ).json()
    assert [(p["id"], p["attention"]) for p in flagged] == [("778", "wrong_currency")]


async def test_payment_for_a_lapsed_hold_confirms_when_the_nights_are_still_free(
    pay_client: Client, worker: AsyncContainer, mp: FakeMercadoPago, clock: FixedClock
) -> None:
    booking = await hold(pay_client)
    clock.current += timedelta(hours=2)
    async with worker() as scope:
        assert await (await scope.get(ExpireLapsedHolds))() == 1
    assert await status_of(pay_client, booking["code"]) == "expired"
    mp.add_payment("888", "approved", DEPOSIT, str(booking["code"]))
    await notify(pay_client, "888")
    assert await status_of(pay_client, booking["code"]) == "confirmed"


async def test_payment_for_a_lapsed_hold_whose_nights_were_sold_is_flagged_for_refund(
    pay_client: Client, worker: AsyncContainer, mp: FakeMercadoPago, clock: FixedClock
) -> None:
    first = await hold(pay_client)
    clock.current += timedelta(hours=2)
    second = await hold(pay_client, guest_name="Otra Persona")  # the lapsed hold frees them
    mp.add_payment("999", "approved", DEPOSIT, str(first["code"]))
    await notify(pay_client, "999")
    assert await status_of(pay_client, first["code"]) == "expired"
    assert await status_of(pay_client, second["code"]) == "pre_reserved"
    admin = bearer(ADMIN_EMAIL, secret=JWT_SECRET)
    # One sum of money, one item: the booking's money to give back, which took the flag.
    flagged = (await pay_client.get("/admin/payments", headers=admin)).json()
    assert [(p["id"], p["attention"], p["amount"]) for p in flagged] == [
        (f"held:{first['code']}", "refund_required", DEPOSIT)
    ]
    own = await pay_client.get(f"/admin/payments?reservation={first['code']}", headers=admin)
    assert [(p["id"], p["attention"]) for p in own.json()] == [("999", "refund_required")]


async def test_refund_on_a_confirmed_booking_is_recorded_and_surfaced(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    booking = await hold(pay_client)
    mp.add_payment("1001", "approved", DEPOSIT, str(booking["code"]))
    await notify(pay_client, "1001")
    mp.add_payment(
        "1001", "refunded", DEPOSIT, str(booking["code"]), transaction_amount_refunded=DEPOSIT
    )
    await notify(pay_client, "1001")
    assert await status_of(pay_client, booking["code"]) == "confirmed"  # the owner decides
    flagged = (
        await pay_client.get("/admin/payments", headers=bearer(ADMIN_EMAIL, secret=JWT_SECRET))
    ).json()
    assert [(p["status"], p["attention"], p["refunded_amount"]) for p in flagged] == [
        ("refunded", "refunded", DEPOSIT)
    ]


async def test_unknown_payment_is_accepted_and_changes_nothing(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    booking = await hold(pay_client)
    r = await notify(pay_client, "424242")
    assert r.status_code == 202  # type: ignore[attr-defined]
    assert mp.fetches["424242"] == 1
    assert await status_of(pay_client, booking["code"]) == "pre_reserved"


@pytest.mark.parametrize(
    "forge",
    ["no signature", "wrong secret", "other payment", "stale", "garbage header"],
)
async def test_forged_notifications_are_refused_and_never_processed(
    pay_client: Client, mp: FakeMercadoPago, forge: str
) -> None:
    booking = await hold(pay_client)
    mp.add_payment("31337", "approved", DEPOSIT, str(booking["code"]))
    headers = {
        "no signature": {},
        "wrong secret": signed_headers("31337", secret="not-the-secret"),
        "other payment": signed_headers("1"),  # a valid signature for another data.id
        "stale": signed_headers("31337", ts=int((time.time() - 3600) * 1000)),
        "garbage header": {"x-signature": "v1=abc", "x-request-id": "x"},
    }[forge]
    r = await pay_client.post(
        "/webhooks/mercadopago?data.id=31337&type=payment",
        json={"type": "payment", "data": {"id": "31337"}},
        headers=headers,
    )
    body = assert_problem(r, 401)
    assert "webhook refused" in str(body["detail"])
    assert mp.fetches == {}
    assert await status_of(pay_client, booking["code"]) == "pre_reserved"
    metrics = (await pay_client.get("http://testserver.local/metrics")).text
    assert 'webhook_signature_failures_total{provider="mercadopago"}' in metrics


async def test_unsigned_webhooks_are_refused_when_no_secret_is_configured(client: Client) -> None:
    r = await client.post(
        "/webhooks/mercadopago?data.id=1&type=payment",
        json={"type": "payment", "data": {"id": "1"}},
        headers=signed_headers("1", secret="anything"),
    )
    body = assert_problem(r, 401)
    assert "MP_WEBHOOK_SECRET is not configured" in str(body["detail"])


async def test_legacy_ipn_is_acknowledged_and_ignored(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    r = await pay_client.post("/webhooks/mercadopago?topic=payment&id=123")
    assert r.status_code == 202
    assert r.json()["status"] == "ignored"
    assert mp.fetches == {}


async def test_a_mercado_pago_outage_keeps_the_hold_and_the_worker_adds_the_link(
    pay_client: Client, worker: AsyncContainer, mp: FakeMercadoPago, clock: FixedClock
) -> None:
    mp.preference_delay_s = 3  # longer than MP_TIMEOUT_SECONDS (1 s in these tests)
    started = time.monotonic()
    booking = await hold(pay_client)
    assert time.monotonic() - started < 2.5
    assert booking["payment_url"] is None
    assert booking["status"] == "pre_reserved"
    mp.preference_delay_s = 0
    mp.fail_preferences = 1  # the worker's first try fails too, the retry succeeds
    async with worker() as scope:
        report = await (await scope.get(DispatchOutbox))()
    assert report.retried == 1
    got = (await pay_client.get(f"/reservations/{booking['code']}")).json()
    assert got["payment_url"] is None  # backing off
    # Later (the clock moves past the backoff), the worker tries again and succeeds.
    async with worker() as scope:
        clock.current += timedelta(minutes=1)
        report = await (await scope.get(DispatchOutbox))()
    assert report.sent == 2  # the link, then the e-mail that gives it to the guest
    got = (await pay_client.get(f"/reservations/{booking['code']}")).json()
    assert got["payment_url"].startswith("https://www.mercadopago.com.ar/")
