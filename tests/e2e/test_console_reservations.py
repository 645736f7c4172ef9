"""Reserva's actions over HTTP: a manual booking from the calendar's free range, confirming a
payment made outside Mercado Pago, moving (the exclusion constraint decides), notes,
cancelling with a reason, the payment link again, and the timeline that tells it all."""

from __future__ import annotations

import re
from datetime import timedelta

import asyncpg
import msgspec
import pytest

from domain.accounts import Role
from entrypoints.settings import Settings
from tests.e2e.conftest import NOW
from tests.e2e.console_client import OWNER, Console, console_for
from tests.e2e.test_console_prices import PRICES, SEASON
from tests.fakes.providers import FakeMercadoPago, FakeWhatsApp
from tests.money_text import PESO, pesos
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db

DAY = timedelta(days=1)
TODAY = NOW.date()  # 2026-12-01, noon in Buenos Aires
CODE = re.compile(r"/panel/reservas/([0-9A-Z]{12})\?hecho=creada(?:#aviso)?")


def booking(cabin: int, nights: tuple[int, int], **more: str) -> dict[str, str]:
    return {
        "cabana": str(cabin),
        "desde": (TODAY + nights[0] * DAY).isoformat(),
        "hasta": (TODAY + nights[1] * DAY).isoformat(),
        "personas": "2",
        "nombre": "Lucía Fernández",
        "telefono": "+54 9 11 4444-5555",
        "email": "",
        "notas": "Llamó por teléfono",
        "estado": "retenida",
        **more,
    }


async def book(console: Console, cabin: int, nights: tuple[int, int], **more: str) -> str:
    made = await console.post("/panel/reservas/nueva", booking(cabin, nights, **more))
    assert made.status_code == 303, made.text[:2000]
    found = CODE.fullmatch(made.headers["location"])
    assert found, made.headers["location"]
    return found.group(1)


async def act(console: Console, code: str, action: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return await console.post(f"/panel/reservas/{code}/{action}", data, f"/panel/reservas/{code}")


async def rows(settings: Settings, sql: str, *args: object) -> list[asyncpg.Record]:
    assert settings.database_url is not None
    conn = await asyncpg.connect(settings.database_url)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def test_a_manual_booking_is_a_hold_of_channel_manual_with_its_story(
    console: Console, console_settings: Settings
) -> None:
    await console.member(OWNER, Role.OWNER)
    form = await console.client.get(f"/panel/reservas/nueva?cabana=2&desde={TODAY + 3 * DAY}")
    assert 'value="2" selected' in form.text
    # How long a hold left waiting lasts (HOLD_MINUTES), said before it is chosen.
    assert "La retención dura 30 minutos" in form.text
    code = await book(console, 2, (3, 5))
    detail = await console.client.get(f"/panel/reservas/{code}?hecho=creada")
    assert "La reserva quedó cargada." in detail.text
    assert "Retención esperando pago" in detail.text
    assert "Cabaña del Bosque" in detail.text
    assert "Cargada a mano" in detail.text
    assert f"({OWNER})" in detail.text
    assert "Llamó por teléfono" in detail.text
    [row] = await rows(
        console_settings,
        "SELECT channel, status, guest_phone, phone_key FROM reservations WHERE code = $1",
        code,
    )
    assert (row["channel"], row["status"], row["guest_phone"]) == (
        "manual",
        "pre_reserved",
        "+5491144445555",
    )
    assert row["phone_key"] is None  # the owner's bookings count against no quota


async def test_a_manual_booking_form_names_the_field_at_fault_and_keeps_the_input(
    console: Console,
) -> None:
    await console.member(OWNER, Role.OWNER)
    refused = await console.post(
        "/panel/reservas/nueva", booking(2, (3, 5), telefono="11 4444", personas="3")
    )
    assert refused.status_code == 400
    assert 'id="f-telefono" name="telefono" type="tel" value="11 4444"' in refused.text
    assert 'aria-invalid="true" aria-describedby="e-telefono"' in refused.text
    # The reason, as /reservar gives it (entrypoints/http/phone_input.py).
    assert "Al número le faltan 4 dígitos: un celular argentino tiene 10 dígitos" in refused.text
    assert 'value="Lucía Fernández"' in refused.text
    # The use case's own refusal: three people do not fit in the forest cabin (capacity 2).
    too_many = await console.post("/panel/reservas/nueva", booking(2, (3, 5), personas="3"))
    assert too_many.status_code == 400
    assert 'aria-describedby="e-personas"' in too_many.text
    assert "más personas de las que entran" in too_many.text
    # Notes longer than a booking keeps: named, the text kept to shorten, nothing saved cut.
    long_notes = await console.post("/panel/reservas/nueva", booking(1, (3, 5), notas="n" * 1001))
    assert long_notes.status_code == 400
    assert "Puede tener hasta 1000 caracteres (tiene 1001)" in long_notes.text
    assert "n" * 1001 in long_notes.text


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("011 15 4444-5555", "+5491144445555"),
        ("11 3333 0006", "+5491133330006"),
        ("5491122220005", "+5491122220005"),
        ("2944 15-123456", "+5492944123456"),
        ("+54 9 11 2222-0005", "+5491122220005"),
        ("+34 612 345 678", "+34612345678"),
    ],
)
async def test_a_manual_booking_takes_the_phone_as_argentines_write_it(
    console: Console, console_settings: Settings, typed: str, stored: str
) -> None:
    await console.member(OWNER, Role.OWNER)
    code = await book(console, 2, (3, 5), telefono=typed)
    [row] = await rows(
        console_settings, "SELECT guest_phone FROM reservations WHERE code = $1", code
    )
    assert row["guest_phone"] == stored


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("11 5555 12", "Al número le faltan 2 dígitos"),
        ("15 4444-5555", "Ese número no existe en Argentina: revisá el código de área"),
        ("+1 415 555 267", "Al número le faltan dígitos para ser de ese país (+1)"),
        ("", "Escribí el celular del huésped con el código de área"),
    ],
)
async def test_an_impossible_phone_is_refused_with_its_reason_and_the_form_kept(
    console: Console, console_settings: Settings, typed: str, problem: str
) -> None:
    await console.member(OWNER, Role.OWNER)
    refused = await console.post("/panel/reservas/nueva", booking(2, (3, 5), telefono=typed))
    assert refused.status_code == 400
    assert f'id="f-telefono" name="telefono" type="tel" value="{typed}"' in refused.text
    assert 'aria-describedby="e-telefono"' in refused.text
    assert problem in refused.text
    assert 'value="Lucía Fernández"' in refused.text
    assert (
        await rows(console_settings, "SELECT code FROM reservations WHERE channel = 'manual'") == []
    )


async def test_a_stay_of_the_wrong_length_is_refused_naming_the_nights_allowed(
    console: Console,
) -> None:
    await console.member(OWNER, Role.OWNER)
    # The lake cabin takes 2 to 30 nights (its minimum, MAX_NIGHTS).
    short = await console.post("/panel/reservas/nueva", booking(1, (3, 4)))
    assert short.status_code == 400
    assert 'aria-describedby="e-hasta"' in short.text
    assert (
        "Esa cabaña se reserva por 2 noches como mínimo y 30 como máximo; elegiste 1 noche."
        in short.text
    )
    long = await console.post("/panel/reservas/nueva", booking(1, (3, 34)))
    assert "como máximo; elegiste 31 noches." in long.text
    # A season's minimum stay (3 nights from 15/12) is the one named for its dates.
    assert (await console.post(f"{PRICES}/temporada", SEASON, PRICES)).status_code == 303
    in_season = await console.post("/panel/reservas/nueva", booking(1, (20, 22)))
    assert in_season.status_code == 400
    assert 'aria-describedby="e-hasta"' in in_season.text
    assert (
        "Para esas fechas esa cabaña se reserva por 3 noches como mínimo y 30 como máximo; "
        "elegiste 2 noches." in in_season.text
    )
    # Moved to a stay longer than any: the longest is named, on the new check-out's field.
    code = await book(console, 2, (3, 5))
    move = {"mover_cabana": "2", "mover_desde": str(TODAY + 3 * DAY)}
    too_long = await act(console, code, "mover", {**move, "mover_hasta": str(TODAY + 34 * DAY)})
    assert too_long.status_code == 409
    assert 'aria-describedby="e-mover_hasta"' in too_long.text
    assert "Una estadía puede tener hasta 30 noches; elegiste 31 noches." in too_long.text


async def test_a_manual_booking_paid_already_is_confirmed_with_method_and_amount(
    console: Console, console_settings: Settings
) -> None:
    await console.member(OWNER, Role.OWNER)
    code = await book(
        console,
        1,
        (3, 6),
        estado="confirmada",
        metodo="cash",
        monto="45.000",
        nota_pago="Seña",
        email="lucia@example.com",
    )
    detail = await console.client.get(f"/panel/reservas/{code}")
    assert "<dt>Estado</dt><dd>Confirmada" in detail.text
    assert f"Confirmada a mano</strong> — efectivo · {PESO}45.000 · Seña" in detail.text
    # The money is in the booking's ledger: counted in what is paid and what is owed.
    assert "Todavía no hay pagos." not in detail.text
    assert f"Efectivo · <strong>{PESO}45.000</strong>" in detail.text
    # The guest is told, as when a payment confirms a hold: WhatsApp and e-mail, once.
    queued = await rows(
        console_settings,
        "SELECT kind, payload->>'to' AS to, payload->>'text' AS text FROM outbox "
        "WHERE group_key = $1 ORDER BY id",
        f"confirmed:{code}",
    )
    assert [(r["kind"], r["to"]) for r in queued] == [
        ("whatsapp.message", "+5491144445555"),
        ("email.message", "lucia@example.com"),
    ]
    assert f"Recibimos la seña de {PESO}45.000" in queued[0]["text"]


KEY = re.compile(r'name="(clave_pago|clave_devolucion)" value="([^"]+)"')
DEPOSIT = re.compile(r"<dt>Seña</dt><dd>\$\xa0([0-9.]+)")


async def money_form(console: Console, code: str) -> dict[str, str]:
    """The CSRF token and the money forms' keys of the page as drawn now."""
    page = await console.client.get(f"/panel/reservas/{code}")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token
    return {"_csrf_token": token.group(1), **dict(KEY.findall(page.text))}


async def test_a_payment_by_transfer_is_recorded_once_and_confirms_the_hold_it_covers(
    console: Console, console_settings: Settings
) -> None:
    await console.member(OWNER, Role.OWNER)
    code = await book(console, 1, (3, 6))
    detail = await console.client.get(f"/panel/reservas/{code}")
    assert "Todavía no hay pagos." in detail.text
    deposit = DEPOSIT.search(detail.text)
    assert deposit
    form = await money_form(console, code)
    path = f"/panel/reservas/{code}/pago"
    wrong = await console.client.post(
        path, data={**form, "metodo": "transfer", "monto": "mucho", "nota_pago": "Banco"}
    )
    assert wrong.status_code == 400
    assert 'aria-describedby="e-monto"' in wrong.text
    assert 'value="mucho"' in wrong.text
    assert 'value="Banco"' in wrong.text
    sent = {**form, "metodo": "transfer", "monto": deposit.group(1), "nota_pago": "Banco"}
    done = await console.client.post(path, data=sent)
    assert done.status_code == 303
    page = await console.client.get(done.headers["location"])
    assert "El pago quedó registrado y la reserva, confirmada." in page.text
    assert "<dt>Estado</dt><dd>Confirmada" in page.text
    assert f"Transferencia · <strong>{PESO}{deposit.group(1)}</strong> · seña" in page.text
    assert f"Lo cargó {OWNER}" in page.text
    # The same form sent again (a double click): nothing more is recorded.
    again = await console.client.post(path, data=sent)
    assert again.headers["location"].endswith("hecho=pago-repetido#aviso")
    recorded = await rows(
        console_settings,
        "SELECT count(*) AS n FROM admin_audit_log WHERE action = $1",
        "reservation.payment",
    )
    assert recorded[0]["n"] == 1


async def test_money_is_given_back_never_more_than_paid_and_once_per_form(
    console: Console, console_settings: Settings
) -> None:
    await console.member(OWNER, Role.OWNER)
    code = await book(console, 1, (3, 6))
    form = await money_form(console, code)
    paid = {**form, "metodo": "cash", "monto": "10.000", "nota_pago": ""}
    assert (await console.client.post(f"/panel/reservas/{code}/pago", data=paid)).status_code == 303
    form = await money_form(console, code)
    path = f"/panel/reservas/{code}/devolver"
    too_much = {**form, "devolver_monto": "10.001", "devolver_nota": "Arreglo"}
    refused = await console.client.post(path, data=too_much)
    assert refused.status_code == 400
    assert 'aria-describedby="e-devolver_monto"' in refused.text
    assert f"No se puede devolver más de {PESO}10.000: es lo que pagó" in refused.text
    assert 'value="10.001"' in refused.text
    assert 'id="f-devolver_mp" name="devolver_mp" type="checkbox" value="1" >' in refused.text
    by_hand = {**form, "devolver_monto": "4.000", "devolver_nota": "Arreglo"}
    done = await console.client.post(path, data=by_hand)
    assert done.status_code == 303
    assert (
        (await console.client.post(path, data=by_hand))
        .headers["location"]
        .endswith("hecho=devolucion-repetida#aviso")
    )
    page = await console.client.get(done.headers["location"])
    assert f"<strong>{PESO}4.000</strong> devueltos" in page.text
    assert f"<dt>Devuelto</dt><dd>{PESO}4.000" in page.text
    assert f"Como mucho {PESO}6.000" in page.text
    audit = await rows(
        console_settings, "SELECT after FROM admin_audit_log WHERE action = 'reservation.refund'"
    )
    assert len(audit) == 1


async def test_the_deposit_says_paid_what_is_missing_or_unpaid_and_a_later_refund_keeps_it_paid(
    console: Console,
) -> None:
    await console.member(OWNER, Role.OWNER)

    async def post(code: str, action: str, data: dict[str, str]) -> None:
        sent = {**await money_form(console, code), **data}
        done = await console.client.post(f"/panel/reservas/{code}/{action}", data=sent)
        assert done.status_code == 303, done.text[:2000]

    async def line(code: str, name: str) -> str:
        page = (await console.client.get(f"/panel/reservas/{code}")).text
        found = re.search(rf"<dt>{name}</dt><dd>([^<]*)</dd>", page)
        assert found, page[:2000]
        return found.group(1)

    def amount(text: str) -> int:
        found = re.match(r"\$\xa0([0-9.]+)", text)
        assert found, text
        return int(found.group(1).replace(".", ""))

    # A hold: nothing paid; then part of it; a refund before it is confirmed un-pays its part.
    hold = await book(console, 1, (3, 6))
    deposit = amount(await line(hold, "Seña"))
    assert await line(hold, "Seña") == f"{pesos(deposit)} · sin pagar"
    await post(hold, "pago", {"metodo": "transfer", "monto": "20.000", "nota_pago": ""})
    assert await line(hold, "Seña") == f"{pesos(deposit)} · falta {pesos(deposit - 20_000)}"
    await post(hold, "devolver", {"devolver_monto": "5.000", "devolver_nota": ""})
    assert await line(hold, "Seña") == f"{pesos(deposit)} · falta {pesos(deposit - 15_000)}"
    # A booking confirmed by its deposit: a refund after it does not un-pay it (the balance
    # counts what went back).
    booked = await book(console, 2, (3, 6))
    deposit = amount(await line(booked, "Seña"))
    total = amount(await line(booked, "Total"))
    await post(booked, "pago", {"metodo": "transfer", "monto": pesos(deposit)[2:], "nota_pago": ""})
    assert await line(booked, "Seña") == f"{pesos(deposit)} · pagada"
    await post(booked, "devolver", {"devolver_monto": "1.000", "devolver_nota": "Descuento"})
    assert (await line(booked, "Estado")).startswith("Confirmada")
    assert await line(booked, "Seña") == f"{pesos(deposit)} · pagada"
    assert (await line(booked, "Saldo")).startswith(f"{pesos(total - deposit + 1_000)}, vence el")


async def test_a_hold_gets_more_time_from_its_page(
    console: Console, console_settings: Settings
) -> None:
    await console.member(OWNER, Role.OWNER)
    code = await book(console, 1, (3, 6))
    [before] = await rows(
        console_settings, "SELECT expires_at FROM reservations WHERE code = $1", code
    )
    bad = await act(console, code, "extender", {"horas": "9999"})
    assert bad.status_code == 409
    assert 'aria-describedby="e-horas"' in bad.text
    done = await act(console, code, "extender", {"horas": "24"})
    assert done.status_code == 303
    page = await console.client.get(done.headers["location"])
    assert "Listo: la retención tiene más tiempo." in page.text
    # When it lapses, with its day: no longer today (the clock reads 1 Dec, noon in Argentina).
    assert "(vence el mié 2 dic 12:30)" in page.text
    hoy = await console.client.get("/panel/")
    assert "vence el mié 2 dic 12:30" in hoy.text
    [after] = await rows(
        console_settings, "SELECT expires_at FROM reservations WHERE code = $1", code
    )
    assert after["expires_at"] - before["expires_at"] == timedelta(hours=24)


async def test_moving_to_taken_nights_is_refused_plainly_and_changes_nothing(
    console: Console, console_settings: Settings
) -> None:
    await console.member(OWNER, Role.OWNER)
    first = await book(console, 1, (3, 6), personas="3")
    second = await book(console, 1, (8, 10), telefono="+5491166667777")
    move = {"mover_cabana": "1", "mover_desde": str(TODAY + 5 * DAY)}
    taken = await act(console, second, "mover", {**move, "mover_hasta": str(TODAY + 9 * DAY)})
    assert taken.status_code == 409
    assert "Esas noches ya están ocupadas" in taken.text
    assert f'value="{TODAY + 5 * DAY}"' in taken.text  # the input is kept
    [row] = await rows(
        console_settings, "SELECT check_in FROM reservations WHERE code = $1", second
    )
    assert row["check_in"] == TODAY + 8 * DAY
    # Another cabin, the same nights: free.
    moved = await act(
        console,
        first,
        "mover",
        {
            "mover_cabana": "3",
            "mover_desde": str(TODAY + 4 * DAY),
            "mover_hasta": str(TODAY + 7 * DAY),
        },
    )
    assert moved.status_code == 303
    page = await console.client.get(moved.headers["location"])
    assert "Listo: la reserva se movió." in page.text
    assert "<dt>Cabaña</dt><dd>Cabaña Familiar Los Alerces</dd>" in page.text
    assert "Movida</strong> — a Cabaña Familiar Los Alerces" in page.text
    # A cabin too small for the party is named.
    small = await act(
        console,
        first,
        "mover",
        {
            "mover_cabana": "2",
            "mover_desde": str(TODAY + 4 * DAY),
            "mover_hasta": str(TODAY + 7 * DAY),
        },
    )
    assert 'aria-describedby="e-mover_cabana"' in small.text
    audit = await rows(
        console_settings,
        "SELECT before, after FROM admin_audit_log WHERE action = 'reservation.move'",
    )
    assert len(audit) == 1
    assert '"accommodation_id": 3' in audit[0]["after"]


async def test_notes_are_added_with_who_and_when_and_staff_may_add_them(
    console: Console, console_settings: Settings
) -> None:
    await console.member(OWNER, Role.OWNER)
    code = await book(console, 1, (3, 6))
    empty = await act(console, code, "nota", {"nota": "   "})
    assert empty.status_code == 400
    assert 'aria-describedby="e-nota"' in empty.text
    console.client.cookies.clear()
    await console.member("equipo@example.com", Role.STAFF)
    added = await act(console, code, "nota", {"nota": "Llega tarde, después de las 22"})
    assert added.status_code == 303
    page = await console.client.get(f"/panel/reservas/{code}")
    assert "[01/12/2026 12:00 · equipo@example.com] Llega tarde, después de las 22" in page.text
    assert "Nota agregada" in page.text
    # Staff see no money and have no money actions.
    assert '<h2 id="h-money">' not in page.text
    assert "/pago" not in page.text
    assert "/devolver" not in page.text
    [audit] = await rows(
        console_settings, "SELECT after FROM admin_audit_log WHERE action = 'reservation.note'"
    )
    assert "Llega tarde" not in audit["after"]


async def test_the_owner_cancels_a_booking_with_a_reason_staff_only_a_hold(
    console: Console,
) -> None:
    await console.member(OWNER, Role.OWNER)
    hold = await book(console, 1, (3, 6))
    paid = await book(console, 3, (3, 6), estado="confirmada", metodo="cash", monto="1000")
    owner_cookie = console.client.cookies.get("cabanas_sesion")
    await console.member("equipo@example.com", Role.STAFF)
    refused = await act(console, paid, "cancelar", {"motivo": "pidió"})
    assert refused.status_code == 403  # cancelling a booking is the owner's (README "Roles")
    assert "No podés hacer esto" in refused.text
    assert (await act(console, hold, "cancelar", {"motivo": ""})).status_code == 303
    console.use_session(owner_cookie)
    done = await act(console, paid, "cancelar", {"motivo": "Se enfermó"})
    assert done.status_code == 303
    page = await console.client.get(f"/panel/reservas/{paid}")
    assert "<dt>Estado</dt><dd>Cancelada" in page.text
    assert "Cancelada</strong> — Motivo: Se enfermó" in page.text


async def test_a_form_posted_after_the_session_ended_signs_in_and_returns_to_its_page(
    console: Console,
) -> None:
    await console.member(OWNER, Role.OWNER)
    code = await book(console, 1, (3, 6))
    # The browser says which page a form was on only if the page lets it: same-origin (a
    # guest's page, whose address carries the code, tells nobody anything).
    drawn = await console.client.get(f"/panel/reservas/{code}")
    assert drawn.headers["referrer-policy"] == "same-origin"
    guest = await console.client.get("/reservar")
    assert guest.headers["referrer-policy"] == "no-referrer"
    token = await console.token(f"/panel/reservas/{code}")
    console.clock.current += timedelta(hours=13)
    page = f"http://testserver.local/panel/reservas/{code}"
    late = await console.client.post(
        f"/panel/reservas/{code}/nota",
        data={"nota": "x", "_csrf_token": token},
        headers={"Referer": page},
    )
    assert late.status_code == 303
    assert late.headers["location"] == f"/panel/ingresar?siguiente=%2Fpanel%2Freservas%2F{code}"
    back = await console.sign_in(OWNER, nxt=f"/panel/reservas/{code}")
    assert back.headers["location"] == f"/panel/reservas/{code}"


async def test_without_mercado_pago_there_is_no_link_to_send(console: Console) -> None:
    await console.member(OWNER, Role.OWNER)
    code = await book(console, 1, (3, 6))
    answer = await act(console, code, "link-de-pago", {})
    assert answer.status_code == 409
    assert "Mercado Pago no está configurado" in answer.text


async def test_the_payment_link_goes_to_the_guest_again(
    integrated_settings: Settings, clock: FixedClock, mp: FakeMercadoPago, wa: FakeWhatsApp
) -> None:
    settings = msgspec.structs.replace(integrated_settings, admin_allowed_emails=[OWNER])
    async with console_for(settings, clock) as console:
        await console.member(OWNER, Role.OWNER)
        code = await book(console, 1, (3, 6), email="lucia@example.com")
        sent = await act(console, code, "link-de-pago", {})
        assert sent.status_code == 303, sent.text[:1500]
        page = await console.client.get(sent.headers["location"])
        assert "Le mandamos el link de pago al huésped otra vez." in page.text
        assert "Link de pago reenviado" in page.text
    queued = await rows(
        settings,
        "SELECT kind, payload->>'to' AS to FROM outbox WHERE dedupe_key LIKE $1 ORDER BY id",
        f"paylink:{code}:again:%",
    )
    assert [(r["kind"], r["to"]) for r in queued] == [
        ("whatsapp.message", "+5491144445555"),
        ("email.message", "lucia@example.com"),
    ]


async def test_hoy_shows_what_an_arrival_still_owes_from_what_was_paid(console: Console) -> None:
    """Not the total less the deposit: what the ledger holds. An arrival that paid part of the
    deposit owes the rest of the total; once everything is paid, nothing."""
    await console.member(OWNER, Role.OWNER)
    code = await book(console, 1, (0, 2), estado="confirmada", metodo="cash", monto="36.000")
    detail = await console.client.get(f"/panel/reservas/{code}")
    due = re.search(r"<dt>Saldo</dt><dd>\$\xa0([0-9.]+), vence", detail.text)
    assert due, detail.text
    hoy = await console.client.get("/panel/")
    assert f"Saldo {PESO}{due.group(1)}" in hoy.text
    assert "Todo pagado" not in hoy.text
    form = await money_form(console, code)
    paid = await console.client.post(
        f"/panel/reservas/{code}/pago",
        data={**form, "metodo": "transfer", "monto": due.group(1), "nota_pago": "El resto"},
    )
    assert paid.status_code == 303
    hoy = await console.client.get("/panel/")
    assert "Todo pagado" in hoy.text
    assert "Saldo $" not in hoy.text


async def test_a_form_answer_opens_where_its_message_is_and_its_address_leads_back(
    console: Console,
) -> None:
    """An error re-renders the page at the form that has it (the action's anchor); a success
    opens at the notice; the form's own address, reloaded or shared later, is the reservation."""
    await console.member(OWNER, Role.OWNER)
    code = await book(console, 1, (3, 6))
    page = await console.client.get(f"/panel/reservas/{code}")
    assert f'action="/panel/reservas/{code}/pago#h-pay"' in page.text
    assert 'id="h-pay"' in page.text
    noted = await act(console, code, "nota", {"nota": "Llega tarde"})
    assert noted.headers["location"].endswith("#aviso")
    shown = await console.client.get(noted.headers["location"])
    assert 'id="aviso"' in shown.text
    actions = ("pago", "devolver", "credito", "mover", "nota", "cancelar", "extender")
    for action in (*actions, "link-de-pago"):
        again = await console.client.get(f"/panel/reservas/{code}/{action}")
        assert again.status_code == 303, action
        assert again.headers["location"] == f"/panel/reservas/{code}"


async def test_a_confirmed_booking_with_nothing_in_its_ledger_shows_no_data_not_its_total(
    console: Console, console_settings: Settings
) -> None:
    """Confirmed before the ledger existed (or on the owner's word without an amount): its
    deposit was paid, never written down. Its whole total is not what it owes."""
    await console.member(OWNER, Role.OWNER)
    code = await book(console, 1, (0, 2))
    await rows(
        console_settings,
        "UPDATE reservations SET status = 'confirmed', expires_at = NULL WHERE code = $1",
        code,
    )
    assert (
        await rows(
            console_settings,
            "SELECT 1 FROM booking_money m JOIN reservations r ON r.id = m.reservation_id "
            "WHERE r.code = $1",
            code,
        )
        == []
    )
    detail = (await console.client.get(f"/panel/reservas/{code}")).text
    total = re.search(r"<dt>Total</dt><dd>\$\xa0([0-9.]+)", detail)
    assert total, detail
    assert "<dt>Saldo</dt><dd>sin datos de pagos" in detail
    assert f"{PESO}{total.group(1)}, vence" not in detail
    assert "sin pagar" not in detail
    hoy = (await console.client.get("/panel/")).text
    assert "Sin datos de pagos" in hoy
    assert f"Saldo {PESO}{total.group(1)}" not in hoy
    assert "Todo pagado" not in hoy
    guest = (await console.client.get(f"/r/{code}")).text
    assert "<dt>Saldo</dt>" not in guest
    assert "Si tenés dudas sobre lo que falta pagar, escribinos." in guest
    # The owner writes down the deposit it was paid: from then on the ledger says the balance.
    deposit = DEPOSIT.search(detail)
    assert deposit, detail
    form = await money_form(console, code)
    paid = await console.client.post(
        f"/panel/reservas/{code}/pago",
        data={**form, "metodo": "transfer", "monto": deposit.group(1), "nota_pago": "la seña"},
    )
    assert paid.status_code == 303, paid.text[:2000]
    detail = (await console.client.get(f"/panel/reservas/{code}")).text
    assert "sin datos de pagos" not in detail
    assert re.search(r"<dt>Saldo</dt><dd>\$\xa0[0-9.]+, vence", detail)
    assert "Saldo $" in (await console.client.get("/panel/")).text


async def test_a_cancelled_booking_with_nothing_in_its_ledger_has_unknown_money_not_nothing(
    console: Console, console_settings: Settings
) -> None:
    """Confirmed with nothing written down (before the ledger existed, or on the owner's word
    without an amount), then cancelled: its deposit was paid, so "nothing to give back" would
    be a guess. A hold cancelled unpaid has, known, nothing to give back."""
    await console.member(OWNER, Role.OWNER)
    code = await book(console, 1, (3, 5))
    await rows(
        console_settings,
        "UPDATE reservations SET status = 'confirmed', expires_at = NULL WHERE code = $1",
        code,
    )
    assert (await act(console, code, "cancelar", {"motivo": "No viene"})).status_code == 303
    detail = (await console.client.get(f"/panel/reservas/{code}")).text
    assert "<dt>Pagado</dt><dd>sin datos de pagos</dd>" in detail
    assert "<dt>Para devolver</dt><dd>sin datos de pagos" in detail
    assert "nada: no queda plata suya" not in detail
    guest = (await console.client.get(f"/r/{code}")).text
    assert "<dt>Pagado</dt>" not in guest  # not "$ 0": the deposit it paid was never written
    assert "Si tenés dudas sobre lo que pagaste, escribinos." in guest
    unpaid = await book(console, 1, (6, 8))
    assert (await act(console, unpaid, "cancelar", {"motivo": "No pagó"})).status_code == 303
    detail = (await console.client.get(f"/panel/reservas/{unpaid}")).text
    assert "<dt>Para devolver</dt><dd>nada: no queda plata suya" in detail
    assert "sin datos de pagos" not in detail
    assert f"<dt>Pagado</dt><dd>{PESO}0</dd>" in (await console.client.get(f"/r/{unpaid}")).text
    # The owner writes down the deposit it had been paid: it is known, and goes back.
    form = await money_form(console, code)
    paid = await console.client.post(
        f"/panel/reservas/{code}/pago",
        data={**form, "metodo": "transfer", "monto": "10.000", "nota_pago": "la seña"},
    )
    assert paid.status_code == 303, paid.text[:2000]
    detail = (await console.client.get(f"/panel/reservas/{code}")).text
    assert "sin datos de pagos" not in detail
    assert f"<dt>Para devolver</dt><dd><strong>{PESO}10.000</strong>" in detail


async def test_a_note_or_reason_longer_than_kept_is_refused_shown_back_and_nothing_is_done(
    console: Console, console_settings: Settings
) -> None:
    """A cut note saved with "Listo" would be a surprise: each form refuses it instead, naming
    the field and its length, with the text kept to shorten."""
    await console.member(OWNER, Role.OWNER)
    code = await book(console, 1, (3, 6), estado="confirmada", metodo="cash", monto="1000")
    long = "Pagó con dos transferencias. " * 20  # 580 characters
    said = "Puede tener hasta 500 caracteres (tiene 579): acortalo."
    sent = {
        "pago": {"metodo": "transfer", "monto": "1.000", "nota_pago": long},
        "devolver": {"devolver_monto": "100", "devolver_nota": long},
    }
    for action, data in sent.items():
        form = await money_form(console, code)
        answer = await console.client.post(f"/panel/reservas/{code}/{action}", data=form | data)
        assert answer.status_code == 400, (action, answer.text[:2000])
        field = next(k for k in data if "nota" in k)
        assert f'aria-invalid="true" aria-describedby="e-{field}"' in answer.text, action
        assert said in answer.text, action
        assert long.strip() in answer.text, action
    cancel = await act(console, code, "cancelar", {"motivo": long})
    assert cancel.status_code == 400
    assert said in cancel.text
    page = await console.client.get(f"/panel/reservas/{code}")
    assert "<dt>Estado</dt><dd>Confirmada" in page.text
    # Cancelled, its money may stay as the guest's credit: that form's note too.
    assert (await act(console, code, "cancelar", {"motivo": "Se enfermó"})).status_code == 303
    form = await money_form(console, code)
    credit = {"credito_monto": "100", "credito_dias": "", "credito_nota": long}
    answer = await console.client.post(f"/panel/reservas/{code}/credito", data=form | credit)
    assert answer.status_code == 400, answer.text[:2000]
    assert 'aria-invalid="true" aria-describedby="e-credito_nota"' in answer.text
    assert said in answer.text
    movements = await rows(
        console_settings,
        "SELECT count(*) AS n FROM booking_money m JOIN reservations r "
        "ON r.id = m.reservation_id WHERE r.code = $1",
        code,
    )
    assert movements[0]["n"] == 1  # the booking's own payment only
