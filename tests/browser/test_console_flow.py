"""The owner's console in a real browser, at a phone's and a desktop's size: invitation →
password → sign in → Hoy → Calendario (an Airbnb stay, a collision) → block two nights from a
tapped night → open the block and remove it → cancel a hold; staff meet the 403 page on an
owner-only page; a form posted from another site is refused. Every page passes the
accessibility check (see harness.py)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import asyncpg
from dishka import Provider, Scope
from playwright.sync_api import Browser, Page, expect

from application.accounts.invitations import InviteUser
from application.ports.clock import Clock
from domain.accounts import Role
from domain.calendar import local_today
from entrypoints.container import make_container
from entrypoints.http.console.links import invitation_link
from entrypoints.http.console.rendering import short_date
from tests.browser.conftest import OWNERS, Check, LiveApp
from tests.browser.harness import Viewport, run_async

PASSWORD = "una frase larga para el panel"  # pragma: allowlist secret
ARRIVING, HOLD, STAY = "0ARR1VA1ARR1", "H01DH01DH01D", "A1RBNB0A1RBN"


def invite(live: LiveApp, email: str, role: Role) -> str:
    async def run() -> str:
        fixed = Provider(scope=Scope.APP)
        fixed.provide(lambda: live.clock, provides=Clock)
        container = make_container(live.settings, fixed)
        try:
            async with container() as request:
                return await (await request.get(InviteUser))(email, role, "tests")
        finally:
            await container.close()

    return invitation_link(live.settings, run_async(run)).replace(
        "http://127.0.0.1:8000", live.base_url
    )


def seed_scenario(live: LiveApp, today: date, now: datetime) -> None:
    """Juana arrives today at the lake cabin; Airbnb holds five nights of the forest cabin and
    wanted a night the lake cabin had already given to Juana; Mario holds the family cabin."""

    async def run() -> None:
        assert live.settings.database_url is not None
        conn = await asyncpg.connect(live.settings.database_url)
        try:
            insert = (
                "INSERT INTO reservations (code, accommodation_id, check_in, check_out, guests, "
                "guest_name, guest_phone, total_cents, deposit_cents, channel, status, kind, "
                "expires_at, created_at, updated_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)"
            )
            day = timedelta(days=1)
            await conn.execute(
                insert,
                ARRIVING,
                1,
                today,
                today + 3 * day,
                2,
                "Juana Pérez",
                "+5491155551234",
                30000000,
                9000000,
                "api",
                "confirmed",
                "booking",
                None,
                now,
            )
            await conn.execute(
                insert,
                STAY,
                2,
                today + 5 * day,
                today + 10 * day,
                1,
                None,
                None,
                0,
                0,
                "airbnb",
                "confirmed",
                "external",
                None,
                now,
            )
            await conn.execute(
                insert,
                HOLD,
                3,
                today + 3 * day,
                today + 5 * day,
                4,
                "Mario Gómez",
                "+5491166662222",
                40000000,
                12000000,
                "whatsapp",
                "pre_reserved",
                "booking",
                now + timedelta(minutes=40),
                now,
            )
            feed = await conn.fetchval(
                "INSERT INTO ical_feeds (accommodation_id, source, url, created_at, updated_at) "
                "VALUES (1, 'airbnb', 'https://www.airbnb.com/calendar/ical/1.ics', $1, $1) "
                "RETURNING id",
                now,
            )
            await conn.execute(
                "INSERT INTO ical_conflicts (feed_id, accommodation_id, uid, check_in, "
                "check_out, other_code, detected_at) VALUES ($1, 1, 'x@airbnb', $2, $3, $4, $5)",
                feed,
                today + day,
                today + 2 * day,
                ARRIVING,
                now,
            )
        finally:
            await conn.close()

    run_async(run)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/panel/ingresar")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()


def cell(page: Page, cabin: str, day: date, words: str):  # type: ignore[no-untyped-def]
    """A night on the calendar, or the run of nights starting on it ("…, mar 8 dic a jue 10
    dic (3 noches): …"), found by what it says to a screen reader (its title too)."""
    nights = r"(?: a [^:]+ \(\d+ noches\))?"
    return page.get_by_title(
        re.compile(rf"^{re.escape(cabin)}, {short_date(day)}{nights}: {words}")
    )


def letter(page: Page, cabin: str, day: date, words: str):  # type: ignore[no-untyped-def]
    """What the night shows (a letter: colour is never the only sign)."""
    return cell(page, cabin, day, words).locator("[aria-hidden=true]")


def tap_night(page: Page, run, night: date) -> None:  # type: ignore[no-untyped-def]
    """Tap a free run of nights on ``night``'s column, as a finger would."""
    column = page.locator(f'table.cal thead th[data-night="{night.isoformat()}"]')
    column.scroll_into_view_if_needed()
    x, y = column.bounding_box(), run.bounding_box()
    assert x is not None
    assert y is not None
    page.mouse.click(x["x"] + x["width"] / 2, y["y"] + y["height"] / 2)


def test_owner_runs_the_day_from_the_console(
    page: Page, live_app: LiveApp, check: Check, browser: Browser, viewport: Viewport
) -> None:
    base, now = live_app.base_url, live_app.clock.now()
    today = local_today(now)
    seed_scenario(live_app, today, now)
    owner = OWNERS[0] if viewport.name == "phone" else OWNERS[1]

    # Invitation → password → sign in.
    page.goto(invite(live_app, owner, Role.OWNER))
    check(page, "invitation")
    page.get_by_label("Contraseña nueva").fill(PASSWORD)
    page.get_by_label("Repetila").fill(PASSWORD)
    page.get_by_role("button", name="Guardar y seguir").click()
    expect(page.get_by_text("Listo: ya podés ingresar.")).to_be_visible()
    check(page, "sign-in")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()

    # Hoy: Juana arrives at the lake cabin; Mario's hold counts down; the collision is queued.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hoy")
    arrivals = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Hoy ·")))
    expect(arrivals).to_contain_text("Cabaña del Lago")
    expect(arrivals).to_contain_text("Juana Pérez")
    expect(arrivals).to_contain_text("2 personas")
    expect(page.locator("#retenciones")).to_contain_text("Mario Gómez")
    expect(page.locator("#retenciones .countdown")).to_contain_text(re.compile(r"vence en \d+:"))
    expect(page.get_by_text("Choque", exact=True)).to_be_visible()
    check(page, "hoy")

    # Calendario: Airbnb's nights, the collision, the hold.
    page.get_by_role("link", name="Calendario", exact=True).click()
    expect(
        letter(page, "Cabaña del Bosque", today + timedelta(days=5), "Noches de Airbnb")
    ).to_have_text("A")
    expect(
        letter(page, "Cabaña del Lago", today + timedelta(days=1), "Reserva de Juana Pérez — ch")
    ).to_have_text("R!")
    expect(
        letter(page, "Cabaña Familiar Los Alerces", today + timedelta(days=3), "Retención")
    ).to_have_text("P")
    check(page, "calendario")

    # Block two nights of the forest cabin's free run after the Airbnb stay: a tap on its
    # third night offers that night alone, then the owner makes it two.
    first = today + timedelta(days=12)
    tap_night(page, cell(page, "Cabaña del Bosque", today + timedelta(days=10), "libre"), first)
    expect(page.get_by_role("heading", name="Bloquear noches")).to_be_visible()
    expect(page.get_by_label("Desde (primera noche)")).to_have_value(first.isoformat())
    until = page.get_by_label("Hasta (día en que se libera)")
    expect(until).to_have_value((first + timedelta(days=1)).isoformat())
    expect(page.locator("[data-nights]")).to_have_text("1 noche")
    check(page, "bloquear")
    until.fill((first + timedelta(days=2)).isoformat())
    expect(page.locator("[data-nights]")).to_have_text("2 noches")
    page.get_by_label("Motivo (opcional)").fill("Pintura")
    page.get_by_role("button", name="Bloquear").click()
    expect(page.get_by_text("Listo: las noches quedaron bloqueadas.")).to_be_visible()
    # The block's two nights are one cell.
    expect(letter(page, "Cabaña del Bosque", first, "Bloqueo: Pintura")).to_have_text("B")
    expect(cell(page, "Cabaña del Bosque", first, "Bloqueo: Pintura")).to_have_attribute(
        "title", re.compile(r"\(2 noches\)")
    )
    expect(cell(page, "Cabaña del Bosque", first + timedelta(days=2), "libre")).to_be_attached()
    # The calendar scrolls inside its box: the page itself never gets wider than the phone,
    # though the B's label (for screen readers) sits past the screen's edge.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    check(page, "calendario-bloqueado")

    # The B opens the block's page: its reason in words (a phone shows no tooltip), and
    # Quitar bloqueo frees the nights.
    cell(page, "Cabaña del Bosque", first, "Bloqueo: Pintura").click()
    expect(page.get_by_role("heading", name="Bloqueo", exact=True)).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Pintura")
    expect(page.locator("dl.facts")).to_contain_text(owner)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    check(page, "bloqueo")
    page.get_by_role("button", name="Quitar bloqueo").click()
    expect(
        page.get_by_text(
            f"Listo: las noches del {short_date(first)} al "
            f"{short_date(first + timedelta(days=2))} quedaron libres."
        )
    ).to_be_visible()
    expect(cell(page, "Cabaña del Bosque", first, "Bloqueo")).to_have_count(0)

    # Cancel Mario's hold from its detail page: it leaves Hoy and the calendar.
    page.get_by_role("link", name="Hoy", exact=True).first.click()
    page.get_by_role("link", name="Ver retención de Mario Gómez").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reserva")
    check(page, "reserva")
    page.get_by_role("button", name="Cancelar retención").click()
    expect(page.get_by_text("La reserva se canceló")).to_be_visible()
    page.get_by_role("link", name="Hoy", exact=True).first.click()
    expect(page.locator("#retenciones")).not_to_contain_text("Mario Gómez")
    expect(page.locator("#retenciones")).to_contain_text("No hay retenciones")
    page.goto(f"{base}/panel/calendario")
    expect(cell(page, "Cabaña Familiar Los Alerces", today, "libre")).to_have_attribute(
        "title", re.compile(r"\(30 noches\): libre$")
    )


def test_staff_meet_the_403_page_and_other_sites_cannot_post_forms(
    page: Page, live_app: LiveApp, check: Check
) -> None:
    base = live_app.base_url
    page.goto(invite(live_app, "equipo@cabanas.ar", Role.STAFF))
    page.get_by_label("Contraseña nueva").fill(PASSWORD)
    page.get_by_label("Repetila").fill(PASSWORD)
    page.get_by_role("button", name="Guardar y seguir").click()
    sign_in(page, base, "equipo@cabanas.ar")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hoy")
    expect(page.get_by_role("link", name="Personas")).to_have_count(0)
    answer = page.goto(f"{base}/panel/usuarios")
    assert answer is not None
    assert answer.status == 403
    expect(page.get_by_role("heading", name="No podés hacer esto")).to_be_visible()
    check(page, "403")

    # Another site (localhost is not the same site as 127.0.0.1) posts a block form to us.
    port = base.rsplit(":", 1)[1]
    attacker = f"http://localhost:{port}/otro-sitio"
    page.route(
        attacker,
        lambda route: route.fulfill(
            content_type="text/html; charset=utf-8",
            body=(
                f'<!doctype html><html lang="en"><title>x</title><form method="post" '
                f'action="{base}/panel/calendario/bloquear"><input name="cabana" value="1">'
                '<input name="desde" value="2030-01-01"><input name="hasta" value="2030-01-03">'
                "<button>Win a prize</button></form></html>"
            ),
        ),
    )
    page.goto(attacker)
    with page.expect_navigation():
        page.get_by_role("button", name="Win a prize").click()
    assert page.url.startswith(base)
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("Calendario")
    refused = page.content()
    assert "otro sitio" in refused or "Ingresar" in refused
    page.goto(f"{base}/panel/calendario?desde=2030-01-01")
    expect(cell(page, "Cabaña del Lago", date(2030, 1, 1), "libre")).to_be_attached()
