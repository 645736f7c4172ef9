"""Staff see a reservation's story but not its money (README "Roles"): the timeline a staff
member reads has no payment, refund, credit or receipt line and no amount, while the owner's
has them all."""

from __future__ import annotations

import pytest

from domain.accounts import Role
from tests.e2e.console_client import OWNER, Console
from tests.e2e.test_console_cancelled_money import page_of, post_money
from tests.e2e.test_console_reservations import act, book
from tests.money_text import PESO

pytestmark = pytest.mark.db

STAFF = "equipo@example.com"


async def test_the_staff_timeline_tells_the_story_without_the_money(console: Console) -> None:
    await console.member(OWNER, Role.OWNER)
    code = await book(
        console, 1, (3, 6), estado="confirmada", metodo="transfer", monto="54.000", nota_pago=""
    )
    more = await post_money(
        console, code, "pago", {"metodo": "cash", "monto": "7.000", "nota_pago": "en mano"}
    )
    assert more.status_code == 303, more.text[:2000]
    assert (await act(console, code, "cancelar", {"motivo": "Se enfermó"})).status_code == 303
    refunded = await post_money(
        console, code, "devolver", {"devolver_monto": "20.000", "devolver_nota": "por CBU"}
    )
    assert refunded.status_code == 303, refunded.text[:2000]
    owner_view = await page_of(console, code)
    for line in ("Pago registrado", f"{PESO}7.000", "Devolución", f"{PESO}20.000", "por CBU"):
        assert line in owner_view, line
    owner_cookie = console.client.cookies.get("cabanas_sesion")

    console.client.cookies.clear()
    await console.member(STAFF, Role.STAFF)
    staff_view = await page_of(console, code)
    assert "Cancelada</strong> — Motivo: Se enfermó" in staff_view  # the story is there
    assert "Cargada a mano" in staff_view
    for money in ("Pago registrado", "Devolución", "Confirmada a mano", "Crédito", PESO):
        assert money not in staff_view, money
    assert "para devolver" not in staff_view
    assert "por CBU" not in staff_view
    assert "en mano" not in staff_view
    console.use_session(owner_cookie)


async def test_staff_cancelling_a_confirmed_booking_is_told_it_is_the_owners(
    console: Console,
) -> None:
    await console.member(OWNER, Role.OWNER)
    code = await book(
        console, 1, (3, 6), estado="confirmada", metodo="transfer", monto="54.000", nota_pago=""
    )
    hold = await book(console, 2, (3, 6))
    console.client.cookies.clear()
    await console.member(STAFF, Role.STAFF)
    refused = await act(console, code, "cancelar", {"motivo": "me pidió"})
    assert refused.status_code == 403
    assert "No podés hacer esto" in refused.text
    assert "Confirmada" in await page_of(console, code)  # nothing changed
    # A live hold is theirs to let go.
    assert (await act(console, hold, "cancelar", {"motivo": "no pagó"})).status_code == 303
