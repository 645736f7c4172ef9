"""A hold is sold at its rule quote and keeps it; broken rules unprice one cabin only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import msgspec
import pytest
from dishka import Provider, Scope
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from adapters.postgres.database import make_engine
from application.ports.clock import Clock
from domain.money import Money
from domain.pricing import Rate, RecurringRange, Season
from domain.pricing.cabin_rules import CabinPriceRules
from entrypoints.container import make_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.e2e.test_api import BOOKING
from tests.e2e.test_availability_quote import SUMMER, store_rules
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]


@pytest.fixture
async def fresh_client(settings: Settings, clock: FixedClock) -> AsyncIterator[Client]:
    """No catalogue or rules cache: every request sees what the test just stored."""
    configured = msgspec.structs.replace(settings, catalogue_cache_seconds=0)
    fixed = Provider(scope=Scope.APP)
    fixed.provide(lambda: clock, provides=Clock)
    app = create_app(make_container(configured, fixed), configured)
    async with AsyncTestClient(app=app, base_url="http://testserver.local/api/v1") as c:
        yield c


async def sql(settings: Settings, statement: str) -> None:
    assert settings.database_url is not None
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def test_the_hold_is_sold_at_the_quote_and_never_repriced(
    fresh_client: Client, settings: Settings
) -> None:
    await store_rules(settings, 1, SUMMER)
    stay = {"check_in": "2026-12-17", "check_out": "2026-12-21"}
    offered = (await fresh_client.get("/availability", params={**stay, "guests": 3})).json()
    item = next(a for a in offered["accommodations"] if a["accommodation_id"] == 1)
    r = await fresh_client.post("/reservations", json={**BOOKING, **stay, "guests": 3})
    assert r.status_code == 201, r.text
    sold = r.json()
    assert sold["quote"] == item["quote"]
    assert (sold["total_amount"], sold["deposit_amount"]) == (
        item["total_amount"],
        item["deposit_amount"],
    )
    # The owner doubles the season's price: the booking keeps what it was sold at.
    dearer = CabinPriceRules(
        seasons=(
            Season(
                "Temporada alta",
                RecurringRange.parse("15/12", "28/02"),
                Rate(nightly=Money.of("300000")),
            ),
        )
    )
    await store_rules(settings, 1, dearer)
    got = (await fresh_client.get(f"/reservations/{sold['code']}")).json()
    assert got["quote"] == sold["quote"]
    assert got["total_amount"] == sold["total_amount"]


async def test_rules_broken_by_a_base_price_change_unprice_only_that_cabin(
    fresh_client: Client, settings: Settings
) -> None:
    sale = CabinPriceRules(
        seasons=(
            Season(
                "Liquidación",
                RecurringRange.parse("01/12", "31/12"),
                Rate(percent_over_base=Decimal("-99.5")),
            ),
        )
    )
    await store_rules(settings, 1, sale)
    await sql(settings, "UPDATE accommodations SET base_price_cents = 50 WHERE id = 1")
    stay = {"check_in": "2026-12-07", "check_out": "2026-12-10", "guests": 2}
    r = await fresh_client.get("/availability", params=stay)
    assert r.status_code == 200, r.text
    items = {a["accommodation_id"]: a for a in r.json()["accommodations"]}
    assert (items[1]["available"], items[1]["reason_code"], items[1]["quote"]) == (
        False,
        "prices_unavailable",
        None,
    )
    assert all(i["available"] for k, i in items.items() if k != 1)
    held = await fresh_client.post(
        "/reservations", json={**BOOKING, "check_in": "2026-12-07", "check_out": "2026-12-10"}
    )
    assert held.status_code == 422
    assert held.json()["code"] == "prices_unavailable"


async def test_dates_at_the_ends_of_the_calendar_are_refused_not_a_500(
    fresh_client: Client, settings: Settings
) -> None:
    await store_rules(settings, 1, SUMMER)
    for stay in (
        {"check_in": "0001-01-01", "check_out": "0001-01-12"},
        {"check_in": "9999-12-20", "check_out": "9999-12-31"},
    ):
        r = await fresh_client.get("/availability", params=stay)
        assert r.status_code == 200, r.text
        assert {a["available"] for a in r.json()["accommodations"]} == {False}
