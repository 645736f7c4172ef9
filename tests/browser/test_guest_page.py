"""The guest's reservation page (/r/{code}) in a real browser, at a phone's and a desktop's
size, checked by axe: a live hold with its payment button, the same hold back from a failed
Mercado Pago payment, and a confirmed booking."""

from __future__ import annotations

import asyncpg
from playwright.sync_api import Page, expect

from domain.calendar import local_today
from tests.browser.conftest import Check, LiveApp
from tests.browser.harness import run_async
from tests.browser.test_console_flow import ARRIVING, HOLD, seed_scenario

PAYMENT_URL = "https://www.mercadopago.com.ar/checkout/v1/redirect?pref_id=guest-page-test"


def give_the_hold_a_payment_link(live: LiveApp) -> None:
    async def run() -> None:
        assert live.settings.database_url is not None
        conn = await asyncpg.connect(live.settings.database_url)
        try:
            await conn.execute(
                "UPDATE reservations SET payment_url = $1 WHERE code = $2", PAYMENT_URL, HOLD
            )
        finally:
            await conn.close()

    run_async(run)


def test_a_guest_reads_a_live_hold_and_a_confirmed_booking(
    page: Page, live_app: LiveApp, check: Check
) -> None:
    now = live_app.clock.now()
    seed_scenario(live_app, local_today(now), now)
    give_the_hold_a_payment_link(live_app)

    page.goto(f"{live_app.base_url}/r/{HOLD}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tu reserva en")
    pay = page.get_by_role("link", name="Pagar seña")
    expect(pay).to_be_visible()
    expect(pay).to_have_attribute("href", PAYMENT_URL)
    expect(page.get_by_text("Te guardamos las noches hasta el")).to_be_visible()
    expect(page.get_by_text("+549********22")).to_be_visible()
    expect(page.get_by_text("Mario G.")).to_be_visible()
    check(page, "retencion")

    page.goto(f"{live_app.base_url}/r/{HOLD}?collection_status=rejected")
    expect(page.get_by_role("alert")).to_contain_text("Podés intentarlo de nuevo")
    expect(page.get_by_role("link", name="Pagar seña")).to_be_visible()
    check(page, "pago-fallido")

    page.goto(f"{live_app.base_url}/r/{ARRIVING}?status=approved")
    expect(page.get_by_role("status")).to_contain_text("tu reserva está confirmada")
    expect(page.get_by_role("link", name="Pagar seña")).to_have_count(0)
    expect(page.get_by_text("Juana P.")).to_be_visible()
    check(page, "confirmada")

    page.goto(f"{live_app.base_url}/r/ZZZZZZZZZZZZ")
    expect(page.get_by_role("heading", level=1)).to_have_text("No encontramos esa reserva")
    check(page, "desconocida")
