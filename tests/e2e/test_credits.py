"""Credit for another date through the HTTP API: a cancellation whose tier says credit (or the
owner's credit) is tied to the guest's phone, and their next booking from that phone pays less
(or nothing) for it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from dishka import AsyncContainer
from litestar import Litestar
from litestar.testing import AsyncTestClient

from application.operations.maintenance import ExpireLapsedHolds
from domain.accounts import Role
from entrypoints.settings import Settings
from tests.e2e.console_client import OWNER, console_for, for_owners
from tests.e2e.test_ledger import admin, pay
from tests.e2e.test_payments import DEPOSIT, hold, notify
from tests.e2e.test_refunds import paid_booking, refund
from tests.fakes.providers import FakeMercadoPago
from tests.money_text import PESO
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]


async def test_a_credit_tier_gives_credit_that_pays_the_next_booking_from_that_phone(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    tiers = {
        "cancellation_tiers": [
            {"min_days_before": 7, "percent": 100, "outcome": "credit", "credit_valid_days": 180}
        ]
    }
    put = await pay_client.put("/admin/accommodations/1/prices", json=tiers, headers=admin())
    assert put.status_code == 200, put.text
    assert put.json()["cancellation_tiers"][0]["credit_valid_days"] == 180
    code = await paid_booking(pay_client, mp, "4001")
    cancelled = await pay_client.post(
        f"/admin/reservations/{code}/cancel", json={"reason": "otra fecha"}, headers=admin()
    )
    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert body["settlement"]["credit_amount"] == DEPOSIT
    assert body["credit"]["amount"] == DEPOSIT
    assert body["credit"]["expires_on"] == "2027-05-30"  # 180 days from 01/12/2026
    old = (await pay_client.get(f"/admin/reservations/{code}/ledger", headers=admin())).json()
    assert [c["amount"] for c in old["credits"]] == [DEPOSIT]
    # The same guest books again, the phone written without the mobile 9: the credit covers
    # the deposit, so the booking is confirmed with nothing to pay now and no link.
    links = len(mp.preferences)
    again = await hold(pay_client, guest_phone="+541155551234")
    assert again["credit_amount"] == DEPOSIT
    assert again["deposit_to_pay_amount"] == 0
    assert again["status"] == "confirmed"
    assert len(mp.preferences) == links
    ledger = (
        await pay_client.get(f"/admin/reservations/{again['code']}/ledger", headers=admin())
    ).json()
    assert ledger["credit_applied_amount"] == DEPOSIT
    assert ledger["deposit_paid"] is True
    assert [p["method"] for p in ledger["payments"]] == ["credit"]
    # Used once: a third booking from the phone gets none.
    third = await hold(pay_client, accommodation_id=2)
    assert third["credit_amount"] is None


async def test_the_owners_credit_lowers_the_deposit_link_and_the_rest_confirms(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    code = await paid_booking(pay_client, mp, "4002")
    cancelled = await pay_client.post(
        f"/admin/reservations/{code}/cancel", json={"credit_cents": 0}, headers=admin()
    )
    assert cancelled.json()["credit"] is None
    give = {"amount_cents": 2_000_000, "valid_days": 30, "note": "gentileza"}
    headers = {**admin(), "Idempotency-Key": "credit-1"}
    first = await pay_client.post(f"/admin/reservations/{code}/credits", json=give, headers=headers)
    assert first.status_code == 201, first.text
    again = await pay_client.post(f"/admin/reservations/{code}/credits", json=give, headers=headers)
    assert again.status_code == 200
    assert [c["amount"] for c in again.json()["credits"]] == [20_000.0]
    too_much = await pay_client.post(
        f"/admin/reservations/{code}/credits",
        json={"amount_cents": int(DEPOSIT * 100)},
        headers={**admin(), "Idempotency-Key": "credit-2"},
    )
    assert too_much.status_code == 422
    assert too_much.headers["content-type"] == "application/problem+json"
    booking = await hold(pay_client)
    assert booking["credit_amount"] == 20_000.0
    assert booking["deposit_to_pay_amount"] == DEPOSIT - 20_000
    assert mp.preferences[-1]["items"][0]["unit_price"] == DEPOSIT - 20_000
    mp.add_payment("4003", "approved", DEPOSIT - 20_000, str(booking["code"]))
    await notify(pay_client, "4003")
    ledger = (
        await pay_client.get(f"/admin/reservations/{booking['code']}/ledger", headers=admin())
    ).json()
    assert ledger["status"] == "confirmed"
    assert [(p["method"], p["covers"], p["flag"]) for p in ledger["payments"]] == [
        ("credit", "deposit", None),
        ("mercadopago", "deposit", None),
    ]
    # The cancelled booking still holds what was not kept as credit: it waits to go back.
    queue = (await pay_client.get("/admin/payments", headers=admin())).json()
    assert [(p["id"], p["attention"], p["amount"]) for p in queue] == [
        (f"held:{code}", "refund_required", DEPOSIT - 20_000)
    ]


async def test_a_lapsed_holds_credit_is_the_guests_again_and_not_money_to_refund(
    pay_client: Client,
    mp: FakeMercadoPago,
    worker: AsyncContainer,
    integrated_settings: Settings,
    clock: FixedClock,
) -> None:
    code = await paid_booking(pay_client, mp, "4005")
    cancelled = await pay_client.post(
        f"/admin/reservations/{code}/cancel",
        json={"credit_cents": 2_000_000, "credit_valid_days": 90},
        headers=admin(),
    )
    assert cancelled.status_code == 200, cancelled.text
    # The guest books again (the credit pays $ 20.000 of it), sends $ 10.000 by transfer, and
    # lets the hold lapse: the credit is open for their next booking again.
    again = await hold(pay_client, payment_method="transfer")
    lapsed = str(again["code"])
    assert again["credit_amount"] == 20_000.0
    assert (await pay(pay_client, lapsed, "part", 1_000_000)).status_code == 201
    clock.current += timedelta(days=2)
    async with worker() as scope:
        await (await scope.get(ExpireLapsedHolds))()
    async with console_for(for_owners(integrated_settings), clock) as console:
        await console.member(OWNER, Role.OWNER)
        page = (await console.client.get(f"/panel/reservas/{lapsed}")).text
        assert f"Como mucho {PESO}30.000" not in page
        assert f"Como mucho {PESO}10.000 (lo pagado y no devuelto)" in page
        assert f"No cuenta {PESO}20.000 de crédito a favor que usó" in page
    too_much = await refund(pay_client, lapsed, "r-all", 2_000_000, mercadopago=False)
    assert too_much.status_code == 422, too_much.text
    assert "10000.00 ARS" in too_much.json()["detail"]
    ledger = (await pay_client.get(f"/admin/reservations/{lapsed}/ledger", headers=admin())).json()
    assert ledger["status"] == "expired"
    assert (ledger["held_amount"], ledger["returnable_amount"], ledger["to_return_amount"]) == (
        30_000.0,
        10_000.0,
        10_000.0,
    )
    given = await refund(pay_client, lapsed, "r-cash", 1_000_000, mercadopago=False)
    assert given.status_code == 201, given.text
    assert given.json()["returnable_amount"] == 0
    queue = (await pay_client.get("/admin/payments", headers=admin())).json()
    assert [p["id"] for p in queue] == [f"held:{code}"]  # the cancelled booking's, as before
    # The credit went back to the guest once: their next booking takes it.
    third = await hold(pay_client, accommodation_id=2)
    assert third["credit_amount"] == 20_000.0
