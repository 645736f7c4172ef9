"""The direct-booking page, /reservar, through the real app: the cabins that fit with their
quote, the same hold as the API (one per form, however often it is sent), Mercado Pago's
checkout or the guest's page next, CSRF, and every refusal a Spanish page with the input kept."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from adapters.postgres.database import make_engine
from entrypoints.settings import Settings
from tests.e2e.conftest import ADMIN_EMAIL, JWT_SECRET, ClientFactory
from tests.e2e.test_admin import bearer
from tests.e2e.test_payments import Client, hold
from tests.fakes.providers import FakeMercadoPago
from tests.money_text import PESO

pytestmark = pytest.mark.db
ROOT = "http://testserver.local"
SEARCH = {"check_in": "2026-12-18", "check_out": "2026-12-21", "guests": "2"}
GUEST = {"name": "Juana Pérez", "phone": "+54 9 11 5555-1234", "email": "juana@example.com"}
TOKENS = re.compile(r'name="(_csrf_token|form_token)" value="([^"]+)"')


async def open_form(client: Client, search: dict[str, str] = SEARCH) -> tuple[str, dict[str, str]]:
    """The page with the search made, and the tokens of its booking form."""
    r = await client.get(f"{ROOT}/reservar", params=search)
    assert r.status_code == 200, r.text
    return r.text, dict(TOKENS.findall(r.text))


async def reservations(settings: Settings) -> int:
    assert settings.database_url is not None
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text("SELECT count(*) FROM reservations"))).scalar_one())
    finally:
        await engine.dispose()


async def test_the_page_lists_the_cabins_that_fit_with_their_quote(pay_client: Client) -> None:
    r = await pay_client.get(f"{ROOT}/reservar")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "form-action 'self' https://www.mercadopago.com.ar" in csp
    assert '<html lang="es-AR">' in r.text
    assert "Reservá tu cabaña" in r.text
    html, tokens = await open_form(pay_client, {**SEARCH, "guests": "4"})
    assert set(tokens) == {"_csrf_token", "form_token"}
    assert "Cabaña del Lago" in html
    assert f"{PESO}86.700" in html  # its deposit for those three nights
    assert "<dt>Total</dt>" in html
    assert "Cabaña del Bosque" not in html  # 2 people at most: not for 4 (tests/data seed)


async def test_a_double_submit_places_one_hold_and_goes_to_mercado_pago(
    pay_client: Client, mp: FakeMercadoPago, integrated_settings: Settings
) -> None:
    _, tokens = await open_form(pay_client)
    form = {**SEARCH, **GUEST, **tokens, "accommodation_id": "1"}
    first = await pay_client.post(f"{ROOT}/reservar", data=form, follow_redirects=False)
    again = await pay_client.post(f"{ROOT}/reservar", data=form, follow_redirects=False)
    assert first.status_code == again.status_code == 303, first.text
    assert first.headers["location"].startswith("https://www.mercadopago.com.ar/checkout/")
    assert again.headers["location"] == first.headers["location"]
    assert await reservations(integrated_settings) == 1
    assert len(mp.preferences) == 1
    [preference] = mp.preferences
    code = preference["external_reference"]
    assert preference["back_urls"]["success"] == f"https://cabanas.test/r/{code}"
    page = await pay_client.get(f"{ROOT}/r/{code}")
    assert "+549********34" in page.text  # the phone as typed, stored in E.164


async def test_without_payments_the_guest_lands_on_their_page(client: Client) -> None:
    _, tokens = await open_form(client)
    form = {**SEARCH, **GUEST, **tokens, "accommodation_id": "1"}
    r = await client.post(f"{ROOT}/reservar", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert re.fullmatch(r"/r/[0-9A-Z]{12}", r.headers["location"])
    page = await client.get(f"{ROOT}{r.headers['location']}")
    assert "Te guardamos las noches hasta el" in page.text


async def test_refusals_re_render_with_the_input_kept_and_the_problem_in_spanish(
    client: Client, settings: Settings
) -> None:
    _, tokens = await open_form(client)
    bad_phone = {**SEARCH, **GUEST, **tokens, "accommodation_id": "1", "phone": "1234"}
    r = await client.post(f"{ROOT}/reservar", data=bad_phone)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("text/html")
    assert "Al número le faltan 6 dígitos: un celular argentino tiene 10 dígitos" in r.text
    assert 'aria-invalid="true" aria-describedby="e-phone"' in r.text
    assert 'value="Juana Pérez"' in r.text
    assert 'value="juana@example.com"' in r.text
    assert re.search(r'value="1" required\s+checked', r.text)  # the cabin chosen, still chosen
    assert await reservations(settings) == 0

    past = await client.get(f"{ROOT}/reservar", params={**SEARCH, "check_in": "2026-11-01"})
    assert past.status_code == 422
    assert "Esa fecha de llegada ya pasó" in past.text
    assert 'value="2026-11-01"' in past.text
    crowd = await client.get(f"{ROOT}/reservar", params={**SEARCH, "guests": "15"})
    assert "Nuestras cabañas reciben hasta 6 personas" in crowd.text
    long = await client.get(f"{ROOT}/reservar", params={**SEARCH, "check_out": "2027-03-30"})
    assert "Online se reservan hasta" in long.text
    backwards = await client.get(f"{ROOT}/reservar", params={**SEARCH, "check_out": "2026-12-17"})
    assert "La salida tiene que ser al menos un día después" in backwards.text


async def test_nights_taken_meanwhile_are_named_and_the_input_kept(client: Client) -> None:
    _, tokens = await open_form(client)
    first = {**SEARCH, **GUEST, **tokens, "accommodation_id": "1"}
    assert (await client.post(f"{ROOT}/reservar", data=first)).status_code in (200, 303)
    client.cookies.clear()  # another guest, in another browser
    _, fresh = await open_form(client)
    other = {**first, **fresh, "name": "Ramiro Gómez", "phone": "+5491166667777"}
    r = await client.post(f"{ROOT}/reservar", data=other, follow_redirects=False)
    assert r.status_code == 409
    assert "Alguien reservó esas noches recién" in r.text
    assert 'value="Ramiro Gómez"' in r.text


async def test_the_last_cabin_taken_meanwhile_is_named_above_the_results(client: Client) -> None:
    party = {**SEARCH, "guests": "5"}  # only Los Alerces (6) takes five (tests/data seed)
    _, tokens = await open_form(client, party)
    await hold(client, accommodation_id=3, check_in=SEARCH["check_in"], guests=5)
    data = {**party, **GUEST, **tokens, "accommodation_id": "3"}
    r = await client.post(f"{ROOT}/reservar", data=data, follow_redirects=False)
    assert r.status_code == 409
    # No cabin left to offer, so no booking form and no cabin list to mark in red: the refusal
    # is the page's alert (focused), with what the search finds now.
    assert "Sin cabañas para esa búsqueda" in r.text
    assert (
        '<p class="alert" role="alert" tabindex="-1" autofocus>Alguien reservó esas noches'
        in r.text
    )
    assert '<p class="info" role="status">No hay cabañas libres para esas fechas.' in r.text
    assert 'value="2026-12-18"' in r.text  # the search as the guest made it
    assert 'value="5"' in r.text


async def test_a_form_without_its_csrf_token_is_refused_with_a_page(client: Client) -> None:
    await open_form(client)
    form = {**SEARCH, **GUEST, "accommodation_id": "1"}
    r = await client.post(f"{ROOT}/reservar", data=form)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("text/html")
    assert "El formulario venció" in r.text
    assert '<a class="button" href="/reservar">' in r.text


async def test_a_form_too_big_to_read_is_a_413_page_saying_so(
    client: Client, settings: Settings
) -> None:
    _, tokens = await open_form(client)
    huge = {**SEARCH, **GUEST, **tokens, "accommodation_id": "1", "name": "Juana " * 40_000}
    r = await client.post(f"{ROOT}/reservar", data=huge)
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("text/html")
    assert "El formulario es demasiado grande" in r.text
    assert "probá de nuevo" in r.text
    assert '<a class="button" href="/reservar">' in r.text
    assert "No pudimos abrir ese enlace" not in r.text
    assert await reservations(settings) == 0


async def test_a_method_the_page_does_not_take_is_a_405_page_linking_back(client: Client) -> None:
    r = await client.put(f"{ROOT}/reservar", data={"name": "Juana"})
    assert r.status_code == 405
    assert {"GET", "POST"} <= {m.strip() for m in r.headers["allow"].split(",")}
    assert r.headers["content-type"].startswith("text/html")
    assert "Esta página no acepta eso" in r.text
    assert '<a class="button" href="/reservar">' in r.text
    assert "No pudimos abrir ese enlace" not in r.text


async def test_a_form_that_cannot_be_read_is_a_page_about_the_form(
    client: Client, settings: Settings
) -> None:
    _, tokens = await open_form(client)
    # A multipart body cut short (its closing boundary never came).
    broken = (
        b'--cut\r\nContent-Disposition: form-data; name="_csrf_token"\r\n\r\n'
        + tokens["_csrf_token"].encode()
        + b'\r\n--cut\r\nContent-Disposition: form-data; name="name"\r\n\r\nJuana'
    )
    r = await client.post(
        f"{ROOT}/reservar",
        content=broken,
        headers={
            "content-type": "multipart/form-data; boundary=cut",
            "x-csrftoken": tokens["_csrf_token"],
        },
    )
    assert r.status_code == 400, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    assert "No pudimos leer el formulario" in r.text
    assert '<a class="button" href="/reservar">' in r.text
    assert "No pudimos abrir ese enlace" not in r.text
    assert await reservations(settings) == 0


async def test_the_hold_limit_is_a_page_naming_it(make_client: ClientFactory) -> None:
    start = date.today() + timedelta(days=20)
    async with make_client(max_live_holds_per_phone=1) as c:
        answers = []
        for offset in (0, 5):
            search = {
                "check_in": (start + timedelta(days=offset)).isoformat(),
                "check_out": (start + timedelta(days=offset + 2)).isoformat(),
                "guests": "2",
            }
            _, tokens = await open_form(c, search)
            form = {**search, **GUEST, **tokens, "accommodation_id": "1"}
            answers.append(await c.post("/reservar", data=form, follow_redirects=False))
    assert answers[0].status_code == 303, answers[0].text
    assert answers[1].status_code == 429
    assert "Ya tenés 1 reserva sin pagar con este celular" in answers[1].text
    assert re.search(r"la primera vence en \d+ minutos", answers[1].text)
    assert 'value="Juana Pérez"' in answers[1].text


RADIOS = re.compile(r'<input type="radio"[^>]*value="(\d+)"[^>]*>')


async def test_back_after_booking_names_the_hold_and_books_no_cabin_the_guest_did_not_choose(
    client: Client, settings: Settings
) -> None:
    """The guest books, goes Back (the page is fetched again) and presses the button again:
    their hold is named with its link, no cabin is ticked for them, and the same phone gets no
    second hold unless the guest says they want another cabin."""
    html, tokens = await open_form(client)
    cabins = RADIOS.findall(html)
    assert len(cabins) >= 2, html
    first = {**SEARCH, **GUEST, **tokens, "accommodation_id": cabins[0]}
    booked = await client.post(f"{ROOT}/reservar", data=first, follow_redirects=False)
    assert booked.status_code == 303, booked.text
    page = booked.headers["location"]

    back, fresh = await open_form(client)
    assert "Ya tenés una reserva para esas fechas" in back
    assert f'href="{page}"' in back
    assert '<form method="post" action="/reservar" autocomplete="off">' in back
    assert all('autocomplete="off"' in m.group(0) for m in RADIOS.finditer(back))
    assert not re.search(r'type="radio"[^>]*checked', back)

    # What the browser's restoration used to send: another cabin, the same guest.
    other = {**first, **fresh, "accommodation_id": RADIOS.findall(back)[0]}
    again = await client.post(f"{ROOT}/reservar", data=other, follow_redirects=False)
    assert again.status_code == 409, again.text
    assert "Ya tenés una reserva para esas fechas" in again.text
    assert f'href="{page}"' in again.text
    assert 'id="e-another"' in again.text
    assert 'value="Juana Pérez"' in again.text
    assert await reservations(settings) == 1

    _, last = await open_form(client)
    meant = {**other, **last, "another": "1"}
    second = await client.post(f"{ROOT}/reservar", data=meant, follow_redirects=False)
    assert second.status_code == 303, second.text
    assert await reservations(settings) == 2


async def test_a_single_cabin_that_fits_is_not_ticked_for_the_guest(client: Client) -> None:
    party = {**SEARCH, "guests": "5"}  # only Los Alerces (6) takes five (tests/data seed)
    html, _ = await open_form(client, party)
    assert RADIOS.findall(html) == ["3"]
    assert not re.search(r'type="radio"[^>]*checked', html)
    chosen = await client.get(f"{ROOT}/reservar", params={**party, "accommodation_id": "3"})
    assert re.search(r'type="radio"[^>]*value="3" required\s+checked', chosen.text)


async def test_a_stranger_who_types_a_guests_phone_learns_nothing_of_their_booking(
    client: Client, settings: Settings
) -> None:
    """Only what this browser booked is named: anyone may type a phone, and a reservation's
    code opens its page (the guest's name, stay and money)."""
    _, tokens = await open_form(client)
    form = {**SEARCH, **GUEST, **tokens, "accommodation_id": "1"}
    booked = await client.post(f"{ROOT}/reservar", data=form, follow_redirects=False)
    assert booked.status_code == 303, booked.text
    page = booked.headers["location"]
    client.cookies.clear()  # another browser: the stranger's
    html, fresh = await open_form(client)
    assert "Ya tenés una reserva" not in html
    same_phone = {**form, **fresh, "accommodation_id": RADIOS.findall(html)[0]}
    same_phone["name"] = "Ramiro Gómez"
    r = await client.post(f"{ROOT}/reservar", data=same_phone, follow_redirects=False)
    assert r.status_code != 409, r.text
    assert page not in r.text
    assert page not in r.headers.get("location", "")
    assert "Ya tenés una reserva" not in r.text


async def test_the_address_limit_does_not_blame_a_new_guest(make_client: ClientFactory) -> None:
    # One Wi-Fi (or a carrier's NAT), two people: the second has no holds of their own (M5).
    start = date.today() + timedelta(days=20)
    async with make_client(max_live_holds_per_client=1) as c:
        answers = []
        for offset, number in ((0, GUEST["phone"]), (5, "+54 9 11 4444-0002")):
            search = {
                "check_in": (start + timedelta(days=offset)).isoformat(),
                "check_out": (start + timedelta(days=offset + 2)).isoformat(),
                "guests": "2",
            }
            _, tokens = await open_form(c, search)
            form = {**search, **GUEST, **tokens, "accommodation_id": "1", "phone": number}
            answers.append(await c.post("/reservar", data=form, follow_redirects=False))
    assert answers[0].status_code == 303, answers[0].text
    assert answers[1].status_code == 429
    assert "Ya tenés" not in answers[1].text
    assert "Desde esta conexión ya se hicieron varias reservas sin pagar" in answers[1].text


async def test_a_stay_too_short_names_the_minimum_not_a_full_house(client: Client) -> None:
    # Lago and Los Alerces take 4 but need 2 nights; Bosque takes 2 people (tests/data seed).
    one = await client.get(
        f"{ROOT}/reservar", params={**SEARCH, "check_out": "2026-12-19", "guests": "4"}
    )
    assert one.status_code == 422
    assert "La estadía mínima es de 2 noches" in one.text
    assert "No hay cabañas libres" not in one.text


async def test_a_stay_longer_than_a_hold_is_refused_at_search_with_a_whatsapp_link(
    make_client: ClientFactory,
) -> None:
    start = date.today() + timedelta(days=20)
    search = {
        "check_in": start.isoformat(),
        "check_out": (start + timedelta(days=16)).isoformat(),
        "guests": "2",
    }
    async with make_client(max_hold_nights=14, admin_whatsapp_number="+54 9 294 400-0000") as c:
        r = await c.get("/reservar", params=search)
        fits = await c.get(
            "/reservar", params={**search, "check_out": (start + timedelta(days=14)).isoformat()}
        )
    assert r.status_code == 422
    assert "Online se reservan hasta 14 noches" in r.text
    assert "Reservar y pagar la seña" not in r.text  # no quote to fill in and be refused
    assert 'href="https://wa.me/5492944000000?text=' in r.text
    assert fits.status_code == 200
    assert "Reservar y pagar la seña" in fits.text


async def test_each_cabin_shows_its_cancellation_terms_before_paying(pay_client: Client) -> None:
    tiers = {
        "cancellation_tiers": [
            {"min_days_before": 30, "percent": 100, "outcome": "refund"},
            {"min_days_before": 7, "percent": 50, "outcome": "credit", "credit_valid_days": 180},
        ]
    }
    owner = bearer(ADMIN_EMAIL, secret=JWT_SECRET)
    r = await pay_client.put("/admin/accommodations/1/prices", json=tiers, headers=owner)
    assert r.status_code == 200, r.text
    html, _ = await open_form(pay_client, {**SEARCH, "guests": "4"})
    lake = html[html.index("Cabaña del Lago") : html.index("Cabaña Familiar Los Alerces")]
    assert "Si cancelás:" in lake
    assert (
        "<li>Con 30 días o más de anticipación: te devolvemos el 100 % de lo pagado.</li>" in lake
    )
    assert (
        "<li>Entre 7 y 29 días antes de la llegada: te queda un crédito del 50 % de lo pagado "
        "para usar en otra reserva dentro de 180 días.</li>" in lake
    )
    assert "<li>Con menos de 7 días de anticipación: no hay devolución.</li>" in lake
    # A cabin without a policy promises nothing: the guest is told to ask.
    alerces = html[html.index("Cabaña Familiar Los Alerces") :]
    assert "no tiene condiciones de cancelación cargadas" in alerces
    assert html.index("Si cancelás:") < html.index("Reservar y pagar la seña")


@pytest.mark.parametrize(
    ("typed", "masked"),
    [("011 15 4444-5555", "+549********55"), ("5491122220005", "+549********05")],
)
async def test_a_mobile_written_the_argentine_way_books_and_is_stored_in_e164(
    client: Client, typed: str, masked: str
) -> None:
    _, tokens = await open_form(client)
    form = {**SEARCH, **GUEST, **tokens, "accommodation_id": "1", "phone": typed}
    r = await client.post(f"{ROOT}/reservar", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    code = r.headers["location"].removeprefix("/r/")
    stored = (await client.get(f"/reservations/{code}")).json()["guest"]["phone"]
    assert stored == masked  # +54 9, the area code without 0, the number without 15


async def test_a_number_one_digit_short_is_refused_saying_so(
    client: Client, settings: Settings
) -> None:
    _, tokens = await open_form(client)
    short = {**SEARCH, **GUEST, **tokens, "accommodation_id": "1", "phone": "+54 9 11 2222 010"}
    r = await client.post(f"{ROOT}/reservar", data=short)
    assert r.status_code == 422
    assert "Al número le falta 1 dígito" in r.text
    assert 'value="+54 9 11 2222 010"' in r.text
    assert await reservations(settings) == 0


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("J", "Escribí también tu apellido"),
        ("Juan 123", "Escribí tu nombre y apellido solo con letras"),
        ("Juan P.", "no solo las iniciales"),
    ],
)
async def test_a_name_that_is_no_first_name_and_surname_is_refused(
    client: Client, settings: Settings, name: str, problem: str
) -> None:
    _, tokens = await open_form(client)
    form = {**SEARCH, **GUEST, **tokens, "accommodation_id": "1", "name": name}
    r = await client.post(f"{ROOT}/reservar", data=form)
    assert r.status_code == 422
    assert problem in r.text
    assert 'aria-invalid="true" aria-describedby="e-name"' in r.text
    assert f'value="{name}"' in r.text
    assert await reservations(settings) == 0


async def test_the_form_says_how_long_the_nights_are_kept(make_client: ClientFactory) -> None:
    async with make_client(hold_minutes=45) as c:
        html, _ = await open_form(
            c, {**SEARCH, "check_in": "2027-03-05", "check_out": "2027-03-08"}
        )
    assert "Te guardamos las noches 45 minutos para que pagues la seña" in html
    assert "un rato" not in html


async def test_a_date_to_change_is_named_beside_it_without_an_empty_results_heading(
    client: Client,
) -> None:
    past = await client.get(f"{ROOT}/reservar", params={**SEARCH, "check_in": "2026-11-01"})
    assert past.status_code == 422
    assert "Esa fecha de llegada ya pasó" in past.text
    assert "Sin cabañas para esa búsqueda" not in past.text
    assert 'id="resultados"' not in past.text


async def test_nothing_free_is_a_notice_not_an_error(client: Client) -> None:
    party = {**SEARCH, "guests": "5"}  # only Los Alerces (6) takes five (tests/data seed)
    await hold(client, accommodation_id=3, check_in=SEARCH["check_in"], guests=5)
    r = await client.get(f"{ROOT}/reservar", params=party)
    assert r.status_code == 200
    assert "Sin cabañas para esa búsqueda" in r.text
    assert '<p class="info" role="status">No hay cabañas libres para esas fechas.' in r.text
    assert 'class="alert"' not in r.text
    assert 'aria-invalid="true"' not in r.text


async def test_the_date_pickers_start_at_the_apps_today(client: Client) -> None:
    # The app's clock (tests/e2e/conftest.py NOW): Tuesday 2026-12-01 in Argentina.
    empty = await client.get(f"{ROOT}/reservar")
    assert re.search(
        r'id="f-check_in" name="check_in" type="date" value=""\s+min="2026-12-01"', empty.text
    )
    assert re.search(r'id="f-check_out"[^>]*min="2026-12-02"', empty.text)
    html, _ = await open_form(client)  # arriving 2026-12-18
    assert re.search(r'id="f-check_in"[^>]*min="2026-12-01"', html)
    assert re.search(r'id="f-check_out"[^>]*min="2026-12-19"', html)


async def test_a_party_larger_than_any_cabin_is_told_the_most_and_how_to_go_on(
    make_client: ClientFactory,
) -> None:
    start = date.today() + timedelta(days=40)
    search = {
        "check_in": start.isoformat(),
        "check_out": (start + timedelta(days=3)).isoformat(),
        "guests": "9",
    }
    async with make_client(admin_whatsapp_number="+54 9 294 400-0000") as c:
        r = await c.get("/reservar", params=search)
    assert r.status_code == 422
    assert (
        "Nuestras cabañas reciben hasta 6 personas. Para 9, escribinos por WhatsApp y vemos "
        "cómo alojarlos, o reservá dos cabañas" in r.text
    )
    assert 'aria-invalid="true" aria-describedby="e-guests"' in r.text
    assert 'href="https://wa.me/5492944000000?text=' in r.text
    assert "para%209%20personas" in r.text


@pytest.mark.parametrize(
    ("field", "written", "said"),
    [
        (
            "name",
            "Juana " + "Pérez" * 80,
            "Puede tener hasta 200 caracteres (tiene 406): acortalo.",
        ),
        ("email", "j" * 320 + "@example.com", "Puede tener hasta 320 caracteres (tiene 332)"),
    ],
)
async def test_a_field_longer_than_kept_is_refused_as_written_not_cut(
    client: Client, settings: Settings, field: str, written: str, said: str
) -> None:
    _, tokens = await open_form(client)
    form = {**SEARCH, **GUEST, **tokens, "accommodation_id": "1", field: written}
    r = await client.post(f"{ROOT}/reservar", data=form)
    assert r.status_code == 422, r.text[:500]
    assert said in r.text
    assert f'value="{written}"' in r.text  # shown back whole, to shorten
    assert await reservations(settings) == 0
