"""A method a route does not take: 405 naming the methods it does (RFC 9110 §15.5.6), HEAD
beside GET (every GET route answers HEAD, ``head.py``) — the API's problem JSON, the console's
and the guest pages' HTML pages alike."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import ClientFactory

pytestmark = pytest.mark.db


def allowed(response: httpx.Response) -> set[str]:
    assert response.status_code == 405, (response.request.url, response.status_code)
    return {m.strip() for m in response.headers["allow"].split(",")}


async def test_the_console_and_guest_pages_405_pages_name_the_methods_allowed(
    make_client: ClientFactory,
) -> None:
    async with make_client() as c:
        api = await c.delete("/api/v1/accommodations")
        pages = {
            "/panel/": await c.delete("/panel/"),
            "/panel/ingresar": await c.put("/panel/ingresar"),
            "/r/{code}": await c.delete("/r/0000000000AA"),
            "/reservar": await c.put("/reservar"),
            "/panel/static": await c.post("/panel/static/console.css"),
        }
        post_only = await c.get("/panel/salir")
        head_post_only = await c.head("/panel/salir")
    assert {"GET", "HEAD"} <= allowed(api)
    for where, page in pages.items():
        assert page.headers["content-type"] == "text/html; charset=utf-8", where
        assert {"GET", "HEAD"} <= allowed(page), where
    assert "POST" in allowed(pages["/panel/ingresar"])  # the sign-in form
    assert "POST" in allowed(pages["/reservar"])  # the booking form
    assert "No pudimos abrir ese enlace" in pages["/r/{code}"].text  # the guest's own page
    for refused in (post_only, head_post_only):  # sign out takes only POST
        assert "POST" in allowed(refused)
        assert not {"GET", "HEAD"} & allowed(refused)
    assert head_post_only.content == b""
