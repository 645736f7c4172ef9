"""The ledger stored: manual payments (idempotent, flagged when they match nothing), Mercado
Pago payments recorded in the same ledger, transfer holds and their extension."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from dishka import AsyncContainer
from httpx import Response
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from adapters.postgres.database import make_engine
from application.operations.maintenance import ExpireLapsedHolds
from entrypoints.settings import Settings
from tests.e2e.conftest import ADMIN_EMAIL, JWT_SECRET, NOW
from tests.e2e.test_admin import bearer
from tests.e2e.test_payments import DEPOSIT, hold, notify, status_of
from tests.fakes.providers import FakeMercadoPago
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]
TOTAL = 289_000.0


def admin(key: str | None = None) -> dict[str, str]:
    headers = bearer(ADMIN_EMAIL, secret=JWT_SECRET)
    return {**headers, "Idempotency-Key": key} if key else headers


async def rows(settings: Settings, query: str) -> list[tuple[object, ...]]:
    assert settings.database_url is not None
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return [tuple(r) for r in await conn.execute(text(query))]
    finally:
        await engine.dispose()


async def pay(
    client: Client, code: object, key: str, cents: int, method: str = "transfer"
) -> Response:
    return await client.post(
        f"/admin/reservations/{code}/payments",
        json={"method": method, "amount_cents": cents, "note": "comprobante por WhatsApp"},
        headers=admin(key),
    )


async def test_a_transfer_hold_lasts_longer_and_gets_no_checkout(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    booking = await hold(pay_client, payment_method="transfer")
    assert booking["payment_method"] == "transfer"
    assert booking["payment_url"] is None
    assert datetime.fromisoformat(str(booking["expires_at"])) == NOW + timedelta(hours=24)
    assert mp.preferences == []
    card = await hold(pay_client, check_in="2027-01-04", check_out="2027-01-07")
    assert card["payment_method"] == "mercadopago"
    assert datetime.fromisoformat(str(card["expires_at"])) == NOW + timedelta(minutes=30)


async def test_a_manual_deposit_confirms_once_however_often_it_is_sent(
    pay_client: Client, integrated_settings: Settings
) -> None:
    booking = await hold(pay_client, payment_method="transfer")
    code = booking["code"]
    answers = await asyncio.gather(
        *(pay(pay_client, code, "receipt-1", 8_670_000) for _ in range(3))
    )
    assert sorted(a.status_code for a in answers) == [200, 200, 201], [a.text for a in answers]
    ledger = (await pay_client.get(f"/admin/reservations/{code}/ledger", headers=admin())).json()
    assert ledger["status"] == "confirmed"
    assert [(p["method"], p["amount"], p["covers"], p["flag"]) for p in ledger["payments"]] == [
        ("transfer", DEPOSIT, "deposit", None)
    ]
    assert (ledger["paid_amount"], ledger["balance_due_amount"]) == (DEPOSIT, TOTAL - DEPOSIT)
    assert ledger["balance_due_on"] == "2026-12-11"  # BALANCE_DUE_DAYS (7) before check-in
    assert ledger["payments"][0]["recorded_by"] == ADMIN_EMAIL
    assert await status_of(pay_client, code) == "confirmed"
    # The same key with another amount is refused; nothing changes.
    other = await pay(pay_client, code, "receipt-1", 100)
    assert (other.status_code, other.json()["code"]) == (409, "money_reference_reused")
    messages = await rows(
        integrated_settings, "SELECT dedupe_key FROM outbox WHERE kind = 'whatsapp.message'"
    )
    assert messages == [(f"confirmed:{code}",)]
    audit = await rows(integrated_settings, "SELECT action FROM admin_audit_log")
    assert audit == [("reservation.payment",)]
    # The balance, paid in cash: recorded as the balance, nothing left owed.
    rest = await pay(pay_client, code, "cash-1", 20_230_000, "cash")
    assert rest.status_code == 201
    assert (rest.json()["payments"][1]["covers"], rest.json()["balance_due_amount"]) == (
        "balance",
        0,
    )


async def test_an_amount_matching_nothing_is_recorded_and_flagged(pay_client: Client) -> None:
    booking = await hold(pay_client, payment_method="transfer")
    r = await pay(pay_client, booking["code"], "partial", 5_000_000)
    assert r.status_code == 201
    ledger = r.json()
    assert (ledger["status"], ledger["flagged"], ledger["confirmed"]) == ("pre_reserved", 1, None)
    assert ledger["payments"][0]["flag"] == "unmatched"
    # The rest of the deposit arrives: together they cover it, the hold is confirmed.
    more = await pay(pay_client, booking["code"], "rest", 3_670_000)
    assert (more.json()["status"], more.json()["confirmed"]) == ("confirmed", True)


async def test_a_flagged_payment_by_hand_is_listed_and_settled_through_the_api(
    pay_client: Client, integrated_settings: Settings
) -> None:
    booking = await hold(pay_client, payment_method="transfer")
    code = str(booking["code"])
    assert (await pay(pay_client, code, "partial", 5_000_000, method="cash")).status_code == 201
    listed = (await pay_client.get("/admin/payments", headers=admin())).json()
    assert len(listed) == 1, listed
    item = listed[0]
    assert item["id"].startswith("manual:")
    assert (item["provider"], item["status"], item["status_detail"]) == (
        "manual",
        "approved",
        "cash",
    )
    assert (item["amount"], item["currency"], item["reservation_code"]) == (50_000.0, "ARS", code)
    assert item["attention"] == "unmatched"
    assert "recorded by hand" in item["attention_reason"]
    assert "comprobante por WhatsApp" in item["attention_reason"]
    resolve = f"/admin/payments/{item['id']}/attention/resolve"
    # The ledger already counts it: only dismissing it, with a reason, settles it.
    for body in ({"resolution": "refunded"}, {"resolution": "dismissed"}):
        refused = await pay_client.post(resolve, json=body, headers=admin())
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert len((await pay_client.get("/admin/payments", headers=admin())).json()) == 1
    done = await pay_client.post(
        resolve, json={"resolution": "dismissed", "reason": "seña en dos partes"}, headers=admin()
    )
    assert done.status_code == 204, done.text
    assert (await pay_client.get("/admin/payments", headers=admin())).json() == []
    again = await pay_client.post(
        resolve, json={"resolution": "dismissed", "reason": "otra vez"}, headers=admin()
    )
    assert again.status_code == 404
    assert again.json()["code"] == "queue_item_not_open"
    for bad in ("manual:abc", "manual:99999999", "manual:-1"):
        answer = await pay_client.post(
            f"/admin/payments/{bad}/attention/resolve",
            json={"resolution": "dismissed", "reason": "x"},
            headers=admin(),
        )
        assert answer.status_code == 404, (bad, answer.text)
    audited = await rows(
        integrated_settings,
        "SELECT actor, target, after->>'reason' FROM admin_audit_log "
        "WHERE action = 'payment.attention_resolve'",
    )
    assert audited == [(ADMIN_EMAIL, code, "seña en dos partes")]


async def test_mercadopago_payments_land_in_the_same_ledger_once(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    booking = await hold(pay_client)
    code = str(booking["code"])
    mp.add_payment("2001", "approved", DEPOSIT, code)
    await notify(pay_client, "2001")
    await notify(pay_client, "2001")  # redelivered
    # The balance, paid later by Mercado Pago too: the balance, not a "second deposit".
    mp.add_payment("2002", "approved", TOTAL - DEPOSIT, code)
    await notify(pay_client, "2002")
    ledger = (await pay_client.get(f"/admin/reservations/{code}/ledger", headers=admin())).json()
    assert [(p["reference"], p["method"], p["covers"]) for p in ledger["payments"]] == [
        ("mp:2001", "mercadopago", "deposit"),
        ("mp:2002", "mercadopago", "balance"),
    ]
    assert ledger["balance_due_amount"] == 0
    flagged = (await pay_client.get("/admin/payments", headers=admin())).json()
    assert flagged == []


async def test_the_owner_extends_a_hold(pay_client: Client, integrated_settings: Settings) -> None:
    booking = await hold(pay_client, payment_method="transfer")
    r = await pay_client.post(
        f"/admin/reservations/{booking['code']}/extend", json={"hours": 48}, headers=admin()
    )
    assert r.status_code == 200, r.text
    assert datetime.fromisoformat(r.json()["expires_at"]) == NOW + timedelta(hours=72)
    audit = await rows(integrated_settings, "SELECT action, after->>'hours' FROM admin_audit_log")
    assert audit == [("reservation.extend", "48")]
    await pay(pay_client, booking["code"], "dep", 8_670_000)
    refused = await pay_client.post(
        f"/admin/reservations/{booking['code']}/extend", json={"hours": 1}, headers=admin()
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "illegal_transition")


async def test_manual_payments_need_a_key_and_an_admin(pay_client: Client) -> None:
    booking = await hold(pay_client)
    no_key = await pay_client.post(
        f"/admin/reservations/{booking['code']}/payments",
        json={"method": "cash", "amount_cents": 100},
        headers=admin(),
    )
    assert no_key.status_code == 400
    anonymous = await pay_client.post(
        f"/admin/reservations/{booking['code']}/payments",
        json={"method": "cash", "amount_cents": 100},
        headers={"Idempotency-Key": "x"},
    )
    assert anonymous.status_code == 401
    mp_by_hand = await pay_client.post(
        f"/admin/reservations/{booking['code']}/payments",
        json={"method": "mercadopago", "amount_cents": 100},
        headers=admin("y"),
    )
    assert mp_by_hand.status_code == 422


async def test_a_booking_without_nights_reports_what_goes_back_and_no_balance(
    pay_client: Client, worker: AsyncContainer, clock: FixedClock
) -> None:
    booking = await hold(pay_client, payment_method="transfer")
    code = booking["code"]
    assert (await pay(pay_client, code, "deposit", 8_670_000)).status_code == 201
    back = await pay_client.post(
        f"/admin/reservations/{code}/refunds",
        json={"amount_cents": 100_000, "through_mercadopago": False},
        headers=admin("discount"),
    )
    assert back.status_code == 201, back.text
    # Confirmed, a refund after it: the deposit stays paid, the balance counts what went back.
    ledger = (await pay_client.get(f"/admin/reservations/{code}/ledger", headers=admin())).json()
    assert ledger["status"] == "confirmed"
    assert (ledger["deposit_paid"], ledger["deposit_owed_amount"]) == (True, 0)
    assert (ledger["collecting"], ledger["to_return_amount"]) == (True, 0)
    assert (ledger["balance_due_amount"], ledger["balance_due_on"]) == (
        TOTAL - DEPOSIT + 1_000,
        "2026-12-11",
    )
    cancelled = await pay_client.post(
        f"/admin/reservations/{code}/cancel", json={"reason": "no viene"}, headers=admin()
    )
    assert cancelled.status_code == 200, cancelled.text
    ledger = (await pay_client.get(f"/admin/reservations/{code}/ledger", headers=admin())).json()
    assert ledger["status"] == "cancelled"
    assert (ledger["balance_due_amount"], ledger["balance_due_on"]) == (0, None)
    assert (ledger["collecting"], ledger["deposit_owed_amount"]) == (False, 0)
    assert ledger["to_return_amount"] == ledger["held_amount"] == DEPOSIT - 1_000
    assert ledger["deposit_paid"] is True  # it had been paid
    # A hold that lapsed with part of its deposit paid: the same, and it is in the queue.
    lapsing = await hold(
        pay_client, payment_method="transfer", check_in="2027-01-04", check_out="2027-01-07"
    )
    lapsing_code = lapsing["code"]
    assert (await pay(pay_client, lapsing_code, "part", 2_000_000)).status_code == 201
    clock.current += timedelta(days=2)
    async with worker() as scope:
        assert await (await scope.get(ExpireLapsedHolds))() == 1
    ledger = (
        await pay_client.get(f"/admin/reservations/{lapsing_code}/ledger", headers=admin())
    ).json()
    assert ledger["status"] == "expired"
    assert (ledger["balance_due_amount"], ledger["balance_due_on"]) == (0, None)
    assert (ledger["deposit_paid"], ledger["deposit_owed_amount"]) == (False, 0)
    assert (ledger["collecting"], ledger["to_return_amount"]) == (False, 20_000)
    queue = (await pay_client.get("/admin/payments", headers=admin())).json()
    assert {(p["id"], p["amount"]) for p in queue} == {
        (f"held:{code}", DEPOSIT - 1_000),
        (f"held:{lapsing_code}", 20_000),
    }


async def test_a_cancelled_booking_confirmed_without_an_amount_has_unknown_money(
    pay_client: Client,
) -> None:
    """Confirmed on the owner's word without an amount (or before the ledger existed), then
    cancelled: its deposit was paid, never written down, so what goes back is unknown — the
    same contract as the confirmed booking's (payments_known false, the amount 0, no guess)."""
    booking = await hold(pay_client, payment_method="transfer")
    code = booking["code"]
    confirmed = await pay_client.post(
        f"/admin/reservations/{code}/confirm", json={"payment_method": "cash"}, headers=admin()
    )
    assert confirmed.status_code == 200, confirmed.text
    cancelled = await pay_client.post(
        f"/admin/reservations/{code}/cancel", json={"reason": "no viene"}, headers=admin()
    )
    assert cancelled.status_code == 200, cancelled.text
    ledger = (await pay_client.get(f"/admin/reservations/{code}/ledger", headers=admin())).json()
    assert (ledger["status"], ledger["payments"]) == ("cancelled", [])
    assert ledger["payments_known"] is False
    assert (ledger["collecting"], ledger["to_return_amount"], ledger["balance_due_amount"]) == (
        False,
        0,
        0,
    )
    # A hold cancelled before anything was paid: nothing was paid, and that is known.
    unpaid = await hold(
        pay_client, payment_method="transfer", check_in="2027-01-04", check_out="2027-01-07"
    )
    dropped = await pay_client.post(
        f"/admin/reservations/{unpaid['code']}/cancel", json={"reason": "no"}, headers=admin()
    )
    assert dropped.status_code == 200, dropped.text
    ledger = (
        await pay_client.get(f"/admin/reservations/{unpaid['code']}/ledger", headers=admin())
    ).json()
    assert (ledger["status"], ledger["payments_known"], ledger["to_return_amount"]) == (
        "cancelled",
        True,
        0,
    )
    # The owner writes down the deposit it had been paid: from then on it is known, to go back.
    assert (await pay(pay_client, code, "deposit-later", 8_670_000)).status_code == 201
    ledger = (await pay_client.get(f"/admin/reservations/{code}/ledger", headers=admin())).json()
    assert (ledger["payments_known"], ledger["to_return_amount"]) == (True, DEPOSIT)
