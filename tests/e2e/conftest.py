from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from dishka import Provider, Scope
from dishka.integrations.litestar import LitestarProvider
from litestar import Litestar
from litestar.testing import AsyncTestClient

from adapters.postgres.database import make_engine
from adapters.postgres.seed import seed_if_empty
from application.ports.clock import Clock
from entrypoints.container import make_container
from entrypoints.embedded import EmbeddedRedis
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
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
def settings(database_url: str, redis_server: EmbeddedRedis) -> Settings:
    seed(database_url)
    # Rate limiting has its own tests; here it would only couple unrelated tests through Redis.
    return Settings(
        database_url=database_url, redis_url=redis_server.url(), rate_limit_per_minute=0
    )


@pytest.fixture
async def client(settings: Settings, clock: FixedClock) -> AsyncIterator[AsyncTestClient[Litestar]]:
    fixed = Provider(scope=Scope.APP)
    fixed.provide(lambda: clock, provides=Clock)
    app = create_app(make_container(settings, LitestarProvider(), fixed), settings)
    async with AsyncTestClient(app=app, base_url="http://testserver.local/api/v1") as c:
        yield c
