"""DATABASE_READ_URL: read-only queries go to the replica, bookings are decided on the primary,
and an unreachable replica falls back to the primary."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import msgspec
import pytest
from dishka import Provider, Scope
from litestar import Litestar
from litestar.testing import AsyncTestClient

from application.ports.clock import Clock
from entrypoints.container import make_container
from entrypoints.embedded import EmbeddedPostgres, free_port
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.conftest import fresh_database
from tests.e2e.conftest import seed
from tests.e2e.test_api import BOOKING, assert_problem
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]
QUERY = {"check_in": BOOKING["check_in"], "check_out": BOOKING["check_out"], "guests": 2}


@pytest.fixture
def replica_url(pg_server: EmbeddedPostgres, template_db: str) -> Iterator[str]:
    """A separate database standing in for a replica that has not caught up."""
    name = fresh_database(pg_server, template_db)
    url = pg_server.url(name)
    seed(url)
    yield url
    pg_server.psql(f'DROP DATABASE "{name}" WITH (FORCE)')


async def _client(settings: Settings, clock: FixedClock) -> AsyncIterator[Client]:
    fixed = Provider(scope=Scope.APP)
    fixed.provide(lambda: clock, provides=Clock)
    app = create_app(make_container(settings, fixed), settings)
    async with AsyncTestClient(app=app, base_url="http://testserver.local/api/v1") as c:
        yield c


def _cabin_one(body: dict[str, object]) -> dict[str, object]:
    return next(a for a in body["accommodations"] if a["accommodation_id"] == 1)  # type: ignore[attr-defined,index]


async def test_reads_use_the_replica_and_bookings_the_primary(
    settings: Settings, replica_url: str, clock: FixedClock
) -> None:
    with_replica = msgspec.structs.replace(settings, database_read_url=replica_url)
    async for client in _client(with_replica, clock):
        assert (await client.post("/reservations", json=BOOKING)).status_code == 201
        # The "replica" never received that booking: reads say free ...
        avail = (await client.get("/availability", params=QUERY)).json()
        assert _cabin_one(avail)["available"] is True
        calendar = await client.get(
            "/accommodations/1/calendar", params={"from": "2026-12-01", "to": "2027-01-01"}
        )
        assert calendar.json()["occupied"] == []
        # ... but the primary decides bookings.
        other = {**BOOKING, "guest_name": "Otra persona"}
        assert_problem(await client.post("/reservations", json=other), 409)


async def test_an_unreachable_replica_falls_back_to_the_primary(
    settings: Settings, clock: FixedClock
) -> None:
    dead = f"postgresql://cabanas@127.0.0.1:{free_port()}/cabanas"
    with_dead_replica = msgspec.structs.replace(settings, database_read_url=dead)
    async for client in _client(with_dead_replica, clock):
        assert (await client.post("/reservations", json=BOOKING)).status_code == 201
        for _ in range(3):
            r = await client.get("/availability", params=QUERY)
            assert r.status_code == 200
            assert _cabin_one(r.json())["available"] is False
        assert (await client.get("/accommodations")).status_code == 200
