"""readyz and the release step against the embedded PostgreSQL 18: accepted at the supported
floor (16), refused — naming the server's version — once the floor is above it."""

from __future__ import annotations

import asyncio

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from adapters.postgres import server_version
from adapters.postgres.database import make_engine
from entrypoints.migrate import SchemaRefused, upgrade

pytestmark = pytest.mark.db


async def _version_num(database_url: str) -> int:
    engine = make_engine(database_url, pool_size=1)
    try:
        return await server_version.server_version_num(engine)
    finally:
        await engine.dispose()


async def test_the_embedded_server_is_18_and_ready(
    database_url: str, client: AsyncTestClient[Litestar]
) -> None:
    version_num = await _version_num(database_url)
    assert version_num // 10_000 == 18
    assert server_version.unsupported(version_num) is None
    assert (await client.get("/readyz")).status_code == 200


async def test_a_server_older_than_the_floor_is_not_ready_and_not_migrated(
    database_url: str, client: AsyncTestClient[Litestar], monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = server_version.readable(await _version_num(database_url))
    monkeypatch.setattr(server_version, "MINIMUM_MAJOR", 19)  # the embedded 18 is now too old
    expected = f"PostgreSQL {shown} is older than 19, the oldest supported"

    ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["detail"] == expected

    with pytest.raises(SchemaRefused, match=expected.replace(".", r"\.")):
        await asyncio.to_thread(upgrade, database_url)
