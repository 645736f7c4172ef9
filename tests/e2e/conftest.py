from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime

import msgspec
import pytest
from dishka import AsyncContainer, Provider, Scope
from litestar import Litestar
from litestar.testing import AsyncTestClient

from adapters.postgres.database import make_engine
from adapters.postgres.seed import seed_if_empty
from application.ports.clock import Clock
from entrypoints.container import make_container
from entrypoints.http.app import create_app
from entrypoints.settings import Secret, Settings
from tests.e2e.console_client import Console, console_for, for_owners
from tests.e2e.servers import GENEROUS_HEALTH
from tests.fakes.calendars import FakeCalendarHost
from tests.fakes.providers import MP_TOKEN, WA_TOKEN, FakeMercadoPago, FakeWhatsApp, serve
from tests.fakes.smtp import FakeSmtp, smtp_server
from tests.unit.application.fakes import FixedClock

# Tuesday 2026-12-01, noon in Buenos Aires.
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def seed(database_url: str) -> None:
    async def run() -> None:
        engine = make_engine(database_url, pool_size=1)
        try:
            await seed_if_empty(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def settings(database_url: str, redis_url: str) -> Settings:
    seed(database_url)
    # Rate limiting (the general one and the one on forged webhook posts) and the live-hold
    # limits have their own tests; here they would only couple unrelated tests (one client, a
    # few phone numbers, many holds).
    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        rate_limit_per_minute=0,
        webhook_signature_failures_per_minute=0,
        max_live_holds_per_phone=0,
        max_live_holds_per_client=0,
        health_probe_timeout_seconds=float(GENEROUS_HEALTH["HEALTH_PROBE_TIMEOUT_SECONDS"]),
    )


ClientFactory = Callable[..., AbstractAsyncContextManager[AsyncTestClient[Litestar]]]


@pytest.fixture
def make_client(settings: Settings) -> ClientFactory:
    """Apps with changed settings (real clock), addressed from the host root."""

    @asynccontextmanager
    async def factory(**changes: object) -> AsyncIterator[AsyncTestClient[Litestar]]:
        configured = msgspec.structs.replace(settings, **changes)
        app = create_app(make_container(configured), configured)
        async with AsyncTestClient(app=app, base_url="http://testserver.local") as c:
            yield c

    return factory


@pytest.fixture
async def client(settings: Settings, clock: FixedClock) -> AsyncIterator[AsyncTestClient[Litestar]]:
    fixed = Provider(scope=Scope.APP)
    fixed.provide(lambda: clock, provides=Clock)
    app = create_app(make_container(settings, fixed), settings)
    async with AsyncTestClient(app=app, base_url="http://testserver.local/api/v1") as c:
        yield c


MP_WEBHOOK_SECRET = "mp-webhook-secret-for-tests-0123456789"  # pragma: allowlist secret
WA_APP_SECRET = "wa-app-secret-for-tests-0123456789"  # pragma: allowlist secret
WA_VERIFY_TOKEN = "verify-token-for-tests"
ADMIN_EMAIL = "owner@cabanas.ar"
JWT_SECRET = "s3cr3t-Kx9#vQ2!mZ7&pL4^wR8*tY6@uI1"  # pragma: allowlist secret


@pytest.fixture(scope="session")
def _mp_server() -> Iterator[FakeMercadoPago]:
    fake = FakeMercadoPago()
    with serve(fake.app()) as url:
        fake.url = url
        yield fake


@pytest.fixture(scope="session")
def _wa_server() -> Iterator[FakeWhatsApp]:
    fake = FakeWhatsApp()
    with serve(fake.app()) as url:
        fake.url = url
        yield fake


@pytest.fixture(scope="session")
def _calendar_host() -> Iterator[FakeCalendarHost]:
    fake = FakeCalendarHost()
    with serve(fake.app()) as url:
        fake.url = url
        yield fake


@pytest.fixture
def calendars(_calendar_host: FakeCalendarHost) -> FakeCalendarHost:
    _calendar_host.reset()
    return _calendar_host


@pytest.fixture
def mp(_mp_server: FakeMercadoPago) -> FakeMercadoPago:
    _mp_server.reset()
    return _mp_server


@pytest.fixture
def wa(_wa_server: FakeWhatsApp) -> FakeWhatsApp:
    _wa_server.reset()
    return _wa_server


@pytest.fixture
def integrated_settings(settings: Settings, mp: FakeMercadoPago, wa: FakeWhatsApp) -> Settings:
    """Mercado Pago and WhatsApp configured, pointing at the fake servers."""
    return msgspec.structs.replace(
        settings,
        public_base_url="https://cabanas.test",
        mp_access_token=Secret(MP_TOKEN),
        mp_webhook_secret=Secret(MP_WEBHOOK_SECRET),
        mp_api_base_url=mp.url,
        mp_timeout_seconds=1.0,
        whatsapp_token=Secret(WA_TOKEN),
        whatsapp_app_secret=Secret(WA_APP_SECRET),
        whatsapp_verify_token=Secret(WA_VERIFY_TOKEN),
        whatsapp_phone_number_id="106540352242922",
        whatsapp_api_base_url=wa.url,
        jwt_secret=Secret(JWT_SECRET),
        admin_allowed_emails=[ADMIN_EMAIL],
        ical_allow_private_urls=True,  # the fake calendar host is on 127.0.0.1
    )


def _fixed(clock: FixedClock) -> Provider:
    fixed = Provider(scope=Scope.APP)
    fixed.provide(lambda: clock, provides=Clock)
    return fixed


@pytest.fixture
async def worker(integrated_settings: Settings, clock: FixedClock) -> AsyncIterator[AsyncContainer]:
    """The sync process's container (its own pools on the test's event loop; the test client
    runs the app on another), sharing the test's clock."""
    container = make_container(integrated_settings, _fixed(clock))
    yield container
    await container.close()


@pytest.fixture
async def pay_client(
    integrated_settings: Settings, clock: FixedClock
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    container = make_container(integrated_settings, _fixed(clock))
    app = create_app(container, integrated_settings)
    async with AsyncTestClient(app=app, base_url="http://testserver.local/api/v1") as c:
        yield c


@pytest.fixture(scope="session")
def _smtp_server() -> Iterator[FakeSmtp]:
    with smtp_server() as fake:
        yield fake


@pytest.fixture
def smtp(_smtp_server: FakeSmtp) -> FakeSmtp:
    _smtp_server.reset()
    return _smtp_server


@pytest.fixture
def console_settings(settings: Settings) -> Settings:
    return for_owners(settings)


@pytest.fixture
async def console(console_settings: Settings, clock: FixedClock) -> AsyncIterator[Console]:
    """The console's HTTP client (see tests/e2e/console_client.py)."""
    async with console_for(console_settings, clock) as c:
        yield c
