"""A form opened before the CSRF secret changed (``make run`` restarted without JWT_SECRET draws
a new one; production rotates JWT_SECRET): sending it is refused with the Spanish page, and
reloading the page, as that page advises, gives a form that goes through — on the guest's
booking page and on the console alike. The browser keeps its cookies throughout."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.accounts import Role
from entrypoints.container import make_container
from entrypoints.http.app import create_app
from entrypoints.settings import Secret, Settings
from tests.e2e.console_client import OWNER, console_for
from tests.e2e.test_booking_page import GUEST, TOKENS
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db

# None: each app draws its own secret (``make run`` without JWT_SECRET, restarted).
SECRETS = pytest.mark.parametrize(
    ("before", "after"),
    [
        (None, None),
        ("first-Kx9#vQ2!mZ7&pL4^wR8*tY6@uI1", "second-Kx9#vQ2!mZ7&pL4^wR8*tY6@uI1"),
    ],
    ids=["restart-without-secret", "rotated-secret"],
)
CALENDAR_BLOCK = "/panel/calendario/bloquear"
NIGHTS = {"cabana": "2", "desde": "2026-12-10", "hasta": "2026-12-12", "motivo": "Pintura"}


def secret(value: str | None) -> Secret | None:
    return None if value is None else Secret(value)


@asynccontextmanager
async def app_client(settings: Settings) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = create_app(make_container(settings), settings)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as c:
        c.follow_redirects = False
        yield c


def same_browser(before: AsyncTestClient[Litestar], after: AsyncTestClient[Litestar]) -> None:
    for cookie in before.cookies.jar:
        after.cookies.jar.set_cookie(cookie)


@SECRETS
async def test_the_booking_form_works_again_once_reloaded(
    settings: Settings, before: str | None, after: str | None
) -> None:
    start = date.today() + timedelta(days=30)
    search = {
        "check_in": start.isoformat(),
        "check_out": (start + timedelta(days=3)).isoformat(),
        "guests": "2",
    }
    async with app_client(msgspec.structs.replace(settings, jwt_secret=secret(before))) as old:
        opened = await old.get("/reservar", params=search)
        assert opened.status_code == 200, opened.text[:500]
        stale = dict(TOKENS.findall(opened.text))
    async with app_client(msgspec.structs.replace(settings, jwt_secret=secret(after))) as new:
        same_browser(old, new)
        form = {**search, **GUEST, "accommodation_id": "1"}
        refused = await new.post("/reservar", data={**form, **stale})
        assert refused.status_code == 403
        assert "El formulario venció" in refused.text

        reloaded = await new.get("/reservar", params=search)
        assert reloaded.status_code == 200
        fresh = dict(TOKENS.findall(reloaded.text))
        assert fresh["_csrf_token"] != stale["_csrf_token"]
        booked = await new.post("/reservar", data={**form, **fresh})
        assert booked.status_code == 303, booked.text[:500]
        assert booked.headers["location"].startswith("/r/")


@SECRETS
async def test_a_console_form_works_again_once_reloaded(
    console_settings: Settings, clock: FixedClock, before: str | None, after: str | None
) -> None:
    first = msgspec.structs.replace(console_settings, jwt_secret=secret(before))
    async with console_for(first, clock) as old:
        await old.member(OWNER, Role.OWNER)
        stale = await old.token(CALENDAR_BLOCK)
    then = msgspec.structs.replace(console_settings, jwt_secret=secret(after))
    async with console_for(then, clock) as new:
        same_browser(old.client, new.client)
        refused = await new.client.post(CALENDAR_BLOCK, data={**NIGHTS, "_csrf_token": stale})
        assert refused.status_code == 403
        assert "No podés hacer esto" in refused.text
        assert "recargala" in refused.text

        fresh = await new.token(CALENDAR_BLOCK)  # the page reloaded
        assert fresh != stale
        made = await new.client.post(CALENDAR_BLOCK, data={**NIGHTS, "_csrf_token": fresh})
        assert made.status_code == 303, made.text[:2000]
