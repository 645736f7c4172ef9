"""Refunds through the Mercado Pago API (the fake server speaks POST /v1/payments/{id}/refunds
with X-Idempotency-Key), never more than was paid, recorded once; cancelling says what the
cabin's tiers owe."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from httpx import Response
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.e2e.test_ledger import admin
from tests.e2e.test_payments import DEPOSIT, hold, notify
from tests.fakes.providers import FakeMercadoPago
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]


async def refund(
    client: Client, code: object, key: str, cents: int, *, mercadopago: bool = True
) -> Response:
    return await client.post(
        f"/admin/reservations/{code}/refunds",
        json={"amount_cents": cents, "through_mercadopago": mercadopago},
        headers=admin(key),
    )


async def paid_booking(client: Client, mp: FakeMercadoPago, payment_id: str) -> str:
    booking = await hold(client)
    code = str(booking["code"])
    mp.add_payment(payment_id, "approved", DEPOSIT, code)
    await notify(client, payment_id)
    return code


async def test_a_partial_refund_goes_through_mercadopago_once(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    code = await paid_booking(pay_client, mp, "3001")
    answers = await asyncio.gather(*(refund(pay_client, code, "r-1", 3_000_000) for _ in range(3)))
    assert sorted(a.status_code for a in answers) == [200, 200, 201], [a.text for a in answers]
    assert len(mp.refunds["3001"]) == 1  # one refund at the provider, however many clicks
    [(headers, body)] = mp.refund_requests
    assert body == {"amount": 30000.0}
    assert headers["x-idempotency-key"].startswith("cabanas-refund:")
    ledger = (await pay_client.get(f"/admin/reservations/{code}/ledger", headers=admin())).json()
    assert [r["amount"] for r in ledger["refunds"]] == [30000.0]
    assert ledger["held_amount"] == DEPOSIT - 30000
    # Re-fetched: the payment as Mercado Pago now reports it.
    [payment] = (
        await pay_client.get(f"/admin/payments?reservation={code}", headers=admin())
    ).json()
    assert (payment["status"], payment["refunded_amount"]) == ("approved", 30000.0)
    # Mercado Pago notifies the change: our own refund is no alarm.
    await notify(pay_client, "3001")
    assert (await pay_client.get("/admin/payments", headers=admin())).json() == []


async def test_a_refund_never_exceeds_what_was_paid(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    code = await paid_booking(pay_client, mp, "3002")
    too_much = await refund(pay_client, code, "big", int(DEPOSIT * 100) + 1)
    assert (too_much.status_code, too_much.json()["code"]) == (422, "refund_exceeds_paid")
    assert mp.refund_requests == []
    whole = await refund(pay_client, code, "all", int(DEPOSIT * 100))
    assert whole.status_code == 201
    again = await refund(pay_client, code, "more", 100)
    assert again.status_code == 422
    [payment] = (
        await pay_client.get(f"/admin/payments?reservation={code}", headers=admin())
    ).json()
    assert (payment["status"], payment["refunded_amount"]) == ("refunded", DEPOSIT)


async def test_a_retry_after_a_lost_answer_gets_the_same_refund_at_the_provider(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    code = await paid_booking(pay_client, mp, "3003")
    mp.fail_refund_answers = 1  # the refund is made, its answer lost (500)
    lost = await refund(pay_client, code, "r-lost", 1_000_000)
    assert lost.status_code == 503
    retried = await refund(pay_client, code, "r-lost", 1_000_000)
    assert retried.status_code == 201, retried.text
    assert len(mp.refunds["3003"]) == 1
    assert retried.json()["held_amount"] == DEPOSIT - 10000


async def test_cash_refunds_are_recorded_and_cancelling_says_what_is_owed(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    tiers = {
        "cancellation_tiers": [
            {"min_days_before": 30, "percent": 100, "outcome": "refund"},
            {"min_days_before": 7, "percent": 50, "outcome": "refund"},
        ]
    }
    put = await pay_client.put("/admin/accommodations/1/prices", json=tiers, headers=admin())
    assert put.status_code == 200, put.text
    code = await paid_booking(pay_client, mp, "3004")
    cancelled = await pay_client.post(
        f"/admin/reservations/{code}/cancel", json={"reason": "no viene"}, headers=admin()
    )
    assert cancelled.status_code == 200, cancelled.text
    settlement = cancelled.json()["settlement"]
    # 17 days before check-in: the 7+ days tier, 50 % of what was paid.
    assert settlement == {
        "days_before": 17,
        "paid_amount": DEPOSIT,
        "refund_amount": DEPOSIT / 2,
        "credit_amount": 0.0,
        "kept_amount": DEPOSIT / 2,
    }
    by_hand = await refund(pay_client, code, "cash-back", int(DEPOSIT * 50), mercadopago=False)
    assert by_hand.status_code == 201
    assert mp.refund_requests == []
    assert by_hand.json()["held_amount"] == DEPOSIT / 2


async def flagged_for_refund(client: Client, mp: FakeMercadoPago, clock: FixedClock) -> str:
    """A deposit paid for a lapsed hold whose nights were sold meanwhile: refund owed, one item
    in the queue (the booking's money to give back, which took the payment's flag)."""
    first = await hold(client)
    code = str(first["code"])
    clock.current += timedelta(hours=2)
    await hold(client, guest_name="Otra Persona")
    mp.add_payment("999", "approved", DEPOSIT, code)
    await notify(client, "999")
    flagged = (await client.get("/admin/payments", headers=admin())).json()
    assert [(p["id"], p["provider"], p["attention"], p["amount"]) for p in flagged] == [
        (f"held:{code}", "ledger", "refund_required", DEPOSIT)
    ]
    return code


async def test_refunding_the_booking_settles_its_refund_owed_flag(
    pay_client: Client, mp: FakeMercadoPago, clock: FixedClock
) -> None:
    code = await flagged_for_refund(pay_client, mp, clock)
    part = await refund(pay_client, code, "devolucion-999-a", 5_000_000)
    assert part.status_code == 201, part.text
    # Part given back: the lapsed hold still holds the rest, and the queue says so.
    queue = (await pay_client.get("/admin/payments", headers=admin())).json()
    assert [(p["id"], p["provider"], p["amount"]) for p in queue] == [
        (f"held:{code}", "ledger", DEPOSIT - 50_000)
    ]
    rest = await refund(pay_client, code, "devolucion-999-b", int(DEPOSIT * 100) - 5_000_000)
    assert rest.status_code == 201, rest.text
    assert (await pay_client.get("/admin/payments", headers=admin())).json() == []
    # Still on the booking's own list, with its flag: only the queue forgets it.
    own = (await pay_client.get(f"/admin/payments?reservation={code}", headers=admin())).json()
    assert [(p["id"], p["attention"]) for p in own] == [("999", "refund_required")]


async def test_a_flag_is_dismissed_through_the_admin_api_with_a_reason(
    pay_client: Client, mp: FakeMercadoPago, clock: FixedClock
) -> None:
    code = await flagged_for_refund(pay_client, mp, clock)
    # The payment's flag is the booking's item's now: nothing to settle on the payment itself.
    taken = await pay_client.post(
        "/admin/payments/999/attention/resolve", json={"resolution": "refunded"}, headers=admin()
    )
    assert taken.status_code == 404, taken.text
    path = f"/admin/payments/held:{code}/attention/resolve"
    no_reason = await pay_client.post(path, json={"resolution": "dismissed"}, headers=admin())
    assert no_reason.status_code == 422, no_reason.text
    done = await pay_client.post(
        path,
        json={"resolution": "dismissed", "reason": "lo devolví por transferencia"},
        headers=admin(),
    )
    assert done.status_code == 204, done.text
    assert (await pay_client.get("/admin/payments", headers=admin())).json() == []
    again = await pay_client.post(
        path, json={"resolution": "dismissed", "reason": "otra vez"}, headers=admin()
    )
    assert again.status_code == 404
