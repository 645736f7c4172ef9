"""A browser-like client for the console's HTTP tests, and its fixtures' parts."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import msgspec
from dishka import AsyncContainer, Provider, Scope
from litestar import Litestar
from litestar.testing import AsyncTestClient

from application.accounts.invitations import InviteUser
from application.ports.accounts import PasswordHasher
from application.ports.clock import Clock
from domain.accounts import Role
from entrypoints.container import make_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.unit.application.fakes import FixedClock

OWNER = "duena@cabanas.ar"
PASSWORD = "una frase larga y secreta"  # pragma: allowlist secret
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


class Console:
    """A browser-like client: keeps cookies, reads the CSRF token from each page's form."""

    def __init__(
        self, client: AsyncTestClient[Litestar], container: AsyncContainer, clock: FixedClock
    ) -> None:
        # ``container``: one of the test's own event loop (the client runs the app on another).
        self.client, self.container, self.clock = client, container, clock

    async def invite(self, email: str, role: Role = Role.OWNER) -> str:
        async with self.container() as request_container:
            use_case = await request_container.get(InviteUser)
            return await use_case(email, role, "tests")

    async def token(self, path: str) -> str:
        page = await self.client.get(path)
        found = CSRF.search(page.text)
        assert found, f"no form on {path}: {page.status_code} {page.text[:300]}"
        return found.group(1)

    async def post(self, path: str, data: dict[str, str], form_on: str | None = None):  # type: ignore[no-untyped-def]
        token = await self.token(form_on or path)
        return await self.client.post(path, data={**data, "_csrf_token": token})

    async def accept(self, token: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        path = f"/panel/invitacion/{token}"
        return await self.post(path, {"password": password, "password_repeat": password})

    async def sign_in(self, email: str, password: str = PASSWORD, nxt: str = ""):  # type: ignore[no-untyped-def]
        return await self.post(
            "/panel/ingresar", {"email": email, "password": password, "siguiente": nxt}
        )

    def use_session(self, cookie: str | None) -> None:
        """As if on the device holding that session cookie."""
        self.client.cookies.clear()
        self.client.cookies.set("cabanas_sesion", cookie or "", domain="testserver.local")

    async def member(self, email: str, role: Role) -> None:
        assert (await self.accept(await self.invite(email, role))).status_code == 303
        assert (await self.sign_in(email)).status_code == 303


def quick_hasher() -> PasswordHasher:
    """argon2id at its cheapest: these tests are about the console, not the hash's cost."""
    from argon2 import PasswordHasher as Argon2

    from adapters.security.passwords import Argon2Hasher

    return Argon2Hasher(Argon2(time_cost=1, memory_cost=1024, parallelism=1))


def forget_sign_in_failures(redis_url: str) -> None:
    """Redis is shared by the session's tests; each starts with no failed sign-ins counted."""
    import redis

    with redis.Redis.from_url(redis_url) as client:
        for key in client.scan_iter(match="signin:*"):
            client.delete(key)


@asynccontextmanager
async def console_for(console_settings: Settings, clock: FixedClock) -> AsyncIterator[Console]:
    """The app with these settings and the test's clock, and a client signed in to nothing."""
    assert console_settings.redis_url is not None
    forget_sign_in_failures(console_settings.redis_url)
    fixed = Provider(scope=Scope.APP)
    fixed.provide(lambda: clock, provides=Clock)
    fixed.provide(quick_hasher, provides=PasswordHasher)
    app = create_app(make_container(console_settings, fixed), console_settings)
    own = make_container(console_settings, fixed)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as c:
        c.follow_redirects = False  # the tests look at each redirect
        yield Console(c, own, clock)
    await own.close()


def for_owners(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, admin_allowed_emails=[OWNER])
