"""The owner's pages over HTTP: Canales (imported feeds, held releases, our export addresses),
Cabañas (editing a cabin's terms), Pagos and Conversaciones."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import msgspec
import pytest
import redis

from domain.accounts import Role
from entrypoints.settings import Settings
from tests.e2e.conftest import NOW
from tests.e2e.console_client import OWNER, Console, console_for
from tests.fakes.calendars import FakeCalendarHost, ics
from tests.money_text import PESO
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db

D = NOW.date() + timedelta(days=20)


@pytest.fixture
async def owner(console_settings: Settings, clock: FixedClock) -> AsyncIterator[Console]:
    settings = msgspec.structs.replace(console_settings, ical_allow_private_urls=True)
    async with console_for(settings, clock) as console:
        await console.member(OWNER, Role.OWNER)
        yield console


async def sql(settings: Settings, statement: str, *args: object) -> list[asyncpg.Record]:
    assert settings.database_url is not None
    conn = await asyncpg.connect(settings.database_url)
    try:
        return list(await conn.fetch(statement, *args))
    finally:
        await conn.close()


async def test_channels_import_a_feed_hold_a_sudden_release_and_show_our_addresses(
    owner: Console, calendars: FakeCalendarHost
) -> None:
    page = await owner.client.get("/panel/canales")
    assert page.status_code == 200
    assert "Todavía no hay calendarios importados." in page.text
    # Our export per cabin and channel, with the steps to paste it.
    assert re.search(r'value="http://[^"]+/api/v1/ical/1-airbnb-[0-9a-f]{32}\.ics"', page.text)
    assert re.search(r'value="http://[^"]+/api/v1/ical/3-booking-[0-9a-f]{32}\.ics"', page.text)
    assert "Conectar otro sitio web" in page.text
    assert "Sincronizar calendarios" in page.text

    bad = await owner.post("/panel/canales", {"cabana": "2", "canal": "airbnb", "url": "ftp://x"})
    assert bad.status_code == 400
    assert 'aria-describedby="e-url"' in bad.text
    assert 'value="ftp://x"' in bad.text
    assert "https://" in bad.text
    # Longer than kept: refused as pasted, not cut into another address.
    pasted = "https://www.airbnb.com/calendar/ical/1.ics?s=" + "a" * 2000
    long = await owner.post("/panel/canales", {"cabana": "2", "canal": "airbnb", "url": pasted})
    assert long.status_code == 400
    assert "Puede tener hasta 2000 caracteres (tiene 2045): acortalo." in long.text
    assert f'value="{pasted}"' in long.text

    calendars.feeds["bosque.ics"] = ics(
        [
            ("a1", D, D + timedelta(days=2), "Reserved"),
            ("a2", D + timedelta(days=5), D + timedelta(days=8), "Reserved"),
        ]
    )
    url = f"{calendars.url}/bosque.ics?s=secreto"
    added = await owner.post("/panel/canales", {"cabana": "2", "canal": "airbnb", "url": url})
    assert added.status_code == 200, added.text[:2000]
    assert "Calendario agregado. Sincronizado: 2 reserva(s) nueva(s), 0 liberada(s)." in added.text
    assert "secreto" not in added.text  # the feed's secret is never shown back
    assert "2 reserva(s)" in added.text
    feed_id = re.search(r"/panel/canales/(\d+)/sincronizar", added.text)
    assert feed_id

    # Airbnb suddenly shows nothing: the nights are held, and the owner confirms.
    calendars.feeds["bosque.ics"] = ics([])
    synced = await owner.post(
        f"/panel/canales/{feed_id.group(1)}/sincronizar", {}, "/panel/canales"
    )
    assert "5 noches retenidas hasta que lo confirmes" in synced.text
    assert "Retenido" in synced.text
    assert "Confirmar y liberar 5 noches" in synced.text
    released = await owner.post(f"/panel/canales/{feed_id.group(1)}/liberar", {}, "/panel/canales")
    assert "Listo: se liberaron las noches." in released.text
    assert "Retenido" not in released.text

    removed = await owner.post(f"/panel/canales/{feed_id.group(1)}/quitar", {}, "/panel/canales")
    assert "Calendario quitado" in removed.text
    assert "Todavía no hay calendarios importados." in removed.text


async def test_the_owner_edits_a_cabin_and_a_bad_value_is_named(
    owner: Console, console_settings: Settings
) -> None:
    listing = await owner.client.get("/panel/cabanas")
    assert "Cabaña del Lago" in listing.text
    assert f"{PESO}85.000 la noche" in listing.text
    form = await owner.client.get("/panel/cabanas/1")
    assert 'value="85.000"' in form.text
    base = {
        "nombre": "Cabaña del Lago",
        "descripcion": "Frente al lago",
        "capacidad": "0",
        "minimo": "2",
        "precio": "90.000",
        "finde": "1,25",
        "activa": "1",
    }
    bad = await owner.post("/panel/cabanas/1", base)
    assert bad.status_code == 400
    assert 'aria-describedby="e-capacidad"' in bad.text
    assert 'value="90.000"' in bad.text
    # A name longer than a cabin's (120): named, not saved cut short with "Listo".
    long_name = await owner.post(
        "/panel/cabanas/1", {**base, "capacidad": "4", "nombre": "L" * 121}
    )
    assert long_name.status_code == 400
    assert "Puede tener hasta 120 caracteres (tiene 121)" in long_name.text
    long_text = await owner.post(
        "/panel/cabanas/1", {**base, "capacidad": "4", "descripcion": "Vista al lago. " * 140}
    )
    assert long_text.status_code == 400
    assert "Puede tener hasta 2000 caracteres (tiene 2099)" in long_text.text
    taken = await owner.post(
        "/panel/cabanas/1", {**base, "capacidad": "4", "nombre": "Cabaña del Bosque"}
    )
    assert taken.status_code == 400
    assert "Ya hay otra cabaña con ese nombre." in taken.text
    # A night is never free: a price of 0, or a weekend price that rounds to nothing.
    free = await owner.post("/panel/cabanas/1", {**base, "capacidad": "4", "precio": "0"})
    assert free.status_code == 400
    assert "El precio por noche tiene que ser más que $ 0" in free.text
    assert 'value="0"' in free.text
    tiny = await owner.post(
        "/panel/cabanas/1", {**base, "capacidad": "4", "precio": "0,01", "finde": "0,4"}
    )
    assert tiny.status_code == 400
    assert "las noches de viernes y sábado quedarían gratis" in tiny.text
    [row] = await sql(console_settings, "SELECT base_price_cents FROM accommodations WHERE id = 1")
    assert row["base_price_cents"] == 8_500_000
    saved = await owner.post("/panel/cabanas/1", {**base, "capacidad": "5"})
    assert saved.status_code == 303
    after = await owner.client.get(saved.headers["location"])
    assert "Listo: los cambios quedaron guardados." in after.text
    assert f"Hasta 5 personas · mínimo 2 noches · {PESO}90.000 la noche · finde ×1,25" in after.text
    # Unticking "toma reservas" deactivates it.
    off = {k: v for k, v in base.items() if k != "activa"} | {"capacidad": "5"}
    await owner.post("/panel/cabanas/1", off)
    [row] = await sql(console_settings, "SELECT active, capacity FROM accommodations WHERE id = 1")
    assert (row["active"], row["capacity"]) == (False, 5)
    actions = await sql(
        console_settings, "SELECT action FROM admin_audit_log WHERE action LIKE 'accommodation.%'"
    )
    assert [a["action"] for a in actions] == ["accommodation.update", "accommodation.update"]


async def test_the_owner_edits_a_cabins_texts_for_its_guests(
    owner: Console, console_settings: Settings
) -> None:
    form = await owner.client.get("/panel/cabanas/2")
    assert "Textos para los huéspedes" in form.text
    assert 'name="hora_entrada" type="time" value="14:00"' in form.text  # the defaults
    texts = {
        "direccion": "Ruta 40 km 2050, Villa La Angostura",
        "mapa": "",
        "hora_entrada": "15:30",
        "hora_salida": "11:00",
        "llaves": "En la caja junto a la puerta, código 4521",
        "nota_salida": "Dejá las llaves en la caja.",
        "gracias": "¡Gracias por venir!",
        "resena": "maps.google.com/reseña",
    }
    bad = await owner.post("/panel/cabanas/2/textos", texts, "/panel/cabanas/2")
    assert bad.status_code == 400
    assert 'aria-describedby="e-resena"' in bad.text
    assert "Pegá el link para dejar una reseña, empezando con https://." in bad.text
    assert 'value="Ruta 40 km 2050, Villa La Angostura"' in bad.text  # input kept
    assert "código 4521" in bad.text
    # Every bad text is named at once, not one per try.
    several = {**texts, "direccion": "D" * 401, "mapa": "javascript:alert(1)"}
    all_bad = await owner.post("/panel/cabanas/2/textos", several, "/panel/cabanas/2")
    assert all_bad.status_code == 400
    for field in ("direccion", "mapa", "resena"):
        assert f'aria-describedby="e-{field}"' in all_bad.text, field
    assert 'aria-describedby="e-llaves"' not in all_bad.text
    late = {**texts, "resena": "https://g.page/r/bosque/review", "hora_entrada": "25:00"}
    bad_time = await owner.post("/panel/cabanas/2/textos", late, "/panel/cabanas/2")
    assert 'aria-describedby="e-hora_entrada"' in bad_time.text
    ok = {**late, "hora_entrada": "15:30"}
    saved = await owner.post("/panel/cabanas/2/textos", ok, "/panel/cabanas/2")
    assert saved.status_code == 303
    page = await owner.client.get(saved.headers["location"])
    assert "Listo: los textos quedaron guardados." in page.text
    assert 'value="15:30"' in page.text
    # Audited by the use case, with before and after.
    [row] = await sql(
        console_settings,
        "SELECT after FROM admin_audit_log WHERE action = 'accommodation.messages.update'",
    )
    assert "15:30" in row["after"]
    assert "https://g.page/r/bosque/review" in row["after"]


async def test_payments_needing_attention_link_to_their_reservation(
    owner: Console, console_settings: Settings
) -> None:
    assert "No hay pagos para revisar." in (await owner.client.get("/panel/pagos")).text
    await sql(
        console_settings,
        "INSERT INTO payments (id, reservation_code, status, amount_cents, currency, attention, "
        "attention_reason, first_seen_at, updated_at) "
        "VALUES ('1319000001', 'ABCDEFGHJKMN', 'approved', 9000000, 'ARS', 'refund_required', "
        "'the nights were sold meanwhile', $1, $1)",
        NOW,
    )
    page = await owner.client.get("/panel/pagos")
    assert f"{PESO}90.000" in page.text
    assert "hay que devolver el dinero" in page.text
    assert 'href="/panel/reservas/ABCDEFGHJKMN"' in page.text


async def test_conversations_waiting_for_a_person_are_taken_then_given_back(
    owner: Console, console_settings: Settings
) -> None:
    assert console_settings.redis_url is not None
    with redis.Redis.from_url(console_settings.redis_url) as client:
        client.delete("conv:handovers")
        client.zadd("conv:handovers", {"5491155551234": time.time() + 3600})
    hoy = await owner.client.get("/panel/")
    assert 'action="/panel/conversaciones/5491155551234/tomar"' in hoy.text
    page = await owner.client.get("/panel/conversaciones")
    assert 'action="/panel/conversaciones/5491155551234/tomar"' in page.text
    taken = await owner.post("/panel/conversaciones/5491155551234/tomar", {}, "/panel/")
    assert taken.status_code == 303
    page = await owner.client.get(taken.headers["location"])
    assert "La tomaste vos: escribile a +5491155551234 por WhatsApp." in page.text
    assert 'href="https://wa.me/5491155551234"' in page.text
    [took] = await sql(
        console_settings,
        "SELECT actor, target FROM admin_audit_log WHERE action = $1",
        "conversation.take",
    )
    assert (took["actor"], took["target"]) == (OWNER, "whatsapp:1234")
    gone = await owner.post("/panel/conversaciones/5491166660000/tomar", {}, "/panel/")
    assert gone.status_code == 200
    assert "Eso ya no existe." in gone.text
    back = await owner.post(
        "/panel/conversaciones/5491155551234/devolver", {}, "/panel/conversaciones"
    )
    assert "El asistente vuelve a responderle a +5491155551234." in back.text
    assert "Nadie espera por ahora." in back.text
    again = await owner.post(
        "/panel/conversaciones/5491155551234/devolver", {}, "/panel/conversaciones"
    )
    assert "Eso ya no existe." in again.text


async def test_every_page_an_owner_alert_links_to_opens(owner: Console) -> None:
    """The paths in application.messaging.console_pages are the console's own."""
    from application.messaging import console_pages

    made = await owner.post(
        "/panel/reservas/nueva",
        {
            "cabana": "1",
            "desde": str(D),
            "hasta": str(D + timedelta(days=3)),
            "personas": "2",
            "nombre": "Ana Díaz",
            "telefono": "+5491155550000",
            "estado": "retenida",
        },
    )
    code = made.headers["location"].split("/")[-1].split("?")[0]
    paths = [
        console_pages.TODAY,
        console_pages.PAYMENTS,
        console_pages.CHANNELS,
        console_pages.CONVERSATIONS,
        console_pages.calendar(D),
        console_pages.cabin(2),
        console_pages.manual_booking(2, D, D + timedelta(days=20)),
        console_pages.reservation(code),
        console_pages.reservation(f"{code[:4]}-{code[4:8]}-{code[8:]}"),
    ]
    for path in paths:
        answer = await owner.client.get(path)
        assert answer.status_code == 200, path
    form = await owner.client.get(console_pages.manual_booking(2, D, D + timedelta(days=20)))
    assert f'value="{D + timedelta(days=20)}"' in form.text


async def test_a_payment_flag_settled_on_pagos_leaves_pagos_and_hoy(
    owner: Console, console_settings: Settings
) -> None:
    for payment_id, attention in (
        ("1319000001", "refund_required"),
        ("1319000002", "amount_short"),
    ):
        await sql(
            console_settings,
            "INSERT INTO payments (id, reservation_code, status, amount_cents, currency, "
            "attention, attention_reason, first_seen_at, updated_at) "
            "VALUES ($1, 'ABCDEFGHJKMN', 'approved', 9000000, 'ARS', $2, 'revisar', $3, $3)",
            payment_id,
            attention,
            NOW,
        )
    today = (await owner.client.get("/panel/")).text
    assert "Devolver</span> Pago 1319000001" in today
    assert "Revisar pago</span> 1319000002" in today
    path = "/panel/pagos/1319000001/resolver"
    refused = await owner.post(path, {"resolucion": "dismissed", "motivo": ""}, "/panel/pagos")
    assert refused.status_code == 400
    assert 'aria-invalid="true" aria-describedby="em-1319000001"' in refused.text
    assert "Decí por qué lo sacás de la lista." in refused.text
    done = await owner.post(
        path, {"resolucion": "dismissed", "motivo": "El banco lo revirtió"}, "/panel/pagos"
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/panel/pagos?hecho=dismissed"
    page = (await owner.client.get(done.headers["location"])).text
    assert "Listo: el pago salió de la lista." in page
    assert "1319000001" not in page
    assert "1319000002" in page
    paid = await owner.post(
        "/panel/pagos/1319000002/resolver", {"resolucion": "payment_recorded"}, "/panel/pagos"
    )
    assert paid.status_code == 303
    assert "No hay pagos para revisar." in (await owner.client.get("/panel/pagos")).text
    today = (await owner.client.get("/panel/")).text
    assert "1319000001" not in today
    assert "1319000002" not in today
    audit = await sql(
        console_settings,
        "SELECT actor, after->>'resolution' AS how, after->>'reason' AS why FROM admin_audit_log "
        "WHERE action = 'payment.attention_resolve' ORDER BY id",
    )
    assert [(r["actor"], r["how"], r["why"]) for r in audit] == [
        (OWNER, "dismissed", "El banco lo revirtió"),
        (OWNER, "payment_recorded", None),
    ]


async def test_an_undeliverable_message_is_retried_or_dismissed_from_hoy(
    owner: Console, console_settings: Settings
) -> None:
    for group, code in (("g:1", None), ("g:2", "K6YVA02PR8NW")):
        await sql(
            console_settings,
            "INSERT INTO outbox (kind, payload, status, attempts, next_attempt_at, created_at, "
            "group_key) VALUES ('email', '{}', 'failed', 8, $1, $1, $2)",
            NOW,
            group,
        )
        await sql(
            console_settings,
            "INSERT INTO undeliverable_messages (group_key, topic, recipient, reservation_code, "
            "errors, failed_at) "
            "VALUES ($1, 'booking_confirmed', 'guest', $2, 'email: refused', $3)",
            group,
            code,
            NOW,
        )
    ids = [
        r["id"]
        for r in await sql(console_settings, "SELECT id FROM undeliverable_messages ORDER BY id")
    ]
    today = (await owner.client.get("/panel/")).text
    assert "2 mensajes no se pudieron entregar" in today
    # Its booking's code as the owner reads it aloud (dashed); the link keeps it raw.
    shown = '<span class="code">K6YV-A02P-R8NW</span>'  # on one line
    assert f'de la reserva <a href="/panel/reservas/K6YVA02PR8NW">{shown}</a>' in today
    retried = await owner.post(f"/panel/cola/mensajes/{ids[0]}/reintentar", {}, "/panel/")
    assert retried.status_code == 303
    no_reason = await owner.post(
        f"/panel/cola/mensajes/{ids[1]}/descartar", {"motivo": ""}, "/panel/"
    )
    assert no_reason.status_code == 400
    assert "Escribí por qué lo sacás de la lista." in no_reason.text
    dismissed = await owner.post(
        f"/panel/cola/mensajes/{ids[1]}/descartar", {"motivo": "Le avisé por teléfono"}, "/panel/"
    )
    assert dismissed.status_code == 303
    today = (await owner.client.get("/panel/")).text
    assert "no se pudo entregar" not in today
    assert "no se pudieron entregar" not in today
    rows = await sql(console_settings, "SELECT group_key, status FROM outbox ORDER BY id")
    assert [(r["group_key"], r["status"]) for r in rows] == [("g:1", "pending"), ("g:2", "failed")]


async def test_hoy_lists_the_soonest_holds_counts_the_rest_and_says_more_than_past_a_thousand(
    owner: Console, console_settings: Settings
) -> None:
    async def holds(first: int, count: int) -> None:
        # One-night holds on cabin 1 from D on, lapsing one minute apart after the first.
        await sql(
            console_settings,
            "INSERT INTO reservations (code, accommodation_id, check_in, check_out, guests, "
            "guest_name, guest_phone, total_cents, deposit_cents, channel, status, kind, "
            "expires_at, created_at, updated_at) "
            "SELECT 'FLOOD' || lpad(n::text, 7, '0'), 1, $1::date + n, $1::date + n + 1, 2, "
            "'Huésped ' || n, '+5491155551234', 3000000, 900000, 'api', 'pre_reserved', "
            "'booking', $2::timestamptz + interval '1 minute' * n, $3, $3 "
            "FROM generate_series($4::int, $5::int) n",
            D,
            NOW + timedelta(minutes=10),
            NOW,
            first,
            first + count - 1,
        )

    await holds(0, 25)
    today = (await owner.client.get("/panel/")).text
    assert "Huésped 0 " in today
    assert "Huésped 19 " in today
    assert "Huésped 20 " not in today
    assert "Y 5 retenciones más, que vencen después" in today
    assert "Hay más de" not in today

    await holds(25, 976)  # 1,001 in all
    today = (await owner.client.get("/panel/")).text
    assert "Hay más de 1.000 retenciones esperando pago: estas son las 20 que vencen primero" in (
        today
    )
    assert "Huésped 19 " in today
    assert "retenciones más, que vencen después" not in today

    await sql(console_settings, "DELETE FROM reservations WHERE code = 'FLOOD0000000'")
    today = (await owner.client.get("/panel/")).text  # exactly 1,000: counted, not "more than"
    assert "Y 980 retenciones más, que vencen después" in today
    assert "Hay más de" not in today


@pytest.mark.parametrize("day", ["9999-12-01", "0001-01-01"])
async def test_a_calendar_url_at_the_ends_of_time_shows_a_window_near_today(
    owner: Console, day: str
) -> None:
    page = await owner.client.get(f"/panel/calendario?desde={day}&dias=30")
    assert page.status_code == 200
    assert "Calendario" in page.text
