"""Before a refund through Mercado Pago, the payment is fetched: a refund Mercado Pago made that
the ledger does not count yet (our save of it failed, or it was made in Mercado Pago's panel,
and its notification has not come) is recorded and stops the new one — a request with a new
key would otherwise be a second real refund. The same request retried still gets its own."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.accounts import Role
from entrypoints.settings import Settings
from tests.e2e.console_client import OWNER, Console, console_for, for_owners
from tests.e2e.test_console_reservations import money_form
from tests.e2e.test_ledger import admin
from tests.e2e.test_payments import DEPOSIT, notify
from tests.e2e.test_refunds import paid_booking, refund
from tests.e2e.test_refunds_interrupted import failing_refund_saves, ledger_of, lost_save, refunds
from tests.fakes.providers import FakeMercadoPago
from tests.money_text import PESO
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]
FOUND_30_000 = (
    f"Mercado Pago ya tenía una devolución de {PESO}30.000 que no estaba anotada: la anotamos y "
    "no devolvimos nada más. Si esa era la devolución que querías hacer, ya está hecha. Escribí "
    "el monto de nuevo solo si hay que devolver más."
)


async def test_a_new_key_after_a_lost_save_records_the_refund_instead_of_making_another(
    pay_client: Client, mp: FakeMercadoPago, integrated_settings: Settings
) -> None:
    code = await paid_booking(pay_client, mp, "4801")
    await lost_save(pay_client, mp, integrated_settings, code, "r-first", 3_000_000)
    # The page reloaded (a new key), the same 30.000 asked again before the notification.
    again = await refund(pay_client, code, "r-reloaded", 3_000_000)
    assert again.status_code == 409, again.text
    problem = again.json()
    assert (problem["code"], problem["found_amount_cents"]) == (
        "unrecorded_refund_found",
        3_000_000,
    )
    assert "already reports 30000.00 ARS refunded of payment 4801" in problem["detail"]
    assert len(mp.refund_requests) == 1  # one refund asked of Mercado Pago, not two
    assert len(mp.refunds["4801"]) == 1
    ledger = await ledger_of(pay_client, code)
    assert refunds(ledger) == [("mp-refund", 30_000.0)]
    assert ledger["held_amount"] == DEPOSIT - 30_000
    await notify(pay_client, "4801")  # the notification, late: nothing new
    first = await refund(pay_client, code, "r-first", 3_000_000)  # the first form, resent
    assert first.status_code == 200, first.text
    assert first.headers.get("idempotent-replayed") == "true"
    ledger = await ledger_of(pay_client, code)
    assert refunds(ledger) == [("mp-refund", 30_000.0)]
    assert ledger["returned_amount"] == 30_000.0
    assert len(mp.refund_requests) == 1


async def test_an_ordinary_refund_fetches_the_payment_before_and_after(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    code = await paid_booking(pay_client, mp, "4802")
    fetched = mp.fetches["4802"]
    made = await refund(pay_client, code, "r-plain", 1_000_000)
    assert made.status_code == 201, made.text
    assert mp.fetches["4802"] == fetched + 2
    assert len(mp.refund_requests) == 1
    assert refunds(await ledger_of(pay_client, code)) == [("refund", 10_000.0)]


async def test_a_failed_fetch_before_the_refund_asks_mercadopago_nothing(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    code = await paid_booking(pay_client, mp, "4803")
    mp.fail_fetches = 1
    failed = await refund(pay_client, code, "r-fetch", 1_000_000)
    assert (failed.status_code, failed.json()["code"]) == (503, "provider_unavailable")
    assert mp.refund_requests == []
    assert (await ledger_of(pay_client, code))["refunds"] == []
    retried = await refund(pay_client, code, "r-fetch", 1_000_000)
    assert retried.status_code == 201, retried.text
    assert len(mp.refund_requests) == 1


async def test_a_panel_refund_on_the_bookings_other_payment_stops_the_refund_too(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    code = await paid_booking(pay_client, mp, "4807")
    mp.add_payment("4808", "approved", DEPOSIT, code)  # a second deposit, to give back
    await notify(pay_client, "4808")
    await mp.refund_in_panel("4808", 30_000.0)  # its notification is still on its way
    refused = await refund(pay_client, code, "r-other", 1_000_000)  # from 4807
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert (problem["code"], problem["found_amount_cents"]) == (
        "unrecorded_refund_found",
        3_000_000,
    )
    assert "30000.00 ARS refunded of payment 4808" in problem["detail"]
    assert mp.refund_requests == []
    assert refunds(await ledger_of(pay_client, code)) == [("mp-refund", 30_000.0)]
    await notify(pay_client, "4808")  # the notification, late: nothing new
    again = await refund(pay_client, code, "r-other-again", 1_000_000)
    assert again.status_code == 201, again.text
    assert [body for _, body in mp.refund_requests] == [{"amount": 10_000.0}]
    assert refunds(await ledger_of(pay_client, code)) == [
        ("mp-refund", 30_000.0),
        ("refund", 10_000.0),
    ]


def devolver(form: dict[str, str], amount: str) -> dict[str, str]:
    return {**form, "devolver_monto": amount, "devolver_mp": "1", "devolver_nota": ""}


async def refused_on_the_page(
    console: Console, code: str, sent: dict[str, str], *, found: bool = False
) -> str:
    """The Devolver form refused: the page again, with what was typed kept — but the amount
    when Mercado Pago already had an unrecorded refund (``found``): that may be the very
    refund meant, and one more tap must not make it twice. The Mercado Pago box stays."""
    answer = await console.client.post(f"/panel/reservas/{code}/devolver", data=sent)
    assert answer.status_code == 400, answer.text[:2000]
    page = answer.text
    amount = "" if found else sent["devolver_monto"]
    assert f'name="devolver_monto" type="text" value="{amount}"' in page
    assert 'name="devolver_mp" type="checkbox" value="1" checked' in page
    return page


async def test_the_console_says_what_it_found_when_the_page_was_reloaded_after_an_error(
    pay_client: Client, mp: FakeMercadoPago, integrated_settings: Settings, clock: FixedClock
) -> None:
    code = await paid_booking(pay_client, mp, "4804")
    async with console_for(for_owners(integrated_settings), clock) as console:
        await console.member(OWNER, Role.OWNER)
        first = devolver(await money_form(console, code), "30.000")
        async with failing_refund_saves(integrated_settings):
            failed = await console.client.post(f"/panel/reservas/{code}/devolver", data=first)
        assert failed.status_code >= 500
        reloaded = devolver(await money_form(console, code), "30.000")  # a new key
        assert reloaded["clave_devolucion"] != first["clave_devolucion"]
        page = await refused_on_the_page(console, code, reloaded, found=True)
        assert FOUND_30_000 in page
        assert f"<dt>Devuelto</dt><dd>{PESO}30.000</dd>" in page
    assert len(mp.refund_requests) == 1
    assert refunds(await ledger_of(pay_client, code)) == [("mp-refund", 30_000.0)]


async def test_a_panel_refund_not_yet_notified_stops_the_consoles_refund(
    pay_client: Client, mp: FakeMercadoPago, integrated_settings: Settings, clock: FixedClock
) -> None:
    code = await paid_booking(pay_client, mp, "4805")
    await mp.refund_in_panel("4805", 30_000.0)  # its notification is still on its way
    async with console_for(for_owners(integrated_settings), clock) as console:
        await console.member(OWNER, Role.OWNER)
        sent = devolver(await money_form(console, code), "30.000")
        page = await refused_on_the_page(console, code, sent, found=True)
        assert FOUND_30_000 in page
        assert f"<dt>Devuelto</dt><dd>{PESO}30.000</dd>" in page
        # One more tap on the form as it came back gives nothing back: its amount is empty.
        tapped = await console.client.post(
            f"/panel/reservas/{code}/devolver", data={**sent, "devolver_monto": ""}
        )
        assert tapped.status_code == 400, tapped.text[:2000]
        assert "Escribí el monto en pesos" in tapped.text
    assert mp.refund_requests == []
    await notify(pay_client, "4805")
    ledger = await ledger_of(pay_client, code)
    assert refunds(ledger) == [("mp-refund", 30_000.0)]
    assert ledger["held_amount"] == DEPOSIT - 30_000


async def test_a_refund_on_a_payment_in_mediation_is_not_said_to_be_flagged(
    pay_client: Client, mp: FakeMercadoPago, integrated_settings: Settings, clock: FixedClock
) -> None:
    """Its refunds are not recorded while it is in mediation, and nothing is flagged: the page
    says so (not "quedó marcada en Pagos"), and the refund is recorded once it is approved."""
    code = await paid_booking(pay_client, mp, "4809")
    mp.payments["4809"].update(status="in_mediation", transaction_amount_refunded=30_000.0)
    async with console_for(for_owners(integrated_settings), clock) as console:
        await console.member(OWNER, Role.OWNER)
        page = await refused_on_the_page(
            console, code, devolver(await money_form(console, code), "10.000"), found=True
        )
        assert f"Mercado Pago ya tenía una devolución de {PESO}30.000" in page
        assert "en un pago que está en mediación, así que no la anotamos" in page
        assert "se anota sola cuando se cierre la mediación" in page
        assert "marcada en Pagos" not in page
    assert mp.refund_requests == []
    [payment] = (
        await pay_client.get(f"/admin/payments?reservation={code}", headers=admin())
    ).json()
    assert (payment["status"], payment["attention"]) == ("in_mediation", None)
    assert refunds(await ledger_of(pay_client, code)) == []
    mp.payments["4809"]["status"] = "approved"  # the mediation closed in the seller's favour
    await notify(pay_client, "4809")
    assert refunds(await ledger_of(pay_client, code)) == [("mp-refund", 30_000.0)]


async def test_the_console_never_says_nothing_went_back_when_mercado_pago_did_not_answer(
    pay_client: Client, mp: FakeMercadoPago, integrated_settings: Settings, clock: FixedClock
) -> None:
    """Mercado Pago not answering may come after it made the refund (an answer lost on the
    way): the owner is told it is unknown and to send the same form again, never "no se
    devolvió nada" (which invites a second refund by hand)."""
    code = await paid_booking(pay_client, mp, "4806")
    async with console_for(for_owners(integrated_settings), clock) as console:
        await console.member(OWNER, Role.OWNER)
        sent = devolver(await money_form(console, code), "30.000")
        mp.fail_fetches = 1
        page = await refused_on_the_page(console, code, sent)
        assert "no sabemos si la devolución se hizo" in page
        assert "mandá este mismo formulario de nuevo" in page
        assert "no se devolvió nada" not in page
        assert f'value="{sent["clave_devolucion"]}"' in page  # the same key, to send again
        again = await console.client.post(f"/panel/reservas/{code}/devolver", data=sent)
        assert again.status_code == 303, again.text[:2000]
    assert len(mp.refund_requests) == 1
    assert refunds(await ledger_of(pay_client, code)) == [("refund", 30_000.0)]


async def test_refunds_found_on_two_payments_are_each_said_with_what_became_of_them(
    pay_client: Client, mp: FakeMercadoPago, integrated_settings: Settings, clock: FixedClock
) -> None:
    code = await paid_booking(pay_client, mp, "4911")
    mp.add_payment("4912", "approved", DEPOSIT, code)
    await notify(pay_client, "4912")
    await mp.refund_in_panel("4911", 10_000.0)  # its notification is still on its way
    mp.payments["4912"].update(status="in_mediation", transaction_amount_refunded=20_000.0)
    async with console_for(for_owners(integrated_settings), clock) as console:
        await console.member(OWNER, Role.OWNER)
        page = await refused_on_the_page(
            console, code, devolver(await money_form(console, code), "5.000"), found=True
        )
    assert (
        "Mercado Pago ya tenía devoluciones que no estaban anotadas: "
        f"{PESO}10.000 en el pago 4911 (la anotamos); "
        f"{PESO}20.000 en el pago 4912, que está en mediación (se anota cuando se cierre). "
        "No devolvimos nada más."
    ) in page
    assert "una devolución de" not in page
    assert mp.refund_requests == []
    assert refunds(await ledger_of(pay_client, code)) == [("mp-refund", 10_000.0)]


async def test_the_refusal_says_how_much_of_what_was_found_is_recorded(
    pay_client: Client, mp: FakeMercadoPago
) -> None:
    code = await paid_booking(pay_client, mp, "4913")
    mp.add_payment("4914", "approved", DEPOSIT, code)
    await notify(pay_client, "4914")
    await mp.refund_in_panel("4913", 10_000.0)
    mp.payments["4914"].update(status="in_mediation", transaction_amount_refunded=20_000.0)
    refused = await refund(pay_client, code, "r-two", 500_000)
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert (problem["found_amount_cents"], problem["recorded_amount_cents"]) == (
        3_000_000,
        1_000_000,
    )


async def test_a_refund_on_a_charged_back_payment_says_it_has_a_chargeback(
    pay_client: Client, mp: FakeMercadoPago, integrated_settings: Settings, clock: FixedClock
) -> None:
    code = await paid_booking(pay_client, mp, "4915")
    mp.payments["4915"].update(status="charged_back", transaction_amount_refunded=30_000.0)
    async with console_for(for_owners(integrated_settings), clock) as console:
        await console.member(OWNER, Role.OWNER)
        page = await refused_on_the_page(
            console, code, devolver(await money_form(console, code), "10.000"), found=True
        )
    assert f"Mercado Pago ya tenía una devolución de {PESO}30.000" in page
    assert "está en un pago que tiene un contracargo, así que no la anotamos" in page
    assert "revisalo en Pagos" in page
    assert "vuelve a quedar aprobado" not in page
    assert mp.refund_requests == []
    assert refunds(await ledger_of(pay_client, code)) == []


async def test_a_payment_mercado_pago_does_not_find_stops_the_refund_and_says_so(
    pay_client: Client, mp: FakeMercadoPago, integrated_settings: Settings, clock: FixedClock
) -> None:
    code = await paid_booking(pay_client, mp, "4810")
    # Another account's payment, or one Mercado Pago no longer has: GET answers 404.
    mp.payments.pop("4810")
    refused = await refund(pay_client, code, "r-unknown", 1_000_000)
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["code"] == "payment_not_found_at_provider"
    assert "does not find payment 4810" in problem["detail"]
    # Not "retry later": the same request again is refused the same way, asking nothing.
    again = await refund(pay_client, code, "r-unknown", 1_000_000)
    assert (again.status_code, again.json()["code"]) == (409, "payment_not_found_at_provider")
    async with console_for(for_owners(integrated_settings), clock) as console:
        await console.member(OWNER, Role.OWNER)
        page = await refused_on_the_page(
            console, code, devolver(await money_form(console, code), "10.000")
        )
        assert "Mercado Pago no encuentra el pago 4810 de esta reserva" in page
        assert "no devolvimos nada" in page
    assert mp.refund_requests == []
    assert (await ledger_of(pay_client, code))["refunds"] == []
    # Given back by hand instead, and recorded as such.
    by_hand = await refund(pay_client, code, "r-by-hand", 1_000_000, mercadopago=False)
    assert by_hand.status_code == 201, by_hand.text
