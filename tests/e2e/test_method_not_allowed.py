"""A method a route does not take: 405 naming the methods it does (RFC 9110 §15.5.6), HEAD
beside GET (every GET route answers HEAD, ``head.py``) — the API's problem JSON, the console's
and the guest pages' HTML pages alike; and /metrics on METRICS_PORT answering HEAD as its GET."""

from __future__ import annotations

import httpx
import pytest
from litestar.testing import AsyncTestClient

from entrypoints.container import make_container
from entrypoints.http.app import create_metrics_app
from entrypoints.settings import Settings
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


async def test_metrics_on_their_own_port_answer_head_as_their_get(settings: Settings) -> None:
    app = create_metrics_app(make_container(settings))
    async with AsyncTestClient(app=app) as c:
        got = await c.get("/metrics")
        head = await c.head("/metrics")
        refused = await c.post("/metrics")
    assert got.status_code == head.status_code == 200
    assert head.content == b""
    assert got.headers["content-type"].startswith("text/plain")
    assert "dependency_up" in got.text
    for header in ("content-type", "cache-control"):
        assert head.headers[header] == got.headers[header], header
    # The length the GET body had (the samples may move between the two scrapes).
    assert int(head.headers["content-length"]) > 0
    assert allowed(refused) >= {"GET", "HEAD"}
