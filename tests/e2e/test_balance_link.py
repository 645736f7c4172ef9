"""The balance paid end to end against the fake Mercado Pago: the reminder day's worker pass
creates the balance's checkout (``CODE:balance``) and sends the guest the reminder with it, the
guest pays, the webhook re-fetches and records it (once, however often it is retried), under
the booking's code like the deposit: listed, linked and settled with the booking. And an
owner's hold extension moves the deposit checkout's expiry."""

from __future__ import annotations

from datetime import datetime

import pytest
from dishka import AsyncContainer
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.accounts import Role
from domain.calendar import ARGENTINA
from entrypoints.settings import Settings
from entrypoints.worker import run_once
from tests.e2e.console_client import OWNER, console_for, for_owners
from tests.e2e.test_ledger import admin
from tests.e2e.test_payments import DEPOSIT, hold, notify, status_of
from tests.fakes.providers import FakeMercadoPago, FakeWhatsApp
from tests.money_text import PESO
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


async def test_cancelling_a_hold_closes_its_mercadopago_link(
    pay_client: Client,
    worker: AsyncContainer,
    integrated_settings: Settings,
    mp: FakeMercadoPago,
    clock: FixedClock,
) -> None:
    """Reported: a hold cancelled on WhatsApp kept a payable link, and money then arrived
    for nights it no longer held."""
    booking = await hold(pay_client)
    [pref] = mp.preferences
    r = await pay_client.post(
        f"/admin/reservations/{booking['code']}/cancel",
        json={"reason": "cambio de planes"},
        headers=admin(),
    )
    assert r.status_code == 200, r.text
    assert await run_once(worker, integrated_settings)
    [(pref_id, change)] = mp.preference_updates
    assert booking["payment_url"].endswith(pref_id)
    closed = datetime.fromisoformat(change["expiration_date_to"])
    assert closed <= clock.now()  # the link expired when the hold was given up
    assert pref["expiration_date_to"] == change["expiration_date_to"]
    # Once: another pass sends nothing more.
    assert await run_once(worker, integrated_settings)
    assert len(mp.preference_updates) == 1


async def test_a_balance_paid_a_little_over_is_a_balance_mismatch_not_a_second_deposit(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    """Reported: 1.000 over the balance through its link was flagged refund_required, "a second
    deposit was paid", and the owner told to give all of it back."""
    booking = await hold(pay_client)
    code = str(booking["code"])
    mp.add_payment("5201", "approved", DEPOSIT, code)
    await notify(pay_client, "5201")
    balance = float(str(booking["total_amount"])) - DEPOSIT
    mp.add_payment("5202", "approved", balance + 1000.0, f"{code}:balance")
    await notify(pay_client, "5202")
    ledger = await ledger_of(pay_client, code)
    assert [p["flag"] for p in ledger["payments"]] == [None, "overpaid"]  # type: ignore[attr-defined]
    [flagged] = (await pay_client.get("/admin/payments", headers=admin())).json()
    assert (flagged["id"], flagged["attention"]) == ("5202", "balance_mismatch")


async def test_a_balance_payment_off_the_amount_is_shown_under_its_booking(
    pay_client: Client,
    mp: FakeMercadoPago,
    integrated_settings: Settings,
    clock: FixedClock,
) -> None:
    """Paid through the balance's link (``CODE:balance``), it is still the booking's payment:
    the API lists it under the booking's code, Pagos links to the booking, and the Reserva
    page shows it; each says which link paid."""
    booking = await hold(pay_client)
    code = str(booking["code"])
    mp.add_payment("5201", "approved", DEPOSIT, code)
    await notify(pay_client, "5201")
    mp.add_payment("5202", "approved", 1000.0, f"{code}:balance")
    await notify(pay_client, "5202")
    [flagged] = (await pay_client.get("/admin/payments", headers=admin())).json()
    assert (flagged["id"], flagged["attention"]) == ("5202", "balance_mismatch")
    assert flagged["reservation_code"] == code
    assert (flagged["purpose"], flagged["external_reference"]) == ("balance", f"{code}:balance")
    of_booking = (
        await pay_client.get(f"/admin/payments?reservation={code}", headers=admin())
    ).json()
    assert [(p["id"], p["purpose"]) for p in of_booking] == [
        ("5201", "deposit"),
        ("5202", "balance"),
    ]
    async with console_for(for_owners(integrated_settings), clock) as console:
        await console.member(OWNER, Role.OWNER)
        pagos = (await console.client.get("/panel/pagos")).text
        assert f'href="/panel/reservas/{code}"' in pagos
        assert "pago 5202 de Mercado Pago por el link del saldo · aprobado" in pagos
        assert ":balance" not in pagos
        assert ":balance" not in (await console.client.get("/panel/")).text
        page = await console.client.get(f"/panel/reservas/{code}")
        assert page.status_code == 200
        assert f"5202 · approved · {PESO}1.000 · link del saldo" in page.text
        assert f"5201 · approved · {PESO}86.700 · link de la seña" in page.text


async def test_a_balance_paid_after_cancelling_goes_back_with_the_bookings_money(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    """A cancelled booking's balance link paid anyway: one item in the queue (the booking's
    money to give back took the payment's flag), and a refund of the booking settles it."""
    booking = await hold(pay_client)
    code = str(booking["code"])
    mp.add_payment("5301", "approved", DEPOSIT, code)
    await notify(pay_client, "5301")
    cancelled = await pay_client.post(
        f"/admin/reservations/{code}/cancel", json={"reason": "no viene"}, headers=admin()
    )
    assert cancelled.status_code == 200, cancelled.text
    balance = float(str(booking["total_amount"])) - DEPOSIT
    mp.add_payment("5302", "approved", balance, f"{code}:balance")
    for _ in range(2):  # notified again: nothing changes
        await notify(pay_client, "5302")
    queue = (await pay_client.get("/admin/payments", headers=admin())).json()
    assert [(p["id"], p["reservation_code"], p["amount"]) for p in queue] == [
        (f"held:{code}", code, DEPOSIT + balance)
    ]
    of_booking = (
        await pay_client.get(f"/admin/payments?reservation={code}", headers=admin())
    ).json()
    assert [p["id"] for p in of_booking] == ["5301", "5302"]
    cents = round((DEPOSIT + balance) * 100)
    for _ in range(2):  # the same request again refunds nothing more
        r = await pay_client.post(
            f"/admin/reservations/{code}/refunds",
            json={"amount_cents": cents, "through_mercadopago": False},
            headers=admin("back-all"),
        )
        assert r.status_code in (200, 201), r.text
    assert (await pay_client.get("/admin/payments", headers=admin())).json() == []
    ledger = await ledger_of(pay_client, code)
    assert [r["amount"] for r in ledger["refunds"]] == [DEPOSIT + balance]  # type: ignore[index]


async def test_a_payment_of_no_booking_of_ours_shows_its_reference_and_no_link(
    pay_client: Client,
    mp: FakeMercadoPago,
    integrated_settings: Settings,
    clock: FixedClock,
) -> None:
    mp.add_payment("5401", "approved", DEPOSIT, "NO-ES-NUESTRA")
    await notify(pay_client, "5401")
    [flagged] = (await pay_client.get("/admin/payments", headers=admin())).json()
    assert (flagged["attention"], flagged["reservation_code"], flagged["purpose"]) == (
        "unknown_reference",
        None,
        None,
    )
    assert flagged["external_reference"] == "NO-ES-NUESTRA"
    async with console_for(for_owners(integrated_settings), clock) as console:
        await console.member(OWNER, Role.OWNER)
        pagos = (await console.client.get("/panel/pagos")).text
        assert "con la referencia «NO-ES-NUESTRA», de ninguna reserva" in pagos
        assert "Ver la reserva" not in pagos
