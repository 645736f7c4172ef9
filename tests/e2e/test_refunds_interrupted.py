"""A refund the owner asks for (console or admin API) that Mercado Pago made while our save of
it failed: Mercado Pago's notification, the retry with the same key and a refund made in its
panel can come in any order, and the ledger counts each refund Mercado Pago made once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from adapters.postgres.database import make_engine
from domain.accounts import Role
from entrypoints.settings import Settings
from tests.e2e.console_client import OWNER, console_for, for_owners
from tests.e2e.test_console_reservations import money_form
from tests.e2e.test_ledger import admin
from tests.e2e.test_payments import DEPOSIT, hold, notify
from tests.e2e.test_refunds import paid_booking, refund
from tests.fakes.providers import FakeMercadoPago
from tests.money_text import PESO
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]


async def execute(settings: Settings, *statements: str) -> None:
    assert settings.database_url is not None
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


@asynccontextmanager
async def failing_refund_saves(settings: Settings) -> AsyncIterator[None]:
    """The database refuses to write a refund the owner asked for (reference ``refund:…``),
    as a failure after Mercado Pago's answer would: the request's transaction rolls back."""
    await execute(
        settings,
        "CREATE FUNCTION refuse_refund() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'the disk is full'; END $$",
        "CREATE TRIGGER refuse_refund BEFORE INSERT ON booking_money FOR EACH ROW "
        "WHEN (NEW.direction = 'refund' AND NEW.reference LIKE 'refund:%') "
        "EXECUTE FUNCTION refuse_refund()",
    )
    try:
        yield
    finally:
        await execute(
            settings, "DROP TRIGGER refuse_refund ON booking_money", "DROP FUNCTION refuse_refund"
        )


async def ledger_of(client: Client, code: str) -> dict[str, Any]:
    answer = await client.get(f"/admin/reservations/{code}/ledger", headers=admin())
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def refunds(ledger: dict[str, Any]) -> list[tuple[str, float]]:
    return [(r["reference"].split(":")[0], r["amount"]) for r in ledger["refunds"]]


async def lost_save(
    client: Client, mp: FakeMercadoPago, settings: Settings, code: str, key: str, cents: int
) -> None:
    """The refund is made at Mercado Pago; our transaction fails after its answer."""
    async with failing_refund_saves(settings):
        failed = await refund(client, code, key, cents)
    assert failed.status_code >= 500, failed.text
    assert sum(len(made) for made in mp.refunds.values()) == 1  # Mercado Pago made it
    assert (await ledger_of(client, code))["refunds"] == []  # we recorded nothing


async def test_a_refund_the_notification_recorded_is_not_counted_again_on_retry(
    pay_client: Client, mp: FakeMercadoPago, integrated_settings: Settings
) -> None:
    code = await paid_booking(pay_client, mp, "4701")
    await lost_save(pay_client, mp, integrated_settings, code, "r-crash", 3_000_000)
    await notify(pay_client, "4701")  # Mercado Pago tells us: recorded from its report
    assert refunds(await ledger_of(pay_client, code)) == [("mp-refund", 30_000.0)]
    retried = await refund(pay_client, code, "r-crash", 3_000_000)
    assert retried.status_code == 200, retried.text
    assert retried.headers.get("idempotent-replayed") == "true"
    assert len(mp.refunds["4701"]) == 1  # asked again with the same key: the same refund
    await notify(pay_client, "4701")
    ledger = await ledger_of(pay_client, code)
    assert refunds(ledger) == [("mp-refund", 30_000.0)]
    assert (ledger["returned_amount"], ledger["held_amount"]) == (30_000.0, DEPOSIT - 30_000)


async def test_a_whole_refund_the_notification_recorded_is_not_made_or_counted_again(
    pay_client: Client, mp: FakeMercadoPago, integrated_settings: Settings
) -> None:
    code = await paid_booking(pay_client, mp, "4702")
    await lost_save(pay_client, mp, integrated_settings, code, "r-all", int(DEPOSIT * 100))
    await notify(pay_client, "4702")
    retried = await refund(pay_client, code, "r-all", int(DEPOSIT * 100))
    # Nothing is left to give back: refused, and Mercado Pago is not asked again.
    assert (retried.status_code, retried.json()["code"]) == (422, "refund_exceeds_paid")
    assert len(mp.refund_requests) == 1
    ledger = await ledger_of(pay_client, code)
    assert refunds(ledger) == [("mp-refund", DEPOSIT)]
    assert ledger["held_amount"] == 0.0


async def test_a_retry_before_the_notification_records_the_refund_once(
    pay_client: Client, mp: FakeMercadoPago, integrated_settings: Settings
) -> None:
    code = await paid_booking(pay_client, mp, "4703")
    await lost_save(pay_client, mp, integrated_settings, code, "r-early", 2_000_000)
    retried = await refund(pay_client, code, "r-early", 2_000_000)
    assert retried.status_code == 201, retried.text
    await notify(pay_client, "4703")
    again = await refund(pay_client, code, "r-early", 2_000_000)
    assert again.status_code == 200, again.text
    ledger = await ledger_of(pay_client, code)
    assert refunds(ledger) == [("refund", 20_000.0)]
    assert len(mp.refunds["4703"]) == 1
    assert ledger["held_amount"] == DEPOSIT - 20_000


async def test_a_refund_saved_then_notified_then_resent_counts_once(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    code = await paid_booking(pay_client, mp, "4704")
    made = await refund(pay_client, code, "r-ok", 1_500_000)
    assert made.status_code == 201, made.text
    await notify(pay_client, "4704")
    resent = await refund(pay_client, code, "r-ok", 1_500_000)
    assert resent.status_code == 200, resent.text
    await notify(pay_client, "4704")
    ledger = await ledger_of(pay_client, code)
    assert refunds(ledger) == [("refund", 15_000.0)]
    assert ledger["held_amount"] == DEPOSIT - 15_000
    assert len(mp.refunds["4704"]) == 1


async def test_a_refund_mercado_pagos_report_does_not_show_yet_is_the_owners_and_counts_once(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    code = await paid_booking(pay_client, mp, "4709")
    mp.freeze_report("4709")  # its report will lag the refund
    made = await refund(pay_client, code, "r-lagging", 2_000_000)
    assert made.status_code == 201, made.text  # recorded from Mercado Pago's answer
    [ours] = (await ledger_of(pay_client, code))["refunds"]
    assert ours["reference"].startswith("refund:")
    assert ours["reference"].endswith("@mp-refund:4709:2000000")
    assert (ours["amount"], ours["recorded_by"]) == (20_000.0, "owner@cabanas.ar")
    await notify(pay_client, "4709")  # notified while the report still lags: nothing
    mp.frozen_reports.clear()
    await notify(pay_client, "4709")  # the report shows it: nothing more
    ledger = await ledger_of(pay_client, code)
    assert refunds(ledger) == [("refund", 20_000.0)]
    assert ledger["held_amount"] == DEPOSIT - 20_000
    again = await refund(pay_client, code, "r-lagging", 2_000_000)
    assert again.status_code == 200, again.text
    assert again.headers.get("idempotent-replayed") == "true"
    assert len(mp.refund_requests) == 1


async def test_a_panel_refund_not_yet_notified_is_recorded_and_the_owners_refund_waits(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    code = await paid_booking(pay_client, mp, "4705")
    await mp.refund_in_panel("4705", 5_000.0)  # its notification is still on its way
    ours = await refund(pay_client, code, "r-after-panel", 1_000_000)
    # Mercado Pago is not asked: the owner hears of the panel's refund first.
    assert ours.status_code == 409, ours.text
    assert (ours.json()["code"], ours.json()["found_amount_cents"]) == (
        "unrecorded_refund_found",
        500_000,
    )
    assert mp.refund_requests == []
    assert refunds(await ledger_of(pay_client, code)) == [("mp-refund", 5_000.0)]
    # Still owed, after looking: the same request again makes it.
    again = await refund(pay_client, code, "r-after-panel", 1_000_000)
    assert again.status_code == 201, again.text
    await notify(pay_client, "4705")  # the notifications, after both
    ledger = await ledger_of(pay_client, code)
    assert sorted(refunds(ledger)) == [("mp-refund", 5_000.0), ("refund", 10_000.0)]
    assert ledger["held_amount"] == DEPOSIT - 15_000
    assert mp.payments["4705"]["transaction_amount_refunded"] == 15_000.0


async def test_a_key_that_refunded_another_bookings_payment_records_nothing_here(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    first = await paid_booking(pay_client, mp, "4706")
    other = str((await hold(pay_client, check_in="2027-01-08", check_out="2027-01-11"))["code"])
    mp.add_payment("4707", "approved", DEPOSIT, other)
    await notify(pay_client, "4707")
    assert (await refund(pay_client, first, "the-same-key", 1_000_000)).status_code == 201
    reused = await refund(pay_client, other, "the-same-key", 1_000_000)
    # Mercado Pago answers the same key with the refund it made of the first booking's
    # payment: nothing was given back from this one, and nothing is recorded on it.
    assert (reused.status_code, reused.json()["code"]) == (409, "money_reference_reused")
    assert (await ledger_of(pay_client, other))["refunds"] == []
    assert list(mp.refunds) == ["4706"]


async def test_the_owner_sends_the_form_again_after_an_error_and_the_refund_counts_once(
    pay_client: Client, mp: FakeMercadoPago, integrated_settings: Settings, clock: FixedClock
) -> None:
    code = await paid_booking(pay_client, mp, "4708")
    async with console_for(for_owners(integrated_settings), clock) as console:
        await console.member(OWNER, Role.OWNER)
        form = await money_form(console, code)
        sent = {**form, "devolver_monto": "30.000", "devolver_mp": "1", "devolver_nota": ""}
        path = f"/panel/reservas/{code}/devolver"
        async with failing_refund_saves(integrated_settings):
            failed = await console.client.post(path, data=sent)
        assert failed.status_code >= 500
        await notify(pay_client, "4708")  # recorded from Mercado Pago's report meanwhile
        again = await console.client.post(path, data=sent)  # Back, and the button again
        assert again.status_code == 303, again.text[:2000]
        page = (await console.client.get(again.headers["location"])).text
        assert "Esa devolución ya estaba hecha: no se devolvió dos veces." in page
        assert f"<dt>Devuelto</dt><dd>{PESO}30.000</dd>" in page
    assert len(mp.refunds["4708"]) == 1


async def test_a_new_key_waits_while_a_refund_whose_save_failed_does_not_show_yet(
    pay_client: Client, mp: FakeMercadoPago, integrated_settings: Settings
) -> None:
    code = await paid_booking(pay_client, mp, "4710")
    mp.freeze_report("4710")  # its report lags the refund the first key makes
    await lost_save(pay_client, mp, integrated_settings, code, "r-first", 2_000_000)
    # The owner reloads and sends the same amount with a new key: neither the ledger nor
    # Mercado Pago's report shows the first refund, so Mercado Pago is not asked again.
    other = await refund(pay_client, code, "r-second", 2_000_000)
    assert (other.status_code, other.json()["code"]) == (409, "refund_pending_at_provider")
    assert len(mp.refund_requests) == 1
    assert (await ledger_of(pay_client, code))["refunds"] == []
    await notify(pay_client, "4710")  # notified while the report still lags: nothing
    mp.frozen_reports.clear()
    await notify(pay_client, "4710")  # the report shows it: recorded once
    ledger = await ledger_of(pay_client, code)
    assert refunds(ledger) == [("mp-refund", 20_000.0)]
    assert ledger["held_amount"] == DEPOSIT - 20_000
    assert len(mp.refund_requests) == 1
    assert sum(len(made) for made in mp.refunds.values()) == 1


async def test_a_pending_refund_holds_back_new_keys_only_until_it_shows(
    pay_client: Client, mp: FakeMercadoPago, integrated_settings: Settings
) -> None:
    code = await paid_booking(pay_client, mp, "4711")
    mp.freeze_report("4711")
    await lost_save(pay_client, mp, integrated_settings, code, "r-first", 1_000_000)
    mp.frozen_reports.clear()
    await notify(pay_client, "4711")  # recorded from the report: the note is settled
    more = await refund(pay_client, code, "r-more", 1_000_000)
    assert more.status_code == 201, more.text  # a second refund the owner asked for
    ledger = await ledger_of(pay_client, code)
    assert sorted(refunds(ledger)) == [("mp-refund", 10_000.0), ("refund", 10_000.0)]
    assert len(mp.refunds["4711"]) == 2


async def test_a_retried_key_whose_refund_does_not_show_yet_is_recorded_from_the_answer(
    pay_client: Client, mp: FakeMercadoPago, integrated_settings: Settings
) -> None:
    code = await paid_booking(pay_client, mp, "4712")
    mp.freeze_report("4712")
    await lost_save(pay_client, mp, integrated_settings, code, "r-lost", 2_000_000)
    retried = await refund(pay_client, code, "r-lost", 2_000_000)
    # Mercado Pago answers the key with the refund it made: recorded now, not "already done"
    # while the ledger still holds the money.
    assert retried.status_code == 201, retried.text
    assert retried.headers.get("idempotent-replayed") != "true"
    [ours] = (await ledger_of(pay_client, code))["refunds"]
    assert ours["reference"].endswith("@mp-refund:4712:2000000")
    await notify(pay_client, "4712")  # the report still lags: nothing
    mp.frozen_reports.clear()
    await notify(pay_client, "4712")  # the report shows it: nothing more
    again = await refund(pay_client, code, "r-lost", 2_000_000)
    assert again.status_code == 200, again.text
    assert again.headers.get("idempotent-replayed") == "true"
    ledger = await ledger_of(pay_client, code)
    assert refunds(ledger) == [("refund", 20_000.0)]
    assert ledger["held_amount"] == DEPOSIT - 20_000
    assert len(mp.refund_requests) == 1
    assert sum(len(made) for made in mp.refunds.values()) == 1


async def test_a_retried_key_mercado_pago_refuses_is_not_told_to_retry_forever(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    code = await paid_booking(pay_client, mp, "4721")
    mp.add_payment("4722", "approved", DEPOSIT, code)
    await notify(pay_client, "4722")
    mp.fail_refunds = 1  # the first attempt never gets there
    failed = await refund(pay_client, code, "r-never", 1_000_000)  # goes to 4721
    assert (failed.status_code, failed.json()["code"]) == (503, "provider_unavailable")
    await mp.refund_in_panel("4721", DEPOSIT)  # 4721 has nothing left now
    await notify(pay_client, "4721")
    retried = await refund(pay_client, code, "r-never", 1_000_000)
    # Mercado Pago answers 400 (nothing left on 4721): no refund made, and retrying the same
    # request cannot change that.
    assert (retried.status_code, retried.json()["code"]) == (409, "refund_not_made")
    assert "no refund was made" in retried.json()["detail"]
    assert list(mp.refunds) == []
    # A new request is judged afresh, not held back by the note of the refused key.
    other = await refund(pay_client, code, "r-new", 1_000_000)
    assert other.status_code == 201, other.text
    assert list(mp.refunds) == ["4722"]
    ledger = await ledger_of(pay_client, code)
    assert sorted(refunds(ledger)) == [("mp-refund", DEPOSIT), ("refund", 10_000.0)]


async def test_the_console_says_a_refused_refund_was_not_made_and_to_reload(
    pay_client: Client, mp: FakeMercadoPago, integrated_settings: Settings, clock: FixedClock
) -> None:
    code = await paid_booking(pay_client, mp, "4723")
    mp.add_payment("4724", "approved", DEPOSIT, code)
    await notify(pay_client, "4724")
    async with console_for(for_owners(integrated_settings), clock) as console:
        await console.member(OWNER, Role.OWNER)
        form = await money_form(console, code)
        sent = {**form, "devolver_monto": "10.000", "devolver_mp": "1", "devolver_nota": ""}
        path = f"/panel/reservas/{code}/devolver"
        mp.fail_refunds = 1
        first = await console.client.post(path, data=sent)
        assert "mandá este mismo formulario de nuevo" in first.text
        await mp.refund_in_panel("4723", DEPOSIT)
        await notify(pay_client, "4723")
        again = await console.client.post(path, data=sent)  # the same form, as told
        assert again.status_code == 400, again.text[:2000]
        assert "Mercado Pago rechazó esa devolución y no devolvió nada." in again.text
        assert "Recargá la página" in again.text
        assert "mandá este mismo formulario de nuevo" not in again.text
    assert list(mp.refunds) == []


async def test_a_refund_mercado_pago_has_not_approved_yet_is_recorded_by_its_notification(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    code = await paid_booking(pay_client, mp, "4725")
    mp.refund_status = "in_process"
    made = await refund(pay_client, code, "r-pending", 2_000_000)
    assert (made.status_code, made.json()["code"]) == (409, "refund_in_process")
    assert (await ledger_of(pay_client, code))["refunds"] == []  # not from the answer
    # Meanwhile a new key is held back: it could be the same money twice.
    other = await refund(pay_client, code, "r-other", 2_000_000)
    assert (other.status_code, other.json()["code"]) == (409, "refund_pending_at_provider")
    assert len(mp.refund_requests) == 1
    mp.approve_refunds("4725")
    await notify(pay_client, "4725")  # Mercado Pago approved it: recorded from its report
    ledger = await ledger_of(pay_client, code)
    assert refunds(ledger) == [("mp-refund", 20_000.0)]
    assert ledger["held_amount"] == DEPOSIT - 20_000
    assert sum(len(made) for made in mp.refunds.values()) == 1


async def test_a_refund_mercado_pago_rejects_is_not_made(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    code = await paid_booking(pay_client, mp, "4726")
    mp.refund_status = "rejected"
    made = await refund(pay_client, code, "r-rejected", 2_000_000)
    assert (made.status_code, made.json()["code"]) == (409, "refund_not_made")
    assert (await ledger_of(pay_client, code))["refunds"] == []
    mp.refund_status = "approved"
    other = await refund(pay_client, code, "r-after", 2_000_000)  # not held back
    assert other.status_code == 201, other.text
    assert refunds(await ledger_of(pay_client, code)) == [("refund", 20_000.0)]


async def test_the_form_sent_again_while_the_report_lags_records_the_refund_it_made(
    pay_client: Client, mp: FakeMercadoPago, integrated_settings: Settings, clock: FixedClock
) -> None:
    code = await paid_booking(pay_client, mp, "4727")
    mp.freeze_report("4727")
    async with console_for(for_owners(integrated_settings), clock) as console:
        await console.member(OWNER, Role.OWNER)
        form = await money_form(console, code)
        sent = {**form, "devolver_monto": "20.000", "devolver_mp": "1", "devolver_nota": ""}
        path = f"/panel/reservas/{code}/devolver"
        async with failing_refund_saves(integrated_settings):
            failed = await console.client.post(path, data=sent)
        assert failed.status_code >= 500
        again = await console.client.post(path, data=sent)  # Back, and the button again
        assert again.status_code == 303, again.text[:2000]
        page = (await console.client.get(again.headers["location"])).text
        # Not "ya estaba hecha" while the ledger still held the money: recorded now.
        assert "Esa devolución ya estaba hecha" not in page
        assert "La devolución quedó hecha y registrada." in page
        assert f"<dt>Devuelto</dt><dd>{PESO}20.000</dd>" in page
    mp.frozen_reports.clear()
    await notify(pay_client, "4727")
    ledger = await ledger_of(pay_client, code)
    assert refunds(ledger) == [("refund", 20_000.0)]
    assert len(mp.refunds["4727"]) == 1


async def test_the_console_says_to_wait_when_a_refund_it_asked_does_not_show_yet(
    pay_client: Client, mp: FakeMercadoPago, integrated_settings: Settings, clock: FixedClock
) -> None:
    code = await paid_booking(pay_client, mp, "4728")
    mp.freeze_report("4728")
    async with console_for(for_owners(integrated_settings), clock) as console:
        await console.member(OWNER, Role.OWNER)
        path = f"/panel/reservas/{code}/devolver"
        first = await money_form(console, code)
        sent = {**first, "devolver_monto": "20.000", "devolver_mp": "1", "devolver_nota": ""}
        async with failing_refund_saves(integrated_settings):
            failed = await console.client.post(path, data=sent)
        assert failed.status_code >= 500
        reloaded = await money_form(console, code)  # a new key
        assert reloaded["clave_devolucion"] != first["clave_devolucion"]
        sent = {**reloaded, "devolver_monto": "20.000", "devolver_mp": "1", "devolver_nota": ""}
        page = await console.client.post(path, data=sent)
        assert page.status_code == 400, page.text[:2000]
        assert (
            "Mercado Pago todavía no muestra una devolución que pediste hace un momento; esperá "
            "unos minutos y mirá la reserva antes de devolver otra vez."
        ) in page.text
    assert len(mp.refund_requests) == 1
