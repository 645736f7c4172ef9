"""A browser at the site's root or at a near miss of /reservar (what a guest types after seeing
the domain) lands on the booking page; another unknown address is a Spanish page linking
there. The API, and clients that do not ask for HTML, keep problem JSON."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ClientFactory

pytestmark = pytest.mark.db
BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


async def test_the_root_and_near_misses_redirect_a_browser_to_reservar(
    make_client: ClientFactory,
) -> None:
    async with make_client() as c:
        for path in ("/", "/reservas", "/reserva", "/r", "/Reservar", "/RESERVAS/"):
            r = await c.get(path, headers=BROWSER, follow_redirects=False)
            assert (r.status_code, r.headers.get("location")) == (302, "/reservar"), path
        sent = await c.get("/reservas?check_in=2027-01-08", headers=BROWSER, follow_redirects=False)
        assert sent.headers["location"] == "/reservar?check_in=2027-01-08"
        landed = await c.get("/", headers=BROWSER)
        assert landed.status_code == 200
        assert "Reservá tu cabaña" in landed.text


async def test_other_unknown_addresses_are_a_spanish_page_for_a_browser_only(
    make_client: ClientFactory,
) -> None:
    async with make_client() as c:
        page = await c.get("/contacto", headers=BROWSER)
        api = await c.get("/api/v1/nada", headers=BROWSER)
        script = await c.get("/")
        posted = await c.post("/", headers=BROWSER)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "No encontramos esa página" in page.text
    assert 'href="/reservar"' in page.text
    for r in (api, script):
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/problem+json"
    assert posted.status_code in (404, 405)
    assert posted.headers["content-type"] == "application/problem+json"
