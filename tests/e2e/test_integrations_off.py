"""An integration switched off stays off at every door: MERCADOPAGO_ENABLED=false with its
token and secret still set creates no payment link and acts on no notification;
WHATSAPP_ENABLED=false with its secrets set answers no message and places no hold."""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from adapters.postgres.database import make_engine
from application.ports.idempotency import MERCADOPAGO, WHATSAPP
from entrypoints.container import make_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import _fixed
from tests.e2e.test_api import assert_problem
from tests.e2e.test_payments import hold, notify
from tests.e2e.test_whatsapp_conversation import Guest
from tests.fakes.providers import FakeMercadoPago, FakeWhatsApp
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]


async def _client(settings: Settings, clock: FixedClock) -> AsyncIterator[Client]:
    app = create_app(make_container(settings, _fixed(clock)), settings)
    async with AsyncTestClient(app=app, base_url="http://testserver.local/api/v1") as c:
        yield c


@pytest.fixture
async def payments_off(integrated_settings: Settings, clock: FixedClock) -> AsyncIterator[Client]:
    off = msgspec.structs.replace(integrated_settings, mercadopago_enabled=False)
    async for c in _client(off, clock):
        yield c


@pytest.fixture
async def whatsapp_off(integrated_settings: Settings, clock: FixedClock) -> AsyncIterator[Client]:
    off = msgspec.structs.replace(integrated_settings, whatsapp_enabled=False)
    async for c in _client(off, clock):
        yield c


async def _count(client: Client, query: str) -> int:
    engine = make_engine(client.app.state.settings.database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text(query))).scalar_one())
    finally:
        await engine.dispose()


RESERVATIONS = "SELECT count(*) FROM reservations"
DELIVERIES = f"SELECT count(*) FROM idempotency_keys WHERE scope IN ('{MERCADOPAGO}', '{WHATSAPP}')"


async def test_payments_off_mean_no_link_and_no_notification_acted_on(
    payments_off: Client, mp: FakeMercadoPago
) -> None:
    booking = await hold(payments_off)
    assert booking["payment_url"] is None
    assert mp.preferences == []
    mp.add_payment("4242", "approved", 86_700.0, str(booking["code"]))
    r = await notify(payments_off, "4242")  # correctly signed: the secret is still set
    body = assert_problem(r, 503)  # type: ignore[arg-type]
    assert "payments are not enabled here" in str(body["detail"])
    assert r.headers["Retry-After"] == "900"  # type: ignore[attr-defined]
    assert mp.fetches == {}
    assert await _count(payments_off, DELIVERIES) == 0


async def test_whatsapp_off_means_no_answer_and_no_hold(
    whatsapp_off: Client, wa: FakeWhatsApp
) -> None:
    guest = Guest(whatsapp_off, wa)
    assert await guest.says("hola, tienen lugar para 4 el finde largo?") == []
    assert await guest.taps("pick:1:20261204:20261208:4", "Cabaña del Lago") == []
    assert await guest.says("Juana Pérez") == []
    assert wa.sent == []
    assert await _count(whatsapp_off, RESERVATIONS) == 0
    assert await _count(whatsapp_off, DELIVERIES) == 0
