"""Idempotency-Key on POST /reservations, and the worker expiring holds."""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from datetime import timedelta

import httpx
import pytest
from dishka import AsyncContainer
from litestar import Litestar
from litestar.testing import AsyncTestClient

from application.operations.maintenance import ExpireLapsedHolds
from entrypoints.worker import run_once
from tests.e2e.servers import GENEROUS_HEALTH, uvicorn_server
from tests.e2e.test_api import BOOKING, assert_problem
from tests.fakes.providers import MP_TOKEN, FakeMercadoPago
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]


async def test_the_same_key_and_body_replay_the_original_response(client: Client) -> None:
    key = {"Idempotency-Key": "3f1c2b7e-retry-safe"}
    first = await client.post("/reservations", json=BOOKING, headers=key)
    assert first.status_code == 201
    again = await client.post("/reservations", json=BOOKING, headers=key)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    # Without the key, the same body from the same client still gets its own hold back ...
    keyless = await client.post("/reservations", json=BOOKING)
    assert (keyless.status_code, keyless.json()["code"]) == (201, first.json()["code"])
    # ... and anyone else asking for those nights is refused.
    other = {**BOOKING, "guest_name": "Otra persona"}
    assert_problem(await client.post("/reservations", json=other), 409)


async def test_the_same_key_with_another_body_is_refused(client: Client) -> None:
    key = {"Idempotency-Key": "key-with-two-bodies"}
    assert (await client.post("/reservations", json=BOOKING, headers=key)).status_code == 201
    other = {**BOOKING, "guests": 3}
    body = assert_problem(await client.post("/reservations", json=other, headers=key), 422)
    assert body["code"] == "idempotency_key_reused"


async def test_concurrent_requests_with_one_key_create_one_reservation(client: Client) -> None:
    key = {"Idempotency-Key": "double-click"}
    responses = await asyncio.gather(
        *(client.post("/reservations", json=BOOKING, headers=key) for _ in range(6))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["code"] for r in responses}) == 1


def test_a_repeat_sent_while_the_first_makes_its_payment_link_gets_exactly_its_answer(
    database_url: str, redis_url: str, mp: FakeMercadoPago
) -> None:
    """A double click over a real server: the second request arrives while the first, its hold
    committed, is still asking Mercado Pago for the checkout link. It waits for the first's
    answer and sends exactly it, link included (it used to answer at once, without the link).
    """
    from tests.e2e.conftest import seed

    seed(database_url)
    mp.preference_delay_s = 0.5
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "RATE_LIMIT_PER_MINUTE": "0",
        "MP_ACCESS_TOKEN": MP_TOKEN,
        "MP_API_BASE_URL": mp.url,
        "MP_TIMEOUT_SECONDS": "10",
        "PUBLIC_BASE_URL": "https://cabanas.test",
    } | GENEROUS_HEALTH
    key = {"Idempotency-Key": "double-click-while-paying"}
    with (
        uvicorn_server(env) as base,
        httpx.Client(base_url=base, timeout=30) as http,
        concurrent.futures.ThreadPoolExecutor(1) as pool,
    ):
        first = pool.submit(http.post, "/api/v1/reservations", json=BOOKING, headers=key)
        deadline = time.monotonic() + 20
        while mp.preference_calls_started == 0:  # the first's hold is in, its link pending
            assert not first.done(), first.result().text
            assert time.monotonic() < deadline, "no payment link was asked for"
            time.sleep(0.01)
        again = http.post("/api/v1/reservations", json=BOOKING, headers=key)
        answer = first.result()
    assert answer.status_code == again.status_code == 201
    assert answer.json()["payment_url"] is not None
    assert again.json() == answer.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert len(mp.preferences) == 1


async def test_a_failed_request_does_not_use_up_its_key(client: Client) -> None:
    key = {"Idempotency-Key": "first-try-failed"}
    bad = {**BOOKING, "accommodation_id": 999}
    assert_problem(await client.post("/reservations", json=bad, headers=key), 404)
    # Nothing was stored for the failure: the corrected request with the key goes through.
    assert (await client.post("/reservations", json=BOOKING, headers=key)).status_code == 201


async def test_the_worker_expires_lapsed_holds_and_their_nights_are_sold_again(
    client: Client, worker: AsyncContainer, clock: FixedClock
) -> None:
    held = (await client.post("/reservations", json=BOOKING)).json()
    clock.current += timedelta(minutes=29)
    async with worker() as scope:
        assert await (await scope.get(ExpireLapsedHolds))() == 0  # not yet
    clock.current += timedelta(minutes=2)
    assert await run_once(worker, worker_settings(client)) is True
    got = (await client.get(f"/reservations/{held['code']}")).json()
    assert got["status"] == "expired"
    again = await client.post("/reservations", json={**BOOKING, "guest_name": "Otra Persona"})
    assert again.status_code == 201


def worker_settings(client: Client) -> object:
    return client.app.state.settings
