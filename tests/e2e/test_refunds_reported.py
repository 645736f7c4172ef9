"""Refunds Mercado Pago reports that we did not make (its own panel) reach the booking's ledger
once; a refund settles a booking's "refund owed" flag only once refunds cover it."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.e2e.test_ledger import TOTAL, admin
from tests.e2e.test_payments import DEPOSIT, hold, notify
from tests.e2e.test_refunds import paid_booking, refund
from tests.fakes.providers import FakeMercadoPago

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]


async def ledger_of(client: Client, code: str) -> dict[str, Any]:
    answer = await client.get(f"/admin/reservations/{code}/ledger", headers=admin())
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def open_flags(client: Client) -> list[tuple[str, str | None, str | None]]:
    queue = (await client.get("/admin/payments", headers=admin())).json()
    return [(p["id"], p["attention"], p["attention_reason"]) for p in queue]


async def test_a_partial_refund_leaves_a_second_deposit_flag_open_with_what_is_left(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    code = await paid_booking(pay_client, mp, "4101")
    # A second payment through the deposit link, more than the balance owed: to give back.
    second = TOTAL  # the whole stay again
    mp.add_payment("4102", "approved", second, code)
    await notify(pay_client, "4102")
    [(pid, attention, _)] = await open_flags(pay_client)
    assert (pid, attention) == ("4102", "refund_required")
    small = await refund(pay_client, code, "part-1", 1_000_000, mercadopago=False)
    assert small.status_code == 201, small.text
    # 10.000 of it back: the flag stays, saying what is still to give back.
    [(pid, attention, reason)] = await open_flags(pay_client)
    assert (pid, attention) == ("4102", "refund_required")
    left = round(second * 100) - 1_000_000
    assert reason is not None and f"{left} still to give back" in reason
    rest = await refund(pay_client, code, "part-2", left, mercadopago=False)
    assert rest.status_code == 201, rest.text
    assert await open_flags(pay_client) == []
    assert (await ledger_of(pay_client, code))["held_amount"] == DEPOSIT
