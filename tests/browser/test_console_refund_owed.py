"""A refund owed that refunds cover only in part, in a real browser at a phone's and a desktop's
size: Mario's booking paid its deposit by Mercado Pago and then the whole stay again through the
deposit link (flagged ``refund_required``); 10.000 of it went back by hand. Pagos and Hoy name
the booking, say what is still to give back in pesos, lead to the reservation's page (where a
refund is made), keep the phone's width, and pass axe."""

from __future__ import annotations

from dishka import Provider, Scope
from playwright.sync_api import Locator, Page, expect

from application.payments.apply_payment import ApplyPayment
from application.payments.refunds import IssueRefund
from application.ports.clock import Clock
from application.ports.payments import PaymentGateway
from application.ports.unit_of_work import UnitOfWork
from domain.accounts import Role
from domain.calendar import local_today
from domain.codes import ReservationCode
from domain.money import Money
from domain.payments.payment import Payment, PaymentStatus
from entrypoints.container import make_container
from tests.browser.conftest import OWNERS, Check, LiveApp
from tests.browser.harness import Viewport, run_async
from tests.browser.test_console_flow import HOLD, seed_scenario
from tests.browser.test_console_pages import join
from tests.money_text import PESO
from tests.unit.application.fakes import FakeGateway

DEPOSIT, TOTAL = 12_000_000, 40_000_000  # Mario's hold (seed_scenario), in cents
BACK_BY_HAND = 1_000_000
HOLD_READ = ReservationCode(HOLD).display  # as the owner reads it aloud; links keep HOLD


def partly_refunded_second_payment(live: LiveApp) -> None:
    """Mario's deposit by Mercado Pago confirms his hold; a second payment of the whole stay
    through the deposit link is more than he owes (``refund_required``); then 10.000 is given
    back by hand, which leaves the flag open with the rest (``settle_refund_flags``)."""
    gateway = FakeGateway()
    for payment_id, cents in (("4111", DEPOSIT), ("4112", TOTAL)):
        gateway.payments[payment_id] = Payment(
            payment_id, PaymentStatus.APPROVED, Money(cents, "ARS"), HOLD
        )

    async def run() -> None:
        fixed = Provider(scope=Scope.APP)
        fixed.provide(lambda: live.clock, provides=Clock)
        fixed.provide(lambda: gateway, provides=PaymentGateway)
        container = make_container(live.settings, fixed)
        try:
            for payment_id in ("4111", "4112"):
                async with container() as request:
                    uow = await request.get(UnitOfWork)
                    async with uow:  # as a notification is applied: the caller commits
                        await (await request.get(ApplyPayment))(payment_id)
                        await uow.commit()
            async with container() as request:
                refund = await request.get(IssueRefund)
                await refund(HOLD, BACK_BY_HAND, False, None, OWNERS[0], "browser-part-1")
        finally:
            await container.close()

    run_async(run)


def fits(page: Page, viewport: Viewport) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport.width, f"{page.url} is {width} px wide at {viewport.width}"


# How many lines each element's text is drawn on: the distinct tops of its text's boxes (a
# Range over its contents). Not ``getClientRects()`` of the element itself: an inline-block
# (``.badge``) is one box however many lines its text wraps to inside it.
TEXT_LINES = """els => els.map(e => {
  const range = document.createRange();
  range.selectNodeContents(e);
  const tops = [...range.getClientRects()].filter(b => b.width > 0).map(b => b.top);
  tops.sort((a, b) => a - b);
  return tops.filter((top, i) => i === 0 || top - tops[i - 1] > 4).length;
})"""


def on_one_line(amounts: Locator) -> None:
    """Each amount (or badge) is drawn in one piece: "$" does not end a line."""
    assert amounts.count() > 0
    lines = amounts.evaluate_all(TEXT_LINES)
    assert set(lines) == {1}, lines


def test_owner_sees_what_is_still_to_give_back(
    page: Page, live_app: LiveApp, check: Check, viewport: Viewport
) -> None:
    now = live_app.clock.now()
    seed_scenario(live_app, local_today(now), now)
    partly_refunded_second_payment(live_app)
    join(page, live_app, OWNERS[0] if viewport.name == "phone" else OWNERS[1], Role.OWNER)

    # Hoy: the queue names the payment and the booking, and what is left to give back.
    owed = page.get_by_role("listitem").filter(has_text="Pago 4112")
    expect(owed).to_contain_text(
        f"Pago 4112 ({PESO}400.000) de {HOLD_READ}: falta devolver {PESO}390.000"
    )
    expect(owed.locator(".badge")).to_have_text("Devolver")
    expect(owed.get_by_role("link", name=f"Ver la reserva {HOLD_READ}")).to_have_attribute(
        "href", f"/panel/reservas/{HOLD}"
    )
    on_one_line(owed.locator(".amount"))
    fits(page, viewport)
    check(page, "hoy-falta-devolver")

    # Pagos: the badge with both amounts, in pesos as the owner writes them.
    page.get_by_role("navigation", name="Secciones").get_by_role("link", name="Pagos").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pagos")
    item = page.get_by_role("listitem").filter(has_text="pago 4112")
    expect(item.locator(".badge")).to_have_text(f"falta devolver {PESO}390.000")
    expect(item).to_contain_text(f"(ya se devolvieron {PESO}10.000)")
    # The booking is named where the owner acts: its page, with its refund form.
    to_booking = item.get_by_role("link", name=f"Ver la reserva {HOLD_READ}")
    expect(to_booking).to_be_visible()
    on_one_line(item.locator(".badge, .amount"))
    fits(page, viewport)
    check(page, "pagos-falta-devolver")

    to_booking.click()
    expect(page).to_have_url(f"{live_app.base_url}/panel/reservas/{HOLD}")
    expect(page.get_by_label("Monto a devolver (pesos)")).to_be_visible()
