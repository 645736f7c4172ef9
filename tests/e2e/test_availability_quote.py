"""GET /availability carries each cabin's quote as a breakdown under its price rules."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from adapters.clock import SystemClock
from adapters.postgres.database import make_engine
from adapters.postgres.price_rules import CachedPriceRules
from adapters.postgres.replica import ReadRouter
from domain.calendar import local_today
from domain.conversation.date_resolution import next_weekday
from domain.money import Money
from domain.pricing import Fees, LengthOfStayDiscount, Rate, RecurringRange, Season
from domain.pricing.cabin_rules import CabinPriceRules
from entrypoints.settings import Settings
from tests.e2e.conftest import ClientFactory

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]

SUMMER = CabinPriceRules(
    seasons=(
        Season(
            "Temporada alta",
            RecurringRange.parse("15/12", "28/02"),
            Rate(percent_over_base=Decimal(50)),
            weekend_nightly=Money.of("200000"),
            min_nights=3,
        ),
    ),
    fees=Fees(cleaning=Money.of("25000"), extra_guest_nightly=Money.of("10000"), guests_included=2),
    discounts=(LengthOfStayDiscount(7, Decimal(10)),),
)


async def store_rules(settings: Settings, accommodation_id: int, rules: CabinPriceRules) -> None:
    assert settings.database_url is not None
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        await CachedPriceRules(ReadRouter(engine), engine, 0, SystemClock()).replace(
            accommodation_id, rules
        )
    finally:
        await engine.dispose()


async def test_the_quote_names_the_rules_and_the_flat_fields_agree(
    client: Client, settings: Settings
) -> None:
    cabins = (await client.get("/accommodations")).json()
    lake = next(c for c in cabins if c["id"] == 1)
    await store_rules(settings, 1, SUMMER)
    r = await client.get(
        "/availability", params={"check_in": "2026-12-17", "check_out": "2026-12-21", "guests": 3}
    )
    assert r.status_code == 200, r.text
    items = {a["accommodation_id"]: a for a in r.json()["accommodations"]}
    item = items[1]
    quote = item["quote"]
    base = lake["base_price"]
    # Thursday and Sunday at 50 % over base; Friday and Saturday at the season's weekend price.
    assert [(q["rule"], q["rule_name"], q["weekend"], q["nights"]) for q in quote["rates"]] == [
        ("season", "Temporada alta", False, 2),
        ("season", "Temporada alta", True, 2),
    ]
    assert quote["rates"][0]["nightly_amount"] == base * 1.5
    assert quote["rates"][1]["amount"] == 400000
    assert quote["fees"] == [
        {"kind": "cleaning", "unit_amount": 25000, "quantity": 1, "amount": 25000},
        {"kind": "extra_guests", "unit_amount": 10000, "quantity": 4, "amount": 40000},
    ]
    assert quote["discounts"] == []
    assert quote["total_amount"] == base * 1.5 * 2 + 400000 + 65000
    assert (item["total_amount"], item["deposit_amount"]) == (
        quote["total_amount"],
        quote["deposit_amount"],
    )
    assert quote["balance_amount"] == quote["total_amount"] - quote["deposit_amount"]
    assert quote["min_nights"] == 3
    # A cabin without rules: today's prices, as a breakdown at the base rate.
    other = next(i for i in items.values() if i["accommodation_id"] != 1 and i["available"])
    assert {q["rule"] for q in other["quote"]["rates"]} == {"base"}
    assert other["quote"]["total_amount"] == other["total_amount"]


async def test_the_seasons_minimum_refuses_a_shorter_stay(
    client: Client, settings: Settings
) -> None:
    await store_rules(settings, 1, SUMMER)
    r = await client.get(
        "/availability", params={"check_in": "2026-12-18", "check_out": "2026-12-20", "guests": 2}
    )
    item = next(a for a in r.json()["accommodations"] if a["accommodation_id"] == 1)
    assert (item["available"], item["reason_code"]) == (False, "nights_out_of_range")
    assert (item["total_amount"], item["quote"]) == (None, None)
    assert "takes stays of 3 to 30 nights" in item["reason"]


def january_weeknights() -> list[tuple[str, str]]:
    """Tuesday to Thursday in three weeks of next January, by the system's clock (the apps below
    run on it): inside the summer season the tests write, whatever day the suite runs."""
    year = local_today(SystemClock().now()).year + 1
    first = next_weekday(1, after=date(year, 1, 4))  # 1: Tuesday, as date.weekday() counts
    weeks = [first + timedelta(weeks=k) for k in range(3)]
    return [(d.isoformat(), (d + timedelta(days=2)).isoformat()) for d in weeks]


async def test_a_price_change_written_elsewhere_is_quoted_on_the_next_request(
    make_client: ClientFactory, settings: Settings
) -> None:
    """The rules cached for five minutes still give way at once to a change another process wrote
    (its own engine here): the version read with the nights taken says they changed."""
    check_in, check_out = january_weeknights()[0]
    stay = {"check_in": check_in, "check_out": check_out, "guests": 2}

    async def quoted(client: Client) -> tuple[list[object], float]:
        r = await client.get("/api/v1/availability", params=stay)
        assert r.status_code == 200, r.text
        item = next(a for a in r.json()["accommodations"] if a["accommodation_id"] == 1)
        return [q["rule"] for q in item["quote"]["rates"]], item["total_amount"]

    summer = Season("Verano", RecurringRange.parse("01/01", "31/01"), Rate(nightly=Money(9_000_00)))
    async with make_client(catalogue_cache_seconds=300.0) as client:
        before = await quoted(client)  # the rules are read and cached
        assert before[0] == ["base"]
        await store_rules(settings, 1, CabinPriceRules(seasons=(summer,)))
        assert await quoted(client) == (["season"], 18_000)
        dearer = Season("Verano", summer.dates, Rate(nightly=Money(9_500_00)))
        await store_rules(settings, 1, CabinPriceRules(seasons=(dearer,)))
        assert await quoted(client) == (["season"], 19_000)
        await store_rules(settings, 1, CabinPriceRules())  # removed: the base price again
        assert await quoted(client) == before


async def test_a_price_change_written_elsewhere_prices_the_next_booking(
    make_client: ClientFactory, settings: Settings
) -> None:
    """A booking is never held at rules another process has changed since this one cached
    them (for five minutes here): the hold's statement checks their version, and on a change
    the stay is priced again under the rules read afresh."""

    async def book(client: Client, check_in: str, check_out: str, phone: str) -> object:
        booking = {
            "accommodation_id": 1,
            "check_in": check_in,
            "check_out": check_out,
            "guests": 2,
            "guest_name": "Juana Pérez",
            "guest_phone": phone,
        }
        r = await client.post("/api/v1/reservations", json=booking)
        assert r.status_code == 201, r.text
        return r.json()["total_amount"]

    first, second, third = january_weeknights()
    summer = Season("Verano", RecurringRange.parse("01/01", "31/01"), Rate(nightly=Money(9_000_00)))
    await store_rules(settings, 1, CabinPriceRules(seasons=(summer,)))
    async with make_client(catalogue_cache_seconds=300.0) as client:
        # This process reads and caches the rules with its first booking.
        assert await book(client, *first, "+5491155550001") == 18_000
        dearer = Season("Verano", summer.dates, Rate(nightly=Money(9_500_00)))
        await store_rules(settings, 1, CabinPriceRules(seasons=(dearer,)))
        assert await book(client, *second, "+5491155550002") == 19_000
        r = await client.get(
            "/api/v1/availability", params={"check_in": third[0], "check_out": third[1]}
        )
        assert r.status_code == 200
        quoted = next(a for a in r.json()["accommodations"] if a["accommodation_id"] == 1)
        assert quoted["total_amount"] == 19_000  # the same price /availability quotes
