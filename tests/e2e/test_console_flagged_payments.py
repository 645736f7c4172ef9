"""A payment the owner records by hand whose amount matches nothing owed (part of the deposit,
more than everything owed) waits in the owner's queue — on Pagos with what it is and on Hoy —
until the owner settles it on Pagos with a reason (audited); and the Reserva page refuses an
amount over what the booking still owes, keeping what was typed, unless the owner ticks
«Sí, pagó de más»."""

from __future__ import annotations

import json
import re

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.accounts import Role
from domain.codes import ReservationCode
from entrypoints.settings import Settings
from tests.e2e.console_client import OWNER, Console
from tests.e2e.test_console_reservations import book, money_form, rows
from tests.money_text import PESO

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]

TOTAL = re.compile(r"<dt>Total</dt><dd>\$\xa0([0-9.]+)")
SETTLE = re.compile(r'action="/panel/pagos/cuenta/(\d+)/resolver"')
TICKED = 'name="pago_de_mas" type="checkbox" value="1" checked>'


async def page_of(console: Console, code: str) -> str:
    return (await console.client.get(f"/panel/reservas/{code}")).text


async def pay(console: Console, code: str, amount: str, **more: str):  # type: ignore[no-untyped-def]
    form = await money_form(console, code)
    data = {**form, "metodo": "cash", "monto": amount, "nota_pago": "", **more}
    return await console.client.post(f"/panel/reservas/{code}/pago", data=data)


async def settle(console: Console, item: str, reason: str):  # type: ignore[no-untyped-def]
    return await console.post(
        f"/panel/pagos/cuenta/{item}/resolver", {"motivo": reason}, "/panel/pagos"
    )


def pesos(cents: int) -> str:
    return f"{cents // 100:,}".replace(",", ".")


async def test_part_of_the_deposit_waits_in_pagos_and_hoy_until_settled_with_a_reason(
    console: Console, console_settings: Settings
) -> None:
    await console.member(OWNER, Role.OWNER)
    code = await book(console, 1, (3, 6))
    assert "No hay pagos para revisar" in (await console.client.get("/panel/pagos")).text
    done = await pay(console, code, "20.000")
    assert done.status_code == 303, done.text[:2000]
    assert "no coincide con lo que se debe" in await page_of(console, code)

    pagos = (await console.client.get("/panel/pagos")).text
    assert "No hay pagos para revisar" not in pagos
    shown = f'<span class="code">{ReservationCode(code).display}</span>'
    assert f"<strong>{PESO}20.000</strong> en efectivo · reserva {shown}" in pagos
    assert '<span class="badge warn">no coincide con lo que se debe</span>' in pagos
    assert f'<a href="/panel/reservas/{code}">Ver la reserva {shown}' in pagos
    item = SETTLE.search(pagos)
    assert item, pagos
    hoy = (await console.client.get("/panel/")).text
    assert "Nada pendiente" not in hoy
    assert f"{PESO}20.000 anotado a mano en {shown}: no coincide con lo que se debe" in hoy

    # A reason is required; the page keeps the item and says why.
    refused = await settle(console, item.group(1), "")
    assert refused.status_code == 400
    assert "Decí qué pasó con ese pago" in refused.text
    # Longer than kept: refused with its length and shown back, not cut and saved.
    long = "Seña en dos partes. " * 30
    refused = await settle(console, item.group(1), long)
    assert refused.status_code == 400
    assert "Puede tener hasta 500 caracteres (tiene 599): acortalo." in refused.text
    assert long.strip() in refused.text
    done = await settle(console, item.group(1), "Seña en dos partes, ya hablé")
    assert done.status_code == 303
    assert done.headers["location"].endswith("/panel/pagos?hecho=cuenta")
    pagos = (await console.client.get(done.headers["location"])).text
    assert "Listo: el pago salió de la lista." in pagos
    assert "No hay pagos para revisar" in pagos
    assert "Nada pendiente" in (await console.client.get("/panel/")).text
    # Settled once: the same form again (another tab) says so at the top of the page.
    again = await settle(console, item.group(1), "otra vez")
    assert again.status_code == 409
    assert '<p class="notice" role="status">Eso ya estaba resuelto' in again.text
    audited = await rows(
        console_settings,
        "SELECT actor, target, before, after FROM admin_audit_log "
        "WHERE action = 'payment.attention_resolve'",
    )
    assert len(audited) == 1
    assert (audited[0]["actor"], audited[0]["target"]) == (OWNER, code)
    assert json.loads(audited[0]["before"])["flag"] == "unmatched"
    assert json.loads(audited[0]["after"]) == {
        "resolution": "dismissed",
        "reason": "Seña en dos partes, ya hablé",
    }
    # The ledger still counts the money: settling the flag moves none.
    assert f"{PESO}20.000 en efectivo" in await page_of(console, code)


async def test_a_typo_over_what_is_owed_is_refused_keeping_the_input_until_confirmed(
    console: Console, console_settings: Settings
) -> None:
    await console.member(OWNER, Role.OWNER)
    code = await book(console, 1, (3, 6))
    total = TOTAL.search(await page_of(console, code))
    assert total
    refused = await pay(console, code, "99.999.999.999", nota_pago="Banco Nación")
    assert refused.status_code == 400
    assert (
        f"Es más de lo que falta pagar: como mucho {PESO}{total.group(1)} (el total menos lo "
        "que ya pagó)"
    ) in refused.text
    assert "marcá «Sí, pagó de más»" in refused.text
    assert 'value="99.999.999.999"' in refused.text
    assert 'value="Banco Nación"' in refused.text
    assert 'aria-describedby="e-monto"' in refused.text
    # Nothing was recorded: the hold waits, no guest was told, Pagos is empty.
    page = await page_of(console, code)
    assert "Todavía no hay pagos." in page
    assert "Retención esperando pago" in page
    assert not await rows(console_settings, "SELECT 1 FROM booking_money")
    assert "No hay pagos para revisar" in (await console.client.get("/panel/pagos")).text

    # The whole total is not over what is owed.
    over = int(total.group(1).replace(".", "")) + 1_000
    # Ticked, the owner says the guest did pay more: recorded, confirmed, flagged, queued.
    ticked = await pay(console, code, pesos(over * 100), pago_de_mas="1")
    assert ticked.status_code == 303, ticked.text[:2000]
    page = await page_of(console, code)
    assert "pagó de más" in page
    assert "<dt>Estado</dt><dd>Confirmada" in page
    pagos = (await console.client.get("/panel/pagos")).text
    assert f"<strong>{PESO}{pesos(over * 100)}</strong> en efectivo" in pagos
    assert '<span class="badge warn">pagó de más</span>' in pagos
    assert "Nada pendiente" not in (await console.client.get("/panel/")).text
    # The excess given back (by hand) lines the ledger up: the item settles on its own.
    form = await money_form(console, code)
    refunded = await console.client.post(
        f"/panel/reservas/{code}/devolver",
        data={**form, "devolver_monto": "1.000", "devolver_nota": "lo de más"},
    )
    assert refunded.status_code == 303, refunded.text[:2000]
    assert "No hay pagos para revisar" in (await console.client.get("/panel/pagos")).text
    assert "Nada pendiente" in (await console.client.get("/panel/")).text
    audited = await rows(
        console_settings,
        "SELECT after FROM admin_audit_log WHERE action = 'payment.attention_resolve'",
    )
    assert [json.loads(a["after"])["resolution"] for a in audited] == ["ledger_lined_up"]


async def test_a_payment_on_a_booking_that_owes_nothing_is_refused_saying_so(
    console: Console,
) -> None:
    await console.member(OWNER, Role.OWNER)
    code = await book(console, 1, (3, 6))
    total = TOTAL.search(await page_of(console, code))
    assert total
    paid = await pay(console, code, total.group(1))
    assert paid.status_code == 303, paid.text[:2000]
    assert "No hay pagos para revisar" in (await console.client.get("/panel/pagos")).text
    refused = await pay(console, code, "1.000")
    assert refused.status_code == 400
    assert "Esta reserva ya no debe nada: revisá el monto." in refused.text
    assert 'value="1.000"' in refused.text
    assert TICKED not in refused.text


async def test_money_on_a_cancelled_booking_is_recorded_not_refused_as_a_typo(
    console: Console,
) -> None:
    """A booking without nights collects nothing: what arrives there goes back to the guest,
    however much it is, and is never refused as more than owed."""
    await console.member(OWNER, Role.OWNER)
    code = await book(console, 1, (3, 6))
    assert (await pay(console, code, "20.000")).status_code == 303
    cancelled = await console.post(
        f"/panel/reservas/{code}/cancelar", {"motivo": "prueba"}, f"/panel/reservas/{code}"
    )
    assert cancelled.status_code == 303, cancelled.text[:2000]
    late = await pay(console, code, "1.000.000")
    assert late.status_code == 303, late.text[:2000]
    assert "Es más de lo que falta pagar" not in (await page_of(console, code))
    assert f"Efectivo · <strong>{PESO}1.000.000</strong>" in await page_of(console, code)


async def test_a_flag_is_not_shown_on_the_booking_once_its_money_lines_up(
    console: Console,
) -> None:
    await console.member(OWNER, Role.OWNER)
    code = await book(console, 1, (3, 6))
    deposit = re.search(r"<dt>Seña</dt><dd>\$\xa0([0-9.]+)", await page_of(console, code))
    assert deposit
    assert (await pay(console, code, "10.000")).status_code == 303
    assert "no coincide con lo que se debe" in await page_of(console, code)
    rest = int(deposit.group(1).replace(".", "")) - 10_000
    assert (await pay(console, code, pesos(rest * 100))).status_code == 303
    page = await page_of(console, code)
    assert "no coincide con lo que se debe" not in page
    assert "No hay pagos para revisar" in (await console.client.get("/panel/pagos")).text
