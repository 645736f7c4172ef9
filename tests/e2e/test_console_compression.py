"""Pages go out compressed to a browser that accepts it; the JSON API never does."""

from __future__ import annotations

import gzip

import pytest

from domain.accounts import Role
from tests.e2e.console_client import OWNER, Console

pytestmark = pytest.mark.db


async def test_html_pages_are_gzipped_and_json_is_not(console: Console) -> None:
    await console.member(OWNER, Role.OWNER)
    accept = {"Accept-Encoding": "gzip, deflate, br"}
    calendar = await console.client.get("/panel/calendario?dias=60", headers=accept)
    assert calendar.status_code == 200
    assert calendar.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in calendar.headers["vary"].lower()
    assert 'class="cal"' in calendar.text  # httpx inflated it
    raw = int(calendar.headers["content-length"])
    assert raw < len(gzip.compress(calendar.content, 1)) * 2  # it really is the gzip body
    plain = await console.client.get("/panel/calendario?dias=60", headers={"Accept-Encoding": ""})
    assert "content-encoding" not in plain.headers
    assert plain.text == calendar.text

    api = await console.client.get("/api/v1/docs/openapi.json", headers=accept)
    assert api.status_code == 200
    assert len(api.content) > 1024  # big enough to be compressed, if it were HTML
    assert "content-encoding" not in api.headers
    css = await console.client.get("/panel/static/console.css", headers=accept)
    assert "content-encoding" not in css.headers
    # The guests' booking page is compressed too (its router carries the middleware, as the
    # console's does); the API's routes do not pass through it at all.
    page = await console.client.get("/reservar", headers=accept)
    assert page.status_code == 200
    assert page.headers["content-encoding"] == "gzip"
    assert "<form" in page.text
