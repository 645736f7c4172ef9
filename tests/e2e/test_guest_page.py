"""The guest's reservation page, /r/{code}: Spanish HTML, masked guest data, the payment link
while the hold lives, a page per state and per Mercado Pago outcome, Spanish 404s, and the
same rate limit as the API."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from dishka import AsyncContainer

from application.operations.maintenance import ExpireLapsedHolds
from tests.e2e.conftest import ADMIN_EMAIL, JWT_SECRET, ClientFactory
from tests.e2e.test_admin import bearer
from tests.e2e.test_cabin_texts import LAGO
from tests.e2e.test_payments import DEPOSIT, Client, hold, notify, status_of
from tests.e2e.test_refunds import refund
from tests.fakes.providers import FakeMercadoPago
from tests.money_text import PESO
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
ROOT = "http://testserver.local"


async def guest_page(client: Client, code: object, query: str = "") -> tuple[int, str, object]:
    r = await client.get(f"{ROOT}/r/{code}{query}")
    return r.status_code, r.text, r.headers


async def cancel(client: Client, code: object) -> None:
    r = await client.post(
        f"/admin/reservations/{code}/cancel",
        json={"reason": "cambio de planes"},
        headers=bearer(ADMIN_EMAIL, secret=JWT_SECRET),
    )
    assert r.status_code == 200, r.text


async def test_a_live_hold_shows_its_facts_its_expiry_and_the_payment_button(
    pay_client: Client,
) -> None:
    booking = await hold(pay_client)
    other = await hold(
        pay_client,
        check_in="2027-01-08",
        check_out="2027-01-10",
        guest_name="Ramiro Gómez",
        guest_phone="+5491166667777",
        guest_email="ramiro@example.com",
    )
    status, html, headers = await guest_page(pay_client, booking["code"])
    assert status == 200
    assert headers["content-type"].startswith("text/html")  # type: ignore[index]
    assert "script-src 'self'" in headers["content-security-policy"]  # type: ignore[index]
    assert headers["cache-control"] == "no-store"  # type: ignore[index]
    assert '<html lang="es-AR">' in html
    assert "Tu reserva en Cabaña del Lago" in html
    assert "viernes 18 de diciembre de 2026" in html
    assert "lunes 21 de diciembre de 2026" in html
    assert f"{PESO}86.700" in html  # the deposit
    assert "Pagar seña" in html
    assert str(booking["payment_url"]) in html
    assert "Te guardamos las noches hasta el" in html
    # Masked as in the API; nothing of the guest in full, nothing of another guest.
    assert "Juana P." in html
    assert "+549********34" in html
    assert "j***@example.com" in html
    for secret in ("Pérez", "+5491155551234", "1155551234", "juana@example.com"):
        assert secret not in html
    for theirs in ("Ramiro", "Gómez", "66667777", "ramiro@", str(other["code_display"])):
        assert theirs not in html


@pytest.mark.parametrize(
    ("name", "masked", "hidden"),
    [
        ("Juana Pérez 😀", "Juana P.", "😀"),
        ("María José O'Neill-Núñez", "María O.", "José"),
    ],
)
async def test_the_name_shows_as_first_name_and_surname_initial(
    pay_client: Client, name: str, masked: str, hidden: str
) -> None:
    booking = await hold(pay_client, guest_name=name)
    _, html, _ = await guest_page(pay_client, booking["code"])
    assert f"<dt>Nombre</dt><dd>{masked}</dd>" in html
    assert hidden not in html


async def test_no_whatsapp_link_without_the_owners_number_and_one_with_it(
    pay_client: Client, make_client: ClientFactory
) -> None:
    booking = await hold(pay_client)
    _, html, _ = await guest_page(pay_client, booking["code"])
    assert "wa.me" not in html
    async with make_client(admin_whatsapp_number="+54 9 294 455-1234") as c:
        r = await c.get(f"/r/{booking['code']}")
    assert r.status_code == 200
    assert 'href="https://wa.me/5492944551234?text=' in r.text


async def test_each_mercado_pago_outcome_has_its_message(pay_client: Client) -> None:
    code = (await hold(pay_client))["code"]
    _, approved, _ = await guest_page(
        pay_client, code, "?collection_status=approved&status=approved"
    )
    assert "Recibimos tu pago: estamos confirmándolo" in approved
    _, pending, _ = await guest_page(pay_client, code, "?collection_status=in_process")
    assert "Tu pago quedó pendiente" in pending
    _, failed, _ = await guest_page(pay_client, code, "?status=failure")
    assert "El pago no se completó. Podés intentarlo de nuevo mientras dure la retención" in failed
    assert "Pagar seña" in failed
    _, plain, _ = await guest_page(pay_client, code, "?status=nonsense")
    assert "Recibimos tu pago" not in plain
    assert "El pago no se completó" not in plain


@pytest.mark.parametrize(
    "query", ["?collection_status=approved&status=approved", "?collection_status=pending"]
)
async def test_back_from_paying_the_page_does_not_ask_to_pay_again(
    pay_client: Client, query: str
) -> None:
    booking = await hold(pay_client)
    code = booking["code"]
    _, html, _ = await guest_page(pay_client, code, query)
    assert "Pagar seña" not in html
    assert str(booking["payment_url"]) not in html
    assert "pagá la seña antes de ese momento" not in html
    assert "no hace falta pagar de nuevo" in html.lower()
    assert "te devolvemos lo que pagaste" in html  # a payment after the hold lapsed
    if "pending" in query:
        assert "queda confirmada cuando Mercado Pago lo acredite" in html
        assert f'href="/r/{code}"' in html  # rejected after all: the page that offers to pay
    else:
        assert "en unos minutos la reserva queda confirmada" in html
    # The query is the guest's to type: it changes words, never the booking.
    assert await status_of(pay_client, code) == "pre_reserved"
    _, plain, _ = await guest_page(pay_client, code)
    assert "Pagar seña" in plain
    assert "pagá la seña antes de ese momento" in plain


async def test_back_from_paying_on_a_lapsed_hold_says_what_happens_to_the_money(
    pay_client: Client, clock: FixedClock
) -> None:
    code = (await hold(pay_client))["code"]
    clock.current += timedelta(hours=2)
    _, html, _ = await guest_page(pay_client, code, "?collection_status=approved")
    assert "La retención venció antes de que se acreditara el pago" in html
    assert "te devolvemos lo que pagaste" in html
    assert "Pagar seña" not in html
    assert await status_of(pay_client, code) in ("pre_reserved", "expired")


async def test_a_confirmed_booking_shows_what_is_paid_and_due(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    booking = await hold(pay_client)
    mp.add_payment("4242", "approved", DEPOSIT, str(booking["code"]))
    await notify(pay_client, "4242")
    assert await status_of(pay_client, booking["code"]) == "confirmed"
    status, html, _ = await guest_page(pay_client, booking["code"], "?status=approved")
    assert status == 200
    assert "Recibimos tu pago y tu reserva está confirmada. ¡Te esperamos!" in html
    assert html.count('class="notice"') == 1  # one green box says it, not two
    assert "Reserva confirmada. ¡Te esperamos!" not in html
    _, plain, _ = await guest_page(pay_client, booking["code"])
    assert "Reserva confirmada. ¡Te esperamos!" in plain
    assert "Pagar seña" not in html
    assert "Te guardamos" not in html
    total = float(booking["total_amount"])  # type: ignore[arg-type]
    due = f"{PESO}{int(total - DEPOSIT):,}".replace(",", ".")
    assert f"<dt>Pagado</dt><dd>{PESO}86.700</dd>" in html
    # The balance says by when, and that a reminder comes.
    assert f"<dt>Saldo</dt><dd>{due}, hasta el " in html
    assert "Te lo recordamos unos días antes" in html
    # Cancelled, it owes nothing, and what was paid goes back.
    await cancel(pay_client, booking["code"])
    _, html, _ = await guest_page(pay_client, booking["code"])
    assert "<dt>Saldo</dt>" not in html
    assert f"<dt>Para devolverte</dt><dd>{PESO}86.700</dd>" in html
    assert "te lo devolvemos o te queda como crédito" in html
    assert "<dt>Devuelto</dt>" not in html
    # Part of it given back: what was paid stays what was paid, beside what went back.
    given = await refund(pay_client, booking["code"], "back-1", 3_000_000, mercadopago=False)
    assert given.status_code == 201, given.text
    _, html, _ = await guest_page(pay_client, booking["code"])
    assert f"<dt>Pagado</dt><dd>{PESO}86.700</dd>" in html
    assert f"<dt>Devuelto</dt><dd>{PESO}30.000</dd>" in html
    assert f"<dt>Para devolverte</dt><dd>{PESO}56.700</dd>" in html


async def test_cancellation_terms_while_it_stands_and_the_way_in_once_confirmed(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    owner = bearer(ADMIN_EMAIL, secret=JWT_SECRET)
    booking = await hold(pay_client)
    _, html, _ = await guest_page(pay_client, booking["code"])
    assert "no tiene una política de cancelación cargada" in html  # none stored yet
    terms = {
        "cancellation_tiers": [
            {"min_days_before": 30, "percent": 100, "outcome": "refund"},
            {"min_days_before": 7, "percent": 50, "outcome": "credit", "credit_valid_days": 180},
        ]
    }
    r = await pay_client.put("/admin/accommodations/1/prices", json=terms, headers=owner)
    assert r.status_code == 200, r.text
    r = await pay_client.put("/admin/accommodations/1/messages", json=LAGO, headers=owner)
    assert r.status_code == 200, r.text
    _, html, _ = await guest_page(pay_client, booking["code"])
    assert "Con 30 días o más de anticipación: te devolvemos el 100 % de lo pagado." in html
    assert (
        "Entre 7 y 29 días antes de la llegada: te queda un crédito del 50 % de lo pagado para "
        "usar en otra reserva dentro de 180 días." in html
    )
    assert "Con menos de 7 días de anticipación: no hay devolución." in html
    # Read before paying: the terms come before the button that pays the deposit.
    assert html.index("Si tenés que cancelar") < html.index("Pagar seña")
    # A hold is no booking yet: the address and the keys are not shown.
    assert "Cómo llegar" not in html
    assert "Ruta 40" not in html
    assert "clave 1234" not in html
    mp.add_payment("4243", "approved", DEPOSIT, str(booking["code"]))
    await notify(pay_client, "4243")
    _, html, _ = await guest_page(pay_client, booking["code"])
    assert "Cómo llegar" in html
    assert "<dd>Ruta 40 km 2010, Villa La Angostura</dd>" in html
    assert "desde las 15:00" in html
    assert "están en la caja con clave 1234 junto a la puerta" in html
    # No map link of the owner's: a map search for the address.
    assert 'href="https://www.google.com/maps/search/?api=1&amp;query=Ruta+40+km+2010' in html
    assert "te devolvemos el 100 %" in html


async def test_a_lapsed_hold_and_a_cancelled_booking_say_so(
    pay_client: Client, worker: AsyncContainer, clock: FixedClock
) -> None:
    lapsed = await hold(pay_client)
    clock.current += timedelta(hours=2)
    status, html, _ = await guest_page(pay_client, lapsed["code"], "?status=failure")
    assert status == 200
    assert "La retención venció" in html
    assert "Pagar seña" not in html
    assert "mientras dure la retención" not in html
    assert "<dt>Saldo</dt>" not in html  # nothing is owed on nights it no longer holds
    assert "No tenés nada para pagar." in html
    async with worker() as scope:
        await (await scope.get(ExpireLapsedHolds))()
    cancelled = await hold(pay_client, check_in="2027-02-05", check_out="2027-02-07")
    await cancel(pay_client, cancelled["code"])
    status, html, _ = await guest_page(pay_client, cancelled["code"])
    assert status == 200
    assert "Esta reserva está cancelada" in html
    assert "Pagar seña" not in html
    assert "<dt>Saldo</dt>" not in html


@pytest.mark.parametrize("code", ["ZZZZZZZZZZZZ", "not-a-code", "7K3M9QXD2F4H"])
async def test_an_unknown_code_is_a_spanish_404_page(pay_client: Client, code: str) -> None:
    status, html, headers = await guest_page(pay_client, code)
    assert status == 404
    assert headers["content-type"].startswith("text/html")  # type: ignore[index]
    assert "No encontramos esa reserva" in html
    assert "problem" not in headers["content-type"]  # type: ignore[index]


async def test_a_path_under_r_that_is_no_page_is_a_spanish_404(pay_client: Client) -> None:
    r = await pay_client.get(f"{ROOT}/r/ABC/otra-cosa")
    assert r.status_code == 404
    assert "No encontramos esa reserva" in r.text


async def test_the_guest_pages_are_rate_limited_like_the_api_with_a_spanish_page(
    make_client: ClientFactory,
) -> None:
    # An address of its own (through the trusted proxy header), counted by nobody else.
    headers = {"Fly-Client-IP": f"198.51.100.{uuid.uuid4().int % 250}"}
    async with make_client(rate_limit_per_minute=3, trusted_proxy=True) as c:
        answers = [await c.get("/r/ZZZZZZZZZZZZ", headers=headers) for _ in range(4)]
        booking = await c.get("/reservar", headers=headers)
        api = await c.get("/api/v1/accommodations", headers=headers)
    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    for limited in (answers[-1], booking):
        assert limited.status_code == 429
        assert limited.headers["content-type"] == "text/html; charset=utf-8"
        assert int(limited.headers["retry-after"]) > 0
        assert "script-src 'self'" in limited.headers["content-security-policy"]
        assert '<html lang="es-AR">' in limited.text
        assert "Esperá un minuto" in limited.text
        assert "problem" not in limited.text
    # The API keeps its problem JSON.
    assert api.status_code == 429
    assert api.headers["content-type"] == "application/problem+json"


async def test_the_balance_due_today_or_overdue_is_not_promised_a_reminder(
    pay_client: Client, mp: FakeMercadoPago, clock: FixedClock
) -> None:
    booking = await hold(pay_client)  # arriving 2026-12-18: the balance is due on the 11th
    mp.add_payment("4244", "approved", DEPOSIT, str(booking["code"]))
    await notify(pay_client, "4244")
    _, ahead, _ = await guest_page(pay_client, booking["code"])
    assert "hasta el viernes 11 de diciembre de 2026" in ahead
    assert "Te lo recordamos unos días antes" in ahead
    clock.current = clock.current.replace(day=11)
    _, today, _ = await guest_page(pay_client, booking["code"])
    assert "Hoy es el último día para pagar el saldo" in today
    assert "Te lo recordamos" not in today
    clock.current = clock.current.replace(day=14)
    _, late, _ = await guest_page(pay_client, booking["code"])
    assert ", venció el viernes 11 de diciembre de 2026" in late
    assert "El plazo para pagar el saldo ya pasó: escribinos" in late
    assert "Te lo recordamos" not in late


async def test_a_lapsed_hold_offers_to_search_its_dates_again(
    pay_client: Client, clock: FixedClock
) -> None:
    lapsed = await hold(pay_client, guests=3)
    clock.current += timedelta(hours=2)
    _, html, _ = await guest_page(pay_client, lapsed["code"])
    assert "La retención venció sin el pago de la seña" in html
    assert (
        '<a class="button" href="/reservar?check_in=2026-12-18&amp;check_out=2026-12-21&amp;'
        'guests=3">Buscar de nuevo esas fechas</a>' in html
    )
    # Once the arrival has gone by there is nothing to search again.
    clock.current = clock.current.replace(day=19)
    _, gone, _ = await guest_page(pay_client, lapsed["code"])
    assert "Buscar de nuevo esas fechas" not in gone
