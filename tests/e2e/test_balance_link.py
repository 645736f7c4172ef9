"""The balance paid end to end against the fake Mercado Pago: the reminder day's worker pass
creates the balance's checkout (``CODE:balance``) and sends the guest the reminder with it, the
guest pays, the webhook re-fetches and records it (once, however often it is retried). And an
owner's hold extension moves the deposit checkout's expiry."""

from __future__ import annotations

from datetime import datetime

import pytest
from dishka import AsyncContainer
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.calendar import ARGENTINA
from entrypoints.settings import Settings
from entrypoints.worker import run_once
from tests.e2e.test_ledger import admin
from tests.e2e.test_payments import DEPOSIT, hold, notify, status_of
from tests.fakes.providers import FakeMercadoPago, FakeWhatsApp
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]


async def ledger_of(client: Client, code: object) -> dict[str, object]:
    r = await client.get(f"/admin/reservations/{code}/ledger", headers=admin())
    return r.json()  # type: ignore[no-any-return]


async def test_the_balance_is_paid_through_its_link_end_to_end(
    pay_client: Client,
    worker: AsyncContainer,
    integrated_settings: Settings,
    mp: FakeMercadoPago,
    wa: FakeWhatsApp,
    clock: FixedClock,
) -> None:
    booking = await hold(pay_client)  # 18–21/12, booked on 1/12
    code = str(booking["code"])
    mp.add_payment("5001", "approved", DEPOSIT, code)
    await notify(pay_client, "5001")
    assert await status_of(pay_client, code) == "confirmed"
    balance = float(str(booking["total_amount"])) - DEPOSIT
    deposit_links = len(mp.preferences)
    # The reminder's day (BALANCE_REMINDER_DAYS = 7 before the 18th): the worker's pass.
    clock.current = datetime(2026, 12, 11, 10, 0, tzinfo=ARGENTINA)
    assert await run_once(worker, integrated_settings)
    [pref] = mp.preferences[deposit_links:]
    assert pref["external_reference"] == f"{code}:balance"
    assert pref["items"][0]["unit_price"] == balance
    assert pref["expiration_date_to"].startswith("2026-12-19T00:00:00")
    reminders = [m for m in wa.sent if m.get("template", {}).get("name") == "saldo_link_de_pago"]
    assert len(reminders) == 1
    params = [p["text"] for p in reminders[0]["template"]["components"][0]["parameters"]]
    assert params[-1].startswith("https://www.mercadopago.com.ar/checkout/")
    # Another pass the same day: nothing new.
    assert await run_once(worker, integrated_settings)
    assert len(mp.preferences) == deposit_links + 1
    # The guest pays; Mercado Pago notifies, then retries the notification.
    mp.add_payment("5002", "approved", balance, f"{code}:balance")
    for _ in range(3):
        r = await notify(pay_client, "5002")
        assert r.status_code == 202  # type: ignore[attr-defined]
    ledger = await ledger_of(pay_client, code)
    assert ledger["balance_due_amount"] == 0
    assert [(p["method"], p["covers"], p["flag"]) for p in ledger["payments"]] == [  # type: ignore[attr-defined]
        ("mercadopago", "deposit", None),
        ("mercadopago", "balance", None),
    ]
    assert (await pay_client.get("/admin/payments", headers=admin())).json() == []


async def test_a_short_balance_payment_is_recorded_and_flagged(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    booking = await hold(pay_client)
    code = str(booking["code"])
    mp.add_payment("5101", "approved", DEPOSIT, code)
    await notify(pay_client, "5101")
    mp.add_payment("5102", "approved", 1000.0, f"{code}:balance")
    await notify(pay_client, "5102")
    ledger = await ledger_of(pay_client, code)
    assert [p["flag"] for p in ledger["payments"]] == [None, "unmatched"]  # type: ignore[attr-defined]
    [flagged] = (await pay_client.get("/admin/payments", headers=admin())).json()
    assert flagged["attention"] == "balance_mismatch"


async def test_extending_a_hold_extends_its_mercadopago_link(
    pay_client: Client,
    worker: AsyncContainer,
    integrated_settings: Settings,
    mp: FakeMercadoPago,
) -> None:
    booking = await hold(pay_client)
    [pref] = mp.preferences
    r = await pay_client.post(
        f"/admin/reservations/{booking['code']}/extend", json={"hours": 24}, headers=admin()
    )
    assert r.status_code == 200, r.text
    expires_at = r.json()["expires_at"]
    assert await run_once(worker, integrated_settings)
    [(pref_id, change)] = mp.preference_updates
    assert pref["items"][0]["id"] == booking["code"]
    assert change["expiration_date_to"][:19] == expires_at[:19]
    assert pref["expiration_date_to"] == change["expiration_date_to"]  # the link lives on
    assert booking["payment_url"].endswith(pref_id)
