"""Money on a booking that gives no nights, through the console: a cancelled booking collects
nothing and shows what it still holds; that money waits in Pagos and Hoy until it is refunded
or kept as credit; a payment recorded on a cancelled hold joins it; the refund form defaults to
the way the money came and says plainly when Mercado Pago cannot give it back."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from dishka import AsyncContainer
from litestar import Litestar
from litestar.testing import AsyncTestClient

from application.payments.money_to_return import ReconcileMoneyToReturn
from domain.accounts import Role
from domain.codes import ReservationCode
from entrypoints.settings import Settings
from tests.e2e.conftest import NOW
from tests.e2e.console_client import OWNER, Console, console_for, for_owners
from tests.e2e.test_console_reservations import DEPOSIT, act, book, money_form, rows
from tests.e2e.test_ledger import admin
from tests.e2e.test_payments import DEPOSIT as PAID
from tests.e2e.test_payments import hold, notify
from tests.fakes.providers import FakeMercadoPago
from tests.money_text import PESO
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]

UNTICKED = 'id="f-devolver_mp" name="devolver_mp" type="checkbox" value="1" >'
TICKED = 'id="f-devolver_mp" name="devolver_mp" type="checkbox" value="1" checked>'


async def page_of(console: Console, code: str) -> str:
    return (await console.client.get(f"/panel/reservas/{code}")).text


async def post_money(console: Console, code: str, action: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    form = await money_form(console, code)
    if action == "credito":
        key = re.search(r'name="clave_credito" value="([^"]+)"', await page_of(console, code))
        assert key, "no credit form"
        form["clave_credito"] = key.group(1)
    return await console.client.post(f"/panel/reservas/{code}/{action}", data={**form, **data})


async def test_a_payment_recorded_on_a_cancelled_hold_waits_in_pagos_and_hoy_to_go_back(
    console: Console,
) -> None:
    await console.member(OWNER, Role.OWNER)
    code = await book(console, 1, (3, 6))
    deposit = DEPOSIT.search(await page_of(console, code))
    assert deposit
    assert (await act(console, code, "cancelar", {"motivo": "No pagó"})).status_code == 303
    page = await page_of(console, code)
    assert "un pago que registres queda anotado para devolverlo" in page
    done = await post_money(
        console, code, "pago", {"metodo": "transfer", "monto": deposit.group(1), "nota_pago": ""}
    )
    assert done.status_code == 303
    assert done.headers["location"].endswith("hecho=pago-a-devolver#aviso")
    page = (await console.client.get(done.headers["location"])).text
    assert "El pago quedó registrado, pero esta reserva no tiene noches" in page
    assert "hay que devolverlo o dejarlo como crédito" in page
    assert "<dt>Estado</dt><dd>Cancelada" in page
    # Nothing is collected any more: no balance, no due date; what it holds is to give back.
    assert "<dt>Saldo</dt>" not in page
    assert "vence el" not in page
    assert f"<dt>Para devolver</dt><dd><strong>{PESO}{deposit.group(1)}</strong>" in page
    assert f"<dt>Pagado</dt><dd>{PESO}{deposit.group(1)} por transferencia</dd>" in page
    # Paid by transfer: giving it back is not ticked for Mercado Pago.
    assert UNTICKED in page
    pagos = (await console.client.get("/panel/pagos")).text
    assert "No hay pagos para revisar" not in pagos
    dashed = ReservationCode(code).display  # as the owner reads it aloud; links keep it raw
    shown = f'<span class="code">{dashed}</span>'  # on one line
    assert (
        f"<strong>{PESO}{deposit.group(1)}</strong> · la reserva {shown} no tiene noches" in pagos
    )
    assert f'<a href="/panel/reservas/{code}">Ver la reserva' in pagos
    hoy = (await console.client.get("/panel/")).text
    assert "Nada pendiente" not in hoy
    assert f"La reserva {shown} no tiene noches y tiene {PESO}{deposit.group(1)}" in hoy
    assert f'<a href="/panel/reservas/{code}">Ver la reserva' in hoy


async def test_cancelling_a_paid_booking_says_what_to_give_back_until_refunded_or_credited(
    console: Console,
) -> None:
    await console.member(OWNER, Role.OWNER)
    code = await book(
        console, 1, (3, 6), estado="confirmada", metodo="transfer", monto="54.000", nota_pago=""
    )
    before = await page_of(console, code)
    assert f"Tiene {PESO}54.000 pagados: al cancelar hay que devolvérselos o dejárselos" in before
    done = await act(console, code, "cancelar", {"motivo": "Se enfermó"})
    assert done.status_code == 303
    page = (await console.client.get(done.headers["location"])).text
    assert (
        f"La reserva se canceló: sus noches quedaron libres. Tenía {PESO}54.000 pagados: hay que "
        "devolvérselos o dejárselos como crédito"
    ) in page
    assert "<dt>Saldo</dt>" not in page
    assert f"<dt>Para devolver</dt><dd><strong>{PESO}54.000</strong>" in page
    assert 'action="/panel/reservas/' + code + '/credito#h-credit"' in page
    assert (
        f"<strong>{PESO}54.000</strong> · la reserva"
        in (await console.client.get("/panel/pagos")).text
    )
    # Two refunds made by hand: what is held goes down, never what is "owed".
    for _ in range(2):
        refunded = await post_money(
            console, code, "devolver", {"devolver_monto": "20.000", "devolver_nota": ""}
        )
        assert refunded.status_code == 303, refunded.text[:2000]
    page = await page_of(console, code)
    assert f"<dt>Devuelto</dt><dd>{PESO}40.000</dd>" in page
    assert f"<dt>Para devolver</dt><dd><strong>{PESO}14.000</strong>" in page
    assert "<dt>Saldo</dt>" not in page
    pagos = (await console.client.get("/panel/pagos")).text
    assert f"<strong>{PESO}14.000</strong> · la reserva" in pagos
    # The rest stays the guest's, as credit for another date: the queue is clear.
    credited = await post_money(
        console, code, "credito", {"credito_monto": "14.000", "credito_dias": "180"}
    )
    assert credited.headers["location"].endswith("hecho=credito#aviso"), credited.text[:2000]
    page = await page_of(console, code)
    assert f"<dt>Crédito a favor</dt><dd>{PESO}14.000" in page
    assert "<dt>Para devolver</dt><dd>nada" in page
    assert "No hay pagos para revisar" in (await console.client.get("/panel/pagos")).text
    assert "Nada pendiente" in (await console.client.get("/panel/")).text


async def test_money_paid_by_transfer_cannot_go_back_through_mercado_pago_and_it_says_so(
    console: Console,
) -> None:
    await console.member(OWNER, Role.OWNER)
    code = await book(
        console, 1, (3, 6), estado="confirmada", metodo="transfer", monto="54.000", nota_pago=""
    )
    assert UNTICKED in await page_of(console, code)
    refused = await post_money(
        console,
        code,
        "devolver",
        {"devolver_monto": "20.000", "devolver_mp": "1", "devolver_nota": "Arreglo"},
    )
    assert refused.status_code == 400
    assert "Esta reserva no tiene pagos por Mercado Pago para devolver" in refused.text
    assert "más de lo que pagó" not in refused.text
    assert 'aria-describedby="e-devolver_monto"' in refused.text
    assert 'value="20.000"' in refused.text
    assert 'value="Arreglo"' in refused.text
    assert TICKED in refused.text  # the owner's choice is kept, to untick
    too_much = await post_money(console, code, "devolver", {"devolver_monto": "60.000"})
    assert too_much.status_code == 400
    assert f"No se puede devolver más de {PESO}54.000: es lo que pagó" in too_much.text


async def test_money_paid_through_mercado_pago_goes_back_that_way_one_payment_at_a_time(
    console: Console, console_settings: Settings
) -> None:
    await console.member(OWNER, Role.OWNER)
    code = await book(
        console, 1, (3, 6), estado="confirmada", metodo="transfer", monto="54.000", nota_pago=""
    )
    # And $ 10.000 through Mercado Pago, as its webhook records it (ledger and payment).
    await rows(
        console_settings,
        "INSERT INTO booking_money (reservation_id, direction, reference, method, amount_cents, "
        "currency, on_date, recorded_by, recorded_at) SELECT id, 'payment', 'mp:1319000009', "
        "'mercadopago', 1000000, 'ARS', $2, 'mercadopago', $3 FROM reservations WHERE code = $1",
        code,
        NOW.date(),
        NOW,
    )
    await rows(
        console_settings,
        "INSERT INTO payments (id, reservation_code, status, amount_cents, currency, "
        "first_seen_at, updated_at) VALUES ('1319000009', $1, 'approved', 1000000, 'ARS', $2, $2)",
        code,
        NOW,
    )
    page = await page_of(console, code)
    assert (
        f"<dt>Pagado</dt><dd>{PESO}64.000 ({PESO}10.000 por Mercado Pago, "
        f"{PESO}54.000 por transferencia)" in page
    )
    assert f"por Mercado Pago, hasta {PESO}10.000 de una vez" in page
    assert TICKED in page
    refused = await post_money(
        console, code, "devolver", {"devolver_monto": "20.000", "devolver_mp": "1"}
    )
    assert refused.status_code == 400
    assert f"Por Mercado Pago se pueden devolver como mucho {PESO}10.000 de una vez" in refused.text


async def test_a_late_deposit_for_a_sold_lapsed_hold_is_one_item_on_pagos_hoy_and_the_api(
    pay_client: Client,
    mp: FakeMercadoPago,
    worker: AsyncContainer,
    integrated_settings: Settings,
    clock: FixedClock,
) -> None:
    first = await hold(pay_client)
    code = str(first["code"])
    clock.current += timedelta(hours=2)
    await hold(pay_client, guest_name="Otra Persona")  # the lapsed hold's nights, sold
    mp.add_payment("999", "approved", PAID, code)
    await notify(pay_client, "999")  # paid late: Mercado Pago's flag says refund it
    async with worker() as scope:  # and the duty finds a booking without nights holding money
        assert await (await scope.get(ReconcileMoneyToReturn))() is True
    queue = (await pay_client.get("/admin/payments", headers=admin())).json()
    assert [(p["id"], p["amount"]) for p in queue] == [(f"held:{code}", PAID)]
    async with console_for(for_owners(integrated_settings), clock) as console:
        await console.member(OWNER, Role.OWNER)
        pagos = (await console.client.get("/panel/pagos")).text
        assert pagos.count('action="/panel/pagos/') == 1
        shown = f'<span class="code">{ReservationCode(code).display}</span>'
        assert f"<strong>{PESO}86.700</strong> · la reserva {shown} no tiene noches" in pagos
        assert "pago 999 de Mercado Pago" not in pagos
        hoy = (await console.client.get("/panel/")).text
        assert hoy.count('<span class="badge warn">Devolver</span>') == 1
        assert "Revisar pago" not in hoy
        # One refund through Mercado Pago settles it, however often the form is sent.
        form = await money_form(console, code)
        refund = {**form, "devolver_monto": "86.700", "devolver_mp": "1", "devolver_nota": ""}
        for _ in range(2):
            sent = await console.client.post(f"/panel/reservas/{code}/devolver", data=refund)
            assert sent.status_code == 303, sent.text[:2000]
        assert len(mp.refunds["999"]) == 1
        assert "No hay pagos para revisar" in (await console.client.get("/panel/pagos")).text
        assert "Nada pendiente" in (await console.client.get("/panel/")).text
    assert (await pay_client.get("/admin/payments", headers=admin())).json() == []
