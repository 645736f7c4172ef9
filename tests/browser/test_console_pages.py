"""The owner's other pages in a real browser, at a phone's and a desktop's size, each checked
by axe: a manual booking from a free range of the calendar, its page (a transfer recorded, part
of it given back, moved, a note, the timeline), Canales, Cabañas with its texts and prices, the
bulk price change, Pagos and Conversaciones; staff see none of the owner's pages."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import redis
from dishka import Provider, Scope
from playwright.sync_api import Page, expect

from application.accounts.invitations import AcceptInvitation
from application.ports.clock import Clock
from domain.accounts import Role
from domain.calendar import local_today
from entrypoints.container import make_container
from tests.browser.conftest import OWNERS, Check, LiveApp
from tests.browser.harness import Viewport, run_async
from tests.browser.test_console_flow import PASSWORD, cell, invite, seed_scenario, sign_in
from tests.money_text import PESO


def join(page: Page, live: LiveApp, email: str, role: Role) -> None:
    page.goto(invite(live, email, role))
    page.get_by_label("Contraseña nueva").fill(PASSWORD)
    page.get_by_label("Repetila").fill(PASSWORD)
    page.get_by_role("button", name="Guardar y seguir").click()
    expect(page.get_by_text("Listo: ya podés ingresar.")).to_be_visible()
    sign_in(page, live.base_url, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hoy")


def add_member(live: LiveApp, email: str, role: Role) -> None:
    """Someone who accepted an invitation elsewhere (another phone)."""
    token = invite(live, email, role).rsplit("/", 1)[1]

    async def run() -> None:
        fixed = Provider(scope=Scope.APP)
        fixed.provide(lambda: live.clock, provides=Clock)
        container = make_container(live.settings, fixed)
        try:
            async with container() as request:
                await (await request.get(AcceptInvitation))(token, PASSWORD)
        finally:
            await container.close()

    run_async(run)


def go(page: Page, name: str) -> None:
    """A section from the navigation (on a phone it scrolls sideways)."""
    page.get_by_role("navigation", name="Secciones").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def test_owner_books_by_hand_and_runs_the_other_pages(
    page: Page, live_app: LiveApp, check: Check, viewport: Viewport
) -> None:
    now = live_app.clock.now()
    today = local_today(now)
    seed_scenario(live_app, today, now)
    assert live_app.settings.redis_url is not None
    with redis.Redis.from_url(live_app.settings.redis_url) as client:
        client.delete("conv:handovers")
        client.zadd("conv:handovers", {"5491155551234": time.time() + 3600})
    join(page, live_app, OWNERS[0] if viewport.name == "phone" else OWNERS[1], Role.OWNER)

    # A free run of the forest cabin → a manual booking of three nights, left as a hold.
    go(page, "Calendario")
    first = today + timedelta(days=10)  # the free run after the Airbnb stay starts here
    cell(page, "Cabaña del Bosque", first, "libre").click()
    page.get_by_role("link", name="¿Es una reserva? Cargala como reserva manual").click()
    expect(page.get_by_role("heading", name="Reserva manual")).to_be_visible()
    # The tap pre-fills the night under the finger (the middle of the free run): three nights
    # from the run's first instead.
    page.get_by_label("Entrada").fill(first.isoformat())
    page.get_by_label("Salida").fill((first + timedelta(days=3)).isoformat())
    page.get_by_label("Nombre y apellido del huésped").fill("Lucía Fernández")
    page.get_by_label("Teléfono").fill("11 4444")  # digits short: the reason, input kept
    page.get_by_role("button", name="Cargar reserva").click()
    expect(page.get_by_text("Al número le faltan 4 dígitos")).to_be_visible()
    expect(page.get_by_label("Teléfono")).to_have_value("11 4444")
    expect(page.get_by_label("Nombre y apellido del huésped")).to_have_value("Lucía Fernández")
    check(page, "reserva-manual-error")
    page.get_by_label("Teléfono").fill("011 15 4444-5555")  # as the guest says it
    page.get_by_role("button", name="Cargar reserva").click()
    expect(page.get_by_text("La reserva quedó cargada.")).to_be_visible()
    expect(page.get_by_text("Retención esperando pago")).to_be_visible()

    # Paid by transfer: confirmed; then moved two days later; a note; the timeline tells it.
    deposit = page.locator("dt:text-is('Seña') + dd").inner_text().split(" · ")[0]
    page.get_by_label("Cómo pagó").select_option("transfer")
    page.get_by_label("Monto recibido (pesos)").fill("mucho")
    page.get_by_role("button", name="Registrar pago").click()
    expect(page.get_by_text("Escribí el monto en pesos")).to_be_visible()
    expect(page.get_by_label("Monto recibido (pesos)")).to_have_value("mucho")
    page.get_by_label("Monto recibido (pesos)").fill(deposit.removeprefix(PESO))
    page.get_by_role("button", name="Registrar pago").click()
    expect(page.get_by_text("El pago quedó registrado y la reserva, confirmada.")).to_be_visible()
    expect(page.locator("section", has_text="Pagos").first).to_contain_text(
        f"Transferencia · {deposit}"
    )
    check(page, "reserva-pago")
    # One more payment by hand that matches nothing owed: it waits on Pagos...
    page.get_by_label("Cómo pagó").select_option("cash")
    page.get_by_label("Monto recibido (pesos)").fill("1.000")
    page.get_by_role("button", name="Registrar pago").click()
    expect(page.get_by_text("El pago quedó registrado.")).to_be_visible()
    go(page, "Pagos")
    flagged = page.locator("li", has_text=f"{PESO}1.000 en efectivo")
    expect(flagged).to_contain_text("no coincide con lo que se debe")
    expect(flagged.locator(".code").first).to_have_text(re.compile(r"^\w{4}-\w{4}-\w{4}$"))
    check(page, "pagos-a-mano")
    flagged.get_by_role("link", name=re.compile("^Ver la reserva")).click()
    # ... until the 1.000 goes back (below): the booking's money then lines up again.
    # Part of it back, by hand (not through Mercado Pago).
    page.get_by_label("Monto a devolver (pesos)").fill("1.000")
    page.get_by_label(re.compile("^Devolver por Mercado Pago")).uncheck()
    page.get_by_role("button", name="Devolver", exact=True).click()
    expect(page.get_by_text("La devolución quedó hecha y registrada.")).to_be_visible()
    page.get_by_label("Entrada", exact=True).fill((first + timedelta(days=2)).isoformat())
    page.get_by_label("Salida", exact=True).fill((first + timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Mover").click()
    expect(page.get_by_text("Listo: la reserva se movió.")).to_be_visible()
    page.get_by_label("Nota", exact=True).fill("Llega tarde")
    page.get_by_role("button", name="Guardar nota").click()
    # A pasted link, one long word: the page keeps the screen's width and its buttons their
    # place (it went 780 px wide on a phone, and "Guardar nota" took no taps).
    link = "https://www.instagram.com/p/" + "C" * 120 + "/?igsh=reserva"
    page.get_by_label("Nota", exact=True).fill(link)
    page.get_by_role("button", name="Guardar nota").click()
    expect(page.get_by_text("igsh=reserva").first).to_be_attached()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport.width, f"{width} px wide at {viewport.width}"
    # The booking's code is read aloud as one: never broken at a hyphen onto two lines.
    code = page.locator("h1 .code")
    expect(code).to_have_text(re.compile(r"^\w{4}-\w{4}-\w{4}$"))
    assert code.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
    timeline = page.locator("ol.timeline")
    for words in (
        "Cargada a mano",
        "Pago registrado",
        f"transferencia · {deposit} · la reserva quedó confirmada",
        "Devolución",
        "Movida",
        "Nota agregada",
    ):
        expect(timeline).to_contain_text(words)
    check(page, "reserva-acciones")
    page.get_by_role("link", name="Ver en el calendario").click()
    expect(
        cell(page, "Cabaña del Bosque", first + timedelta(days=2), "Reserva de Lucía")
    ).to_be_attached()
    expect(cell(page, "Cabaña del Bosque", first, "libre")).to_be_attached()

    # Canales: the imported Airbnb feed, our addresses and the steps.
    go(page, "Canales")
    expect(page.get_by_text("airbnb.com/calendar/ical/1.ics")).to_be_visible()
    expect(page.get_by_label("Para Airbnb").first).to_have_value(
        re.compile(r"/api/v1/ical/1-airbnb-")
    )
    check(page, "canales")

    # Cabañas: edit the lake cabin's price.
    go(page, "Cabañas")
    check(page, "cabanas")
    page.get_by_role("link", name="Editar Cabaña del Lago").click()
    page.get_by_label("Precio por noche (pesos)").fill("90.000")
    check(page, "cabana")
    page.get_by_role("button", name="Guardar", exact=True).click()
    expect(page.get_by_text(f"{PESO}90.000 la noche")).to_be_visible()

    # Its texts for the guests: a review address that is not one is named, then saved.
    page.get_by_role("link", name="Editar Cabaña del Lago").click()
    page.get_by_label("Hora de entrada").fill("15:30")
    page.get_by_label("Link para dejar una reseña (opcional)").fill("reseñas")
    page.get_by_role("button", name="Guardar textos").click()
    expect(page.get_by_text("Pegá el link para dejar una reseña")).to_be_visible()
    expect(page.get_by_label("Hora de entrada")).to_have_value("15:30")
    check(page, "cabana-textos-error")
    page.get_by_label("Link para dejar una reseña (opcional)").fill("https://g.page/r/lago/review")
    page.get_by_role("button", name="Guardar textos").click()
    expect(page.get_by_text("Listo: los textos quedaron guardados.")).to_be_visible()

    # Its prices: a season, refused while it has both a price and a percentage.
    page.get_by_role("link", name=re.compile("^Precios de temporada")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Precios de Cabaña del Lago")
    seasons = page.locator(
        "section", has=page.get_by_role("heading", name=re.compile("^Temporadas"))
    )
    seasons.get_by_label("Nombre").fill("Temporada alta")
    seasons.get_by_label("Desde (día/mes)").fill("15/12")
    seasons.get_by_label("Hasta, inclusive (día/mes)").fill("28/02")
    seasons.get_by_label("Precio por noche (pesos)").fill("120.000")
    seasons.get_by_label("O porcentaje sobre el precio base").fill("30")
    seasons.get_by_role("button", name="Guardar temporada").click()
    expect(page.get_by_text("uno de los dos")).to_be_visible()
    check(page, "precios-error")
    seasons.get_by_label("O porcentaje sobre el precio base").fill("")
    seasons.get_by_role("button", name="Guardar temporada").click()
    expect(page.get_by_text("Listo: la temporada quedó guardada.")).to_be_visible()
    expect(seasons).to_contain_text(f"{PESO}120.000 la noche")
    check(page, "precios")

    # Many cabins at once: preview, then apply.
    go(page, "Precios")
    page.get_by_label("Porcentaje", exact=True).fill("8")
    page.get_by_label("Desde la noche del").fill((today + timedelta(days=40)).isoformat())
    page.get_by_label("Cabaña del Lago").check()
    page.get_by_role("button", name="Ver la vista previa").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Vista previa: \+8 %"))).to_be_visible()
    check(page, "precios-vista-previa")
    page.get_by_role("button", name="Aplicar el cambio").click()
    expect(page.get_by_text("Listo: el cambio de precios quedó aplicado.")).to_be_visible()

    go(page, "Pagos")
    expect(page.get_by_text("No hay pagos para revisar.")).to_be_visible()
    check(page, "pagos")
    go(page, "Conversaciones")
    check(page, "conversaciones")
    page.get_by_role("button", name="Tomarla +5491155551234").click()
    expect(page.get_by_text("La tomaste vos")).to_be_visible()
    expect(page.get_by_role("link", name="Responder por WhatsApp a +5491155551234")).to_be_visible()
    page.get_by_role("button", name="Devolver al asistente +5491155551234").click()
    expect(page.get_by_text("Nadie espera por ahora.")).to_be_visible()

    # Personas: an invitation sent to the wrong address is listed and revoked; removing a
    # person asks once more, by name.
    go(page, "Personas")
    page.get_by_label("Email").fill("equivocado@example.com")
    page.get_by_role("button", name="Crear invitación").click()
    expect(page.get_by_role("heading", name="Invitación lista")).to_be_visible()
    pending = page.locator("section", has=page.get_by_role("heading", name="Invitaciones sin usar"))
    expect(pending).to_contain_text("equivocado@example.com")
    check(page, "personas-invitacion")
    pending.get_by_role("button", name="Anular la invitación a equivocado@example.com").click()
    expect(
        page.get_by_text("Listo: la invitación a equivocado@example.com ya no sirve.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Invitaciones sin usar")).to_have_count(0)
    add_member(live_app, "ayudante@example.com", Role.STAFF)
    page.reload()
    page.get_by_role("button", name="Quitar acceso a ayudante@example.com").click()
    expect(
        page.get_by_role("heading", name="¿Le quitás el acceso a ayudante@example.com?")
    ).to_be_visible()
    check(page, "personas-quitar")
    page.get_by_role("link", name="No, volver").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Personas")
    # Still there.
    expect(page.get_by_role("button", name="Quitar acceso a ayudante@example.com")).to_be_visible()


def test_staff_see_none_of_the_owners_pages(page: Page, live_app: LiveApp) -> None:
    join(page, live_app, "equipo@cabanas.ar", Role.STAFF)
    nav = page.get_by_role("navigation", name="Secciones")
    for name in ("Pagos", "Conversaciones", "Canales", "Cabañas", "Precios", "Personas"):
        expect(nav.get_by_role("link", name=name)).to_have_count(0)
    for path in (
        "/panel/cabanas",
        "/panel/cabanas/1/precios",
        "/panel/precios",
        "/panel/pagos",
        "/panel/canales",
        "/panel/conversaciones",
    ):
        answer = page.goto(f"{live_app.base_url}{path}")
        assert answer is not None
        assert answer.status == 403, path
        expect(page.get_by_role("heading", name="No podés hacer esto")).to_be_visible()
