"""Refunds Mercado Pago reports that we did not make (its own panel) reach the booking's ledger
once; a refund settles a booking's "refund owed" flag only once refunds cover it."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.accounts import Role
from domain.codes import ReservationCode
from entrypoints.settings import Settings
from tests.e2e.console_client import OWNER, console_for, for_owners
from tests.e2e.test_ledger import TOTAL, admin, rows
from tests.e2e.test_payments import DEPOSIT, notify
from tests.e2e.test_refunds import paid_booking, refund
from tests.fakes.providers import FakeMercadoPago
from tests.money_text import PESO
from tests.unit.application.fakes import FixedClock

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
    assert reason is not None
    assert f"{left} still to give back" in reason
    rest = await refund(pay_client, code, "part-2", left, mercadopago=False)
    assert rest.status_code == 201, rest.text
    assert await open_flags(pay_client) == []
    assert (await ledger_of(pay_client, code))["held_amount"] == DEPOSIT


async def test_pagos_and_hoy_say_what_is_still_to_give_back_of_a_partly_refunded_payment(
    pay_client: Client, mp: FakeMercadoPago, integrated_settings: Settings, clock: FixedClock
) -> None:
    code = await paid_booking(pay_client, mp, "4111")
    mp.add_payment("4112", "approved", TOTAL, code)  # the whole stay again: to give back
    await notify(pay_client, "4112")
    async with console_for(for_owners(integrated_settings), clock) as console:
        await console.member(OWNER, Role.OWNER)
        pagos = (await console.client.get("/panel/pagos")).text
        assert '<span class="badge warn">hay que devolver el dinero</span>' in pagos
        assert "falta devolver" not in pagos
        part = await refund(pay_client, code, "part-1", 1_000_000, mercadopago=False)
        assert part.status_code == 201, part.text
        pagos = (await console.client.get("/panel/pagos")).text
        assert f'<span class="badge warn">falta devolver {PESO}279.000</span>' in pagos
        assert f'(ya se devolvieron <span class="amount">{PESO}10.000</span>)' in pagos
        hoy = (await console.client.get("/panel/")).text
        # The code as the owner reads it aloud (dashed, as on its page); the link keeps it raw.
        assert (
            f'Pago 4112 (<span class="amount">{PESO}289.000</span>) de '
            f'<span class="code">{ReservationCode(code).display}</span>: '
            f'falta devolver <span class="amount">{PESO}279.000</span>'
        ) in hoy
        assert f'<a href="/panel/reservas/{code}">Ver la reserva' in hoy


async def test_a_partial_refund_in_the_panel_reaches_the_ledger_once(
    pay_client: Client, mp: FakeMercadoPago, integrated_settings: Settings
) -> None:
    code = await paid_booking(pay_client, mp, "4201")
    await mp.refund_in_panel("4201", 20_000.0)
    await notify(pay_client, "4201")
    await notify(pay_client, "4201")  # redelivered, or another notification of the same state
    ledger = await ledger_of(pay_client, code)
    assert [(r["reference"], r["amount"], r["recorded_by"]) for r in ledger["refunds"]] == [
        ("mp-refund:4201:2000000", 20_000.0, "mercadopago")
    ]
    assert ledger["held_amount"] == DEPOSIT - 20_000
    # A second refund in the panel: only the difference, under the new cumulative amount.
    await mp.refund_in_panel("4201", 5_000.0)
    await notify(pay_client, "4201")
    ledger = await ledger_of(pay_client, code)
    assert [(r["reference"], r["amount"]) for r in ledger["refunds"]] == [
        ("mp-refund:4201:2000000", 20_000.0),
        ("mp-refund:4201:2500000", 5_000.0),
    ]
    audit = await rows(
        integrated_settings,
        "SELECT actor, after->>'amount_cents', after->>'mercadopago_payment' "
        "FROM admin_audit_log WHERE action = 'reservation.refund' ORDER BY id",
    )
    assert audit == [("system", "2000000", "4201"), ("system", "500000", "4201")]
    assert await open_flags(pay_client) == []  # recorded: nothing for the owner to do


async def test_our_own_refund_then_one_in_the_panel_count_once_each(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    code = await paid_booking(pay_client, mp, "4301")
    ours = await refund(pay_client, code, "console-1", 1_000_000)  # "Devolver por Mercado Pago"
    assert ours.status_code == 201, ours.text
    await notify(pay_client, "4301")  # Mercado Pago tells us about our own refund
    assert len((await ledger_of(pay_client, code))["refunds"]) == 1
    await mp.refund_in_panel("4301", 3_000.0)
    await notify(pay_client, "4301")
    ledger = await ledger_of(pay_client, code)
    assert sorted(r["amount"] for r in ledger["refunds"]) == [3_000.0, 10_000.0]
    assert ledger["held_amount"] == DEPOSIT - 13_000


async def test_a_whole_refund_in_the_panel_settles_a_cancelled_bookings_money_to_return(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    code = await paid_booking(pay_client, mp, "4401")
    cancelled = await pay_client.post(
        f"/admin/reservations/{code}/cancel", json={"reason": "no viene"}, headers=admin()
    )
    assert cancelled.status_code == 200, cancelled.text
    [(item, attention, _)] = await open_flags(pay_client)
    assert (item, attention) == (f"held:{code}", "refund_required")
    await mp.refund_in_panel("4401", DEPOSIT / 2)
    await notify(pay_client, "4401")
    queue = (await pay_client.get("/admin/payments", headers=admin())).json()
    assert [(p["id"], p["amount"]) for p in queue] == [(f"held:{code}", DEPOSIT / 2)]
    await mp.refund_in_panel("4401", DEPOSIT / 2)  # the rest: the payment is `refunded`
    await notify(pay_client, "4401")
    assert await open_flags(pay_client) == []
    ledger = await ledger_of(pay_client, code)
    assert (ledger["to_return_amount"], ledger["returned_amount"]) == (0.0, DEPOSIT)


async def test_a_panel_refund_already_recorded_by_hand_is_flagged_not_counted_twice(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    code = await paid_booking(pay_client, mp, "4501")
    # The old way: refunded in the panel, then written down by hand in the console.
    by_hand = await refund(pay_client, code, "hand", int(DEPOSIT * 100), mercadopago=False)
    assert by_hand.status_code == 201, by_hand.text
    await mp.refund_in_panel("4501", DEPOSIT)
    await notify(pay_client, "4501")
    ledger = await ledger_of(pay_client, code)
    assert ledger["returned_amount"] == DEPOSIT  # not twice
    [(pid, attention, reason)] = await open_flags(pay_client)
    assert (pid, attention) == ("4501", "refund_mismatch")
    assert reason is not None
    assert "recorded by hand already" in reason


async def test_a_chargeback_is_flagged_and_never_recorded_as_a_refund(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    code = await paid_booking(pay_client, mp, "4601")
    cancelled = await pay_client.post(
        f"/admin/reservations/{code}/cancel", json={"reason": "no viene"}, headers=admin()
    )
    assert cancelled.status_code == 200, cancelled.text
    mp.payments["4601"]["status"] = "charged_back"
    mp.payments["4601"]["date_last_updated"] = "2026-12-02T10:00:00.000-03:00"
    await notify(pay_client, "4601")
    flags = {(pid, attention) for pid, attention, _ in await open_flags(pay_client)}
    assert ("4601", "charged_back") in flags
    assert (await ledger_of(pay_client, code))["refunds"] == []
