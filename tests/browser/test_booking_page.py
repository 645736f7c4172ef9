"""The direct-booking page (/reservar) in a real browser, at a phone's and a desktop's size,
checked by axe: a booking with payments off (straight to the guest's page), a refusal that
keeps what the guest wrote, and the whole way with Mercado Pago — the page, the fake
checkout (www.mercadopago.com.ar routed to the local fake, which notifies our webhook signed),
and the return to /r/{code} showing the booking confirmed."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from dishka import Provider, Scope
from playwright.sync_api import Page, Route, ViewportSize, expect
from sqlalchemy import text

from adapters.clock import SystemClock
from adapters.postgres.database import make_engine
from adapters.postgres.unit_of_work import SqlUnitOfWork
from application.ports.accounts import PasswordHasher
from application.ports.clock import Clock
from domain.calendar import local_today
from domain.conversation.date_resolution import next_weekday
from domain.payments.cancellation import CancellationPolicy, CancellationTier, Outcome
from domain.pricing.cabin_rules import NO_RULES
from entrypoints.container import make_container
from entrypoints.embedded import EmbeddedRedis
from entrypoints.http.app import create_app
from entrypoints.settings import Secret
from tests.browser.conftest import Check, LiveApp, _serve, settings_with
from tests.browser.harness import PHONE, Viewport, run_async
from tests.fakes.providers import MP_TOKEN, FakeMercadoPago, serve
from tests.money_text import PESO
from tests.threaded_server import loopback_socket, port_of
from tests.unit.application.fakes import FixedClock
from tests.unit.application.test_scheduled_messages import LAGO_TEXTS

MP_SECRET = "browser-mp-webhook-secret-0123456789"  # pragma: allowlist secret
CHECKOUT = "https://www.mercadopago.com.ar"
FRIDAY = 4  # date.weekday()
SMALL_PHONE: ViewportSize = {"width": 360, "height": 740}


def stay(live: LiveApp) -> tuple[str, str]:
    """Three nights from the first Friday a month or more after the app's today (the lake cabin
    takes two at least): Friday and Saturday at the weekend price, Sunday at the weekday one,
    whatever day the suite runs."""
    month_out = local_today(live.clock.now()) + timedelta(days=30)
    arrival = next_weekday(FRIDAY, after=month_out - timedelta(days=1))
    return arrival.isoformat(), (arrival + timedelta(days=3)).isoformat()


def search(page: Page, live: LiveApp, guests: str = "2") -> None:
    check_in, check_out = stay(live)
    page.get_by_label("Llegada").fill(check_in)
    page.get_by_label("Salida").fill(check_out)
    page.get_by_label("Personas").fill(guests)
    page.get_by_role("button", name="Ver cabañas libres").click()
    expect(page.get_by_role("heading", name="Cabañas libres")).to_be_visible()


def fill_guest(page: Page, phone: str = "+54 9 11 5555-1234") -> None:
    page.get_by_label("Cabaña del Lago").check()
    page.get_by_label("Nombre y apellido").fill("Juana Pérez")
    page.get_by_label("Celular (WhatsApp)").fill(phone)
    page.get_by_label("E-mail (opcional)").fill("juana@example.com")


def test_a_guest_books_and_lands_on_their_page(
    page: Page, live_app: LiveApp, check: Check, viewport: Viewport
) -> None:
    page.goto(f"{live_app.base_url}/reservar")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reservá tu cabaña")
    check(page, "inicio")
    search(page, live_app)
    lake = page.get_by_role("listitem").filter(has_text="Cabaña del Lago")
    expect(lake).to_contain_text("Seña para reservar")
    expect(lake).to_contain_text(f"2 noches × {PESO}102.000 · fin de semana")
    check(page, "cabanas")

    fill_guest(page, phone="+54 9 11 2222 010")
    if viewport is PHONE:
        page.set_viewport_size(SMALL_PHONE)
    page.get_by_role("button", name="Reservar y pagar la seña").click()
    # The refusal opens where it is said, not at the top of a long page (a small phone showed
    # the search form and no sign of what went wrong): the summary is on screen, and focused.
    summary = page.locator("p.alert", has_text="No pudimos reservar todavía")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport(ratio=1)
    page.set_viewport_size({"width": viewport.width, "height": viewport.height})
    phone = page.get_by_label("Celular (WhatsApp)")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Al número le falta 1 dígito")).to_be_visible()
    expect(phone).to_have_value("+54 9 11 2222 010")
    expect(page.get_by_label("Nombre y apellido")).to_have_value("Juana Pérez")
    expect(page.get_by_label("E-mail (opcional)")).to_have_value("juana@example.com")
    expect(page.get_by_label("Cabaña del Lago")).to_be_checked()
    check(page, "error")

    phone.fill("011 15 5555-1234")  # as Argentines write a mobile
    page.get_by_role("button", name="Reservar y pagar la seña").click()
    page.wait_for_url(re.compile(r"/r/[0-9A-Z]{12}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tu reserva en Cabaña del Lago")
    expect(page.get_by_text("Te guardamos las noches hasta el")).to_be_visible()
    expect(page.get_by_text("Juana P.")).to_be_visible()
    expect(page.get_by_text("+549********34")).to_be_visible()  # stored as +5491155551234
    check(page, "retencion")


def holds(live: LiveApp) -> list[tuple[str, int]]:
    """Every reservation in the app's database: its code and cabin."""

    async def run() -> list[tuple[str, int]]:
        assert live.settings.database_url is not None
        engine = make_engine(live.settings.database_url, pool_size=1)
        try:
            async with engine.connect() as conn:
                found = await conn.execute(
                    text("SELECT code, accommodation_id FROM reservations ORDER BY id")
                )
                return [(str(code), int(cabin)) for code, cabin in found]
        finally:
            await engine.dispose()

    return run_async(run)


def test_back_after_booking_and_the_button_again_holds_no_dearer_cabin(
    page: Page, live_app: LiveApp, check: Check
) -> None:
    """Review H3: the guest books the cheapest cabin, goes Back and presses the button again.
    The browser used to send the form again with a dearer cabin ticked, and that held it too."""
    page.goto(f"{live_app.base_url}/reservar")
    search(page, live_app)
    forest = page.get_by_role("listitem").filter(has_text="Cabaña del Bosque")
    lake = page.get_by_role("listitem").filter(has_text="Cabaña del Lago")
    expect(forest).to_be_visible()
    expect(lake).to_be_visible()  # dearer: $ 85.000 a night against $ 60.000
    page.get_by_label("Cabaña del Bosque").check()
    page.get_by_label("Nombre y apellido").fill("Juana Pérez")
    page.get_by_label("Celular (WhatsApp)").fill("+54 9 11 5555-1234")
    page.get_by_role("button", name="Reservar y pagar la seña").click()
    page.wait_for_url(re.compile(r"/r/[0-9A-Z]{12}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tu reserva en Cabaña del Bosque")
    [(code, cabin)] = holds(live_app)
    assert (page.url.rsplit("/", 1)[1], cabin) == (code, 2)

    page.go_back()
    again = page.get_by_role("button", name="Reservar y pagar la seña")
    expect(again).to_be_visible()
    # The button again, at once: no cabin is ticked for the guest (the browser used to restore
    # the second radio, Los Alerces by then), so nothing is sent and the browser points at
    # the cabins to choose from.
    again.click()
    expect(page.locator("input[name=accommodation_id]").first).to_be_focused()
    expect(page).to_have_url(re.compile(r"/reservar\?"))
    assert holds(live_app) == [(code, 2)]
    # What the guest reads: the booking they have, linked, and that there is no need to book
    # again; the cabin they booked is no longer offered, and none is ticked.
    own = page.locator("#own-bookings")
    expect(own).to_contain_text("Ya tenés una reserva para esas fechas")
    expect(own).to_contain_text("No hace falta reservar de nuevo.")
    display = f"{code[:4]}-{code[4:8]}-{code[8:]}"
    link = own.get_by_role("link", name=re.compile(f"Cabaña del Bosque.*{display}"))
    expect(link).to_have_attribute("href", f"/r/{code}")
    expect(page.get_by_label("Cabaña del Bosque")).to_have_count(0)  # its nights are held
    for name in ("Cabaña del Lago", "Cabaña Familiar Los Alerces"):
        expect(page.get_by_label(name)).not_to_be_checked()
    check(page, "atras")

    # Even with a dearer cabin ticked and the guest's details again, no second hold: the page
    # names the booking they have and asks whether they really want another cabin as well.
    page.get_by_label("Cabaña del Lago").check()
    page.get_by_label("Nombre y apellido").fill("Juana Pérez")
    page.get_by_label("Celular (WhatsApp)").fill("+54 9 11 5555-1234")
    page.get_by_role("button", name="Reservar y pagar la seña").click()
    expect(page.locator("#e-another")).to_contain_text("Ya tenés una reserva para esas fechas")
    expect(page.locator("#own-bookings").get_by_role("link")).to_have_attribute(
        "href", f"/r/{code}"
    )
    expect(page.get_by_label("Nombre y apellido")).to_have_value("Juana Pérez")
    assert holds(live_app) == [(code, 2)]
    check(page, "atras-otra-cabana")


def test_dates_in_the_past_are_named_and_kept(page: Page, live_app: LiveApp, check: Check) -> None:
    yesterday = (local_today(live_app.clock.now()) - timedelta(days=1)).isoformat()
    page.goto(f"{live_app.base_url}/reservar?check_in={yesterday}&check_out={stay(live_app)[1]}")
    arrival = page.get_by_label("Llegada")
    expect(arrival).to_have_value(yesterday)
    expect(arrival).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Esa fecha de llegada ya pasó")).to_be_visible()
    check(page, "fecha-pasada")


@pytest.fixture
def fake_mp() -> Iterator[FakeMercadoPago]:
    fake = FakeMercadoPago()
    with serve(fake.app()) as url:
        fake.url = url
        fake.webhook_secret = MP_SECRET
        yield fake


@pytest.fixture
def paying_app(
    live_app: LiveApp, fake_mp: FakeMercadoPago, redis_server: EmbeddedRedis
) -> Iterator[LiveApp]:
    """A second server on live_app's database with Mercado Pago on (the fake), reachable at
    its PUBLIC_BASE_URL, so the checkout's notification and return come back to it."""
    sock = loopback_socket()
    base = f"http://127.0.0.1:{port_of(sock)}"
    settings = settings_with(
        live_app,
        public_base_url=base,
        mp_access_token=Secret(MP_TOKEN),
        mp_webhook_secret=Secret(MP_SECRET),
        mp_api_base_url=fake_mp.url,
        mp_timeout_seconds=5.0,
    )
    clock = FixedClock(datetime.now().astimezone())
    fixed = Provider(scope=Scope.APP)
    fixed.provide(lambda: clock, provides=Clock)
    from tests.e2e.console_client import quick_hasher

    fixed.provide(quick_hasher, provides=PasswordHasher)
    app = create_app(make_container(settings, fixed), settings)
    server, thread = _serve(app, sock)
    try:
        yield LiveApp(base, settings, clock)
    finally:
        server.should_exit = True
        thread.join(15)


def give_the_lake_cabin_its_terms(live: LiveApp) -> None:
    """What the owner sets for the lake cabin: cancellation tiers and the way in."""

    async def run() -> None:
        assert live.settings.database_url is not None
        engine = make_engine(live.settings.database_url, pool_size=1)
        try:
            async with engine.connect() as conn:
                uow = SqlUnitOfWork(conn, SystemClock())
                async with uow:
                    policy = CancellationPolicy(
                        (
                            CancellationTier(30, Decimal(100)),
                            CancellationTier(7, Decimal(50), Outcome.CREDIT, 180),
                        )
                    )
                    await uow.prices.replace(1, NO_RULES, policy)
                    await uow.cabin_texts.save(1, LAGO_TEXTS, live.clock.now())
                    await uow.commit()
        finally:
            await engine.dispose()

    run_async(run)


def test_a_guest_books_pays_on_mercado_pago_and_comes_back_confirmed(
    page: Page, paying_app: LiveApp, fake_mp: FakeMercadoPago, check: Check
) -> None:
    def to_the_fake(route: Route) -> None:
        # www.mercadopago.com.ar answered by the local fake, as if DNS pointed there.
        url = route.request.url.replace(CHECKOUT, fake_mp.url, 1)
        route.fulfill(response=route.fetch(url=url, max_redirects=0))

    give_the_lake_cabin_its_terms(paying_app)
    page.route(f"{CHECKOUT}/**", to_the_fake)
    page.goto(f"{paying_app.base_url}/reservar")
    search(page, paying_app)
    # The terms are read before paying, under the cabin's price.
    lake = page.get_by_role("listitem").filter(has_text="Cabaña del Lago")
    expect(lake).to_contain_text("Entre 7 y 29 días antes de la llegada: te queda un crédito")
    expect(lake).to_contain_text("para usar en otra reserva dentro de 180 días")
    check(page, "condiciones")
    fill_guest(page)
    page.get_by_role("button", name="Reservar y pagar la seña").click()

    page.wait_for_url(re.compile(r"^https://www\.mercadopago\.com\.ar/checkout/v1/redirect"))
    expect(page.get_by_role("heading", name="Mercado Pago")).to_be_visible()
    [preference] = fake_mp.preferences
    code = preference["external_reference"]
    page.get_by_role("button", name="Pagar").click()

    page.wait_for_url(re.compile(rf"/r/{code}\?.*collection_status=approved"))
    expect(page.get_by_role("status")).to_contain_text("Recibimos tu pago")
    # Our webhook answers 202 and applies the payment just after: the page says so until then.
    confirmed = page.get_by_text("Recibimos tu pago y tu reserva está confirmada")
    deadline = time.monotonic() + 15
    while not confirmed.count():
        assert time.monotonic() < deadline, "the payment was never applied"
        page.reload()
    expect(page.get_by_role("status")).to_contain_text("tu reserva está confirmada. ¡Te esperamos!")
    expect(page.get_by_text("Reserva confirmada. ¡Te esperamos!")).to_have_count(0)  # one box
    expect(page.get_by_role("link", name="Pagar seña")).to_have_count(0)
    expect(page.get_by_role("heading", name="Si tenés que cancelar")).to_be_visible()
    expect(page.get_by_text("te devolvemos el 100 % de lo pagado")).to_be_visible()
    expect(page.get_by_role("heading", name="Cómo llegar")).to_be_visible()
    expect(page.get_by_text("Ruta 40 km 2010, Villa La Angostura")).to_be_visible()
    expect(page.get_by_role("link", name="Ver en el mapa")).to_have_attribute(
        "href", "https://maps.app.goo.gl/lago"
    )
    check(page, "confirmada")
