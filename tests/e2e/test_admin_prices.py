"""The owner's price rules over the admin API, and bulk changes with a preview."""

from __future__ import annotations

import asyncio

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from adapters.postgres.database import make_engine
from entrypoints.settings import Settings
from tests.e2e.conftest import ADMIN_EMAIL, JWT_SECRET
from tests.e2e.test_admin import bearer
from tests.e2e.test_api import BOOKING

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]

RULES = {
    "seasons": [
        {
            "name": "Temporada alta",
            "from": "15/12",
            "to": "28/02",
            "nightly_amount": 150000,
            "weekend_amount": 180000,
            "min_nights": 3,
            "arrival_weekdays": [0, 4, 5],
        }
    ],
    "overrides": [
        {
            "name": "Año nuevo",
            "first_night": "2026-12-31",
            "last_night": "2026-12-31",
            "nightly_amount": 400000,
            "min_nights": 3,
        }
    ],
    "long_weekend": {"name": "Fin de semana largo", "percent_over_base": 25, "min_nights": 3},
    "fees": {"cleaning_amount": 25000, "extra_guest_amount": 10000, "guests_included": 2},
    "stay_discounts": [{"min_nights": 7, "percent": 10, "name": ""}],
    "price_changes": [],
    "cancellation_tiers": [
        {"min_days_before": 30, "percent": 100, "outcome": "refund"},
        {"min_days_before": 7, "percent": 50, "outcome": "credit"},
    ],
}


def admin() -> dict[str, str]:
    return bearer(ADMIN_EMAIL, secret=JWT_SECRET)


async def audit_actions(settings: Settings) -> list[str]:
    assert settings.database_url is not None
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT action FROM admin_audit_log ORDER BY id"))
            return [r.action for r in rows]
    finally:
        await engine.dispose()


async def test_put_then_get_round_trips_and_availability_uses_the_rules_at_once(
    pay_client: Client, integrated_settings: Settings
) -> None:
    empty = (await pay_client.get("/admin/accommodations/1/prices", headers=admin())).json()
    assert (empty["seasons"], empty["cancellation_tiers"], empty["currency"]) == ([], [], "ARS")
    r = await pay_client.put("/admin/accommodations/1/prices", json=RULES, headers=admin())
    assert r.status_code == 200, r.text
    got = (await pay_client.get("/admin/accommodations/1/prices", headers=admin())).json()
    assert got == r.json()
    assert got["seasons"][0] == {**RULES["seasons"][0], "percent_over_base": None}
    assert got["cancellation_tiers"] == [
        {**t, "credit_valid_days": None} for t in RULES["cancellation_tiers"]
    ]
    # GET's answer is a valid PUT body: send it back unchanged.
    again = await pay_client.put("/admin/accommodations/1/prices", json=got, headers=admin())
    assert again.status_code == 200, again.text
    assert await audit_actions(integrated_settings) == ["prices.replace", "prices.replace"]
    quote = await pay_client.get(
        "/availability", params={"check_in": "2026-12-21", "check_out": "2026-12-24"}
    )
    item = next(a for a in quote.json()["accommodations"] if a["accommodation_id"] == 1)
    assert item["quote"]["rates"][0]["rule_name"] == "Temporada alta"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"seasons": [{**RULES["seasons"][0], "nightly_amount": 0}]}, "seasons[0]"),
        (
            {"seasons": [RULES["seasons"][0], {**RULES["seasons"][0], "name": "Otra"}]},
            "seasons",
        ),
        (
            {
                "seasons": [
                    {
                        "name": "Liquidación",
                        "from": "01/12",
                        "to": "31/12",
                        "percent_over_base": -100,
                    }
                ]
            },
            "seasons[0]",
        ),
        ({"seasons": [{**RULES["seasons"][0], "nightly_amount": -5}]}, "seasons[0].nightly_amount"),
        ({"overrides": [*RULES["overrides"], RULES["overrides"][0]]}, "overrides"),
        ({"fees": {"cleaning_amount": 10.005}}, "fees.cleaning_amount"),
        (
            {
                "cancellation_tiers": [
                    {"min_days_before": 30, "percent": 10},
                    {"min_days_before": 7, "percent": 50},
                ]
            },
            "cancellation_tiers",
        ),
    ],
)
async def test_refusals_are_422_naming_the_field(
    pay_client: Client, change: dict[str, object], field: str
) -> None:
    r = await pay_client.put(
        "/admin/accommodations/1/prices", json={**RULES, **change}, headers=admin()
    )
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == [field]
    got = (await pay_client.get("/admin/accommodations/1/prices", headers=admin())).json()
    assert got["seasons"] == []  # nothing stored


async def test_the_prices_api_is_for_admins_only(pay_client: Client) -> None:
    assert (await pay_client.get("/admin/accommodations/1/prices")).status_code == 401
    r = await pay_client.post(
        "/admin/prices/bulk-preview", json={"percent": 8, "effective_from": "2027-03-01"}
    )
    assert r.status_code == 401


BULK = {"percent": 8, "effective_from": "2027-03-01", "months": 3}


async def test_bulk_change_previews_then_applies_once(
    pay_client: Client, integrated_settings: Settings
) -> None:
    r = await pay_client.post("/admin/prices/bulk-preview", json=BULK, headers=admin())
    assert r.status_code == 200, r.text
    preview = r.json()
    assert preview["applied"] is False
    cabins = (await pay_client.get("/accommodations")).json()
    assert preview["accommodation_ids"] == [c["id"] for c in cabins]
    march = preview["cabins"][0]["months"][0]
    assert march["month"] == "2027-03"
    assert march["after_amount"] == pytest.approx(march["before_amount"] * 1.08, abs=31)
    # Nothing written by the preview.
    rules = (await pay_client.get("/admin/accommodations/1/prices", headers=admin())).json()
    assert rules["price_changes"] == []

    key = {"Idempotency-Key": "bulk-2027-03"}
    applied = await asyncio.gather(
        *(
            pay_client.post("/admin/prices/bulk-apply", json=BULK, headers={**admin(), **key})
            for _ in range(3)  # a triple click
        )
    )
    assert [a.status_code for a in applied] == [200, 200, 200], [a.text for a in applied]
    bodies = [a.json() for a in applied]
    assert all(b == {**preview, "applied": True} for b in bodies)
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in applied) == 2
    rules = (await pay_client.get("/admin/accommodations/1/prices", headers=admin())).json()
    assert rules["price_changes"] == [{"effective_from": "2027-03-01", "percent": 8.0}]
    assert (await audit_actions(integrated_settings)).count("prices.bulk_change") == 1
    # The same key with another body is refused; another key for the same date too.
    other = await pay_client.post(
        "/admin/prices/bulk-apply", json={**BULK, "percent": 9}, headers={**admin(), **key}
    )
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    twice = await pay_client.post(
        "/admin/prices/bulk-apply", json=BULK, headers={**admin(), "Idempotency-Key": "again"}
    )
    assert (twice.status_code, twice.json()["errors"][0]["field"]) == (422, "percent")
    # A March hold is sold 8 % dearer than February's same weekday nights.
    quote = await pay_client.get(
        "/availability", params={"check_in": "2027-03-02", "check_out": "2027-03-04"}
    )
    item = next(a for a in quote.json()["accommodations"] if a["accommodation_id"] == 1)
    base = next(c for c in cabins if c["id"] == 1)["base_price"]
    assert item["total_amount"] == round(base * 1.08 * 2, 2)


async def test_bulk_apply_on_chosen_cabins_needs_a_key_and_known_cabins(pay_client: Client) -> None:
    no_key = await pay_client.post("/admin/prices/bulk-apply", json=BULK, headers=admin())
    assert no_key.status_code == 400
    unknown = await pay_client.post(
        "/admin/prices/bulk-apply",
        json={**BULK, "accommodation_ids": [1, 999]},
        headers={**admin(), "Idempotency-Key": "k1"},
    )
    assert unknown.status_code == 404
    chosen = await pay_client.post(
        "/admin/prices/bulk-apply",
        json={**BULK, "accommodation_ids": [2]},
        headers={**admin(), "Idempotency-Key": "k1"},  # the failed request kept no key
    )
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["accommodation_ids"] == [2]
    one = (await pay_client.get("/admin/accommodations/1/prices", headers=admin())).json()
    two = (await pay_client.get("/admin/accommodations/2/prices", headers=admin())).json()
    assert (one["price_changes"], len(two["price_changes"])) == ([], 1)
    past = await pay_client.post(
        "/admin/prices/bulk-preview", json={**BULK, "effective_from": "2026-11-30"}, headers=admin()
    )
    assert (past.status_code, past.json()["errors"][0]["field"]) == (422, "effective_from")


async def test_a_booking_keeps_its_price_after_a_bulk_change(pay_client: Client) -> None:
    held = await pay_client.post(
        "/reservations", json={**BOOKING, "check_in": "2027-03-05", "check_out": "2027-03-08"}
    )
    assert held.status_code == 201, held.text
    r = await pay_client.post(
        "/admin/prices/bulk-apply",
        json={**BULK, "effective_from": "2027-01-01"},
        headers={**admin(), "Idempotency-Key": "jan"},
    )
    assert r.status_code == 200
    got = (await pay_client.get(f"/reservations/{held.json()['code']}")).json()
    assert (got["total_amount"], got["quote"]) == (
        held.json()["total_amount"],
        held.json()["quote"],
    )


async def test_a_base_price_a_dated_change_would_take_to_nothing_is_refused(
    pay_client: Client,
) -> None:
    """Reported: a base of 0.05 with a weekend multiplier of 0.1 (a weekend night of 1 cent)
    under a -90 % change was saved, and the cabin then answered "its prices are being
    updated" to every guest."""
    change = {**RULES, "price_changes": [{"effective_from": "2027-03-01", "percent": -90}]}
    put = await pay_client.put("/admin/accommodations/1/prices", json=change, headers=admin())
    assert put.status_code == 200, put.text
    tiny = await pay_client.patch(
        "/admin/accommodations/1",
        json={"base_price": 0.05, "weekend_multiplier": 0.1},
        headers=admin(),
    )
    assert tiny.status_code == 422, tiny.text
    cabin = (await pay_client.get("/accommodations/1")).json()
    assert cabin["base_price"] > 1000  # unchanged
