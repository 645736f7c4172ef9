"""The HTTP contract of the foundation, through the real app, PostgreSQL and Redis."""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import NOW
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]

BOOKING = {
    "accommodation_id": 1,
    "check_in": "2026-12-18",  # Friday
    "check_out": "2026-12-21",  # Monday
    "guests": 2,
    "guest_name": "Juana Pérez",
    "guest_phone": "+5491155551234",
    "guest_email": "juana@example.com",
}


def assert_problem(response: object, status: int) -> dict[str, object]:
    r = response
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    assert r.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body: dict[str, object] = r.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert body["type"]
    return body


async def test_catalogue(client: Client) -> None:
    r = await client.get("/accommodations")
    assert r.status_code == 200
    cabins = r.json()
    assert len(cabins) >= 3
    assert {"id", "name", "capacity", "base_price", "weekend_multiplier", "min_nights"} <= set(
        cabins[0]
    )
    one = await client.get(f"/accommodations/{cabins[0]['id']}")
    assert one.status_code == 200
    assert one.json()["name"] == cabins[0]["name"]
    assert_problem(await client.get("/accommodations/999"), 404)


async def test_quote_hold_and_fetch(client: Client) -> None:
    r = await client.get(
        "/availability", params={"check_in": "2026-12-18", "check_out": "2026-12-21", "guests": 2}
    )
    assert r.status_code == 200
    lago = next(a for a in r.json()["accommodations"] if a["accommodation_id"] == 1)
    # Cabaña del Lago: 85,000 a night, x1.20 on Friday and Saturday: 102k + 102k + 85k.
    assert lago["available"] is True
    assert lago["nights"] == 3
    assert lago["total_amount"] == 289000
    assert lago["deposit_amount"] == 86700
    assert lago["currency"] == "ARS"

    created = await client.post("/reservations", json=BOOKING)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "pre_reserved"
    assert (body["check_in"], body["check_out"], body["nights"], body["guests"]) == (
        "2026-12-18",
        "2026-12-21",
        3,
        2,
    )
    assert (body["total_amount"], body["deposit_amount"], body["currency"]) == (
        289000,
        86700,
        "ARS",
    )
    assert body["expires_at"].startswith((NOW + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"))
    assert created.headers["location"] == f"/api/v1/reservations/{body['code']}"

    fetched = await client.get(f"/reservations/{body['code']}")
    assert fetched.status_code == 200
    got = fetched.json()
    assert got["code"] == body["code"]
    assert "5555" not in got["guest"]["phone"]
    assert got["guest"]["email"] == "j***@example.com"
    assert "juana@" not in fetched.text

    # The dashed, lower-case form a guest reads over the phone works too.
    assert (await client.get(f"/reservations/{body['code_display'].lower()}")).status_code == 200

    after = await client.get(
        "/availability", params={"check_in": "2026-12-20", "check_out": "2026-12-22", "guests": 2}
    )
    lago = next(a for a in after.json()["accommodations"] if a["accommodation_id"] == 1)
    assert lago["available"] is False
    assert lago["reason"]


async def test_taken_dates_conflict(client: Client) -> None:
    assert (await client.post("/reservations", json=BOOKING)).status_code == 201
    overlapping = {**BOOKING, "check_in": "2026-12-20", "check_out": "2026-12-23"}
    body = assert_problem(await client.post("/reservations", json=overlapping), 409)
    assert body["code"] == "stay_unavailable"


async def test_expired_hold_frees_the_dates(client: Client, clock: FixedClock) -> None:
    first = (await client.post("/reservations", json=BOOKING)).json()
    clock.current = NOW + timedelta(minutes=31)
    assert (await client.get(f"/reservations/{first['code']}")).json()["status"] == "expired"
    assert (await client.post("/reservations", json=BOOKING)).status_code == 201


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"check_in": "2026-11-20", "check_out": "2026-11-23"}, "check_in_in_past"),
        ({"check_out": "2026-12-18"}, "invalid_stay"),
        ({"guests": 9}, "guests_out_of_range"),
        ({"check_out": "2026-12-19"}, "nights_out_of_range"),  # Lago: min 2 nights
        ({"check_in": "2028-12-18", "check_out": "2028-12-21"}, "beyond_booking_horizon"),
        ({"guest_phone": "11-5555-1234"}, "invalid_body"),
        # Reported: a 0800 number, written with its trunk 0, was booked as a guest's phone.
        ({"guest_phone": "+5408003334444"}, "invalid_body"),
        ({"guest_phone": "+548003334444"}, "invalid_body"),  # the same, as E.164 writes it
        ({"guest_phone": "+548103334444"}, "invalid_body"),
        ({"guest_email": "not-an-email"}, "invalid_body"),
        ({"guests": 0}, "invalid_body"),
        ({"check_in": "18/12/2026"}, "invalid_body"),
        ({"surprise": True}, "invalid_body"),
    ],
)
async def test_rule_violations_are_422_with_the_reason(
    client: Client, change: dict[str, object], code: str
) -> None:
    body = assert_problem(await client.post("/reservations", json={**BOOKING, **change}), 422)
    assert body["code"] == code


async def test_missing_fields_name_the_field(client: Client) -> None:
    partial = {k: v for k, v in BOOKING.items() if k != "guest_phone"}
    body = assert_problem(await client.post("/reservations", json=partial), 422)
    assert "guest_phone" in str(body["detail"])


async def test_every_bad_field_is_named_not_only_the_first(client: Client) -> None:
    empty = assert_problem(await client.post("/reservations", json={}), 422)
    assert {e["field"] for e in empty["errors"]} == set(BOOKING) - {"guest_email"}
    assert all(e["source"] == "body" for e in empty["errors"])
    assert all(f"`{e['field']}`" in e["message"] for e in empty["errors"])
    bad = {**BOOKING, "guest_phone": "11-5555-1234", "guest_email": "x", "guests": "dos", "a": 1}
    body = assert_problem(await client.post("/reservations", json=bad), 422)
    named = [e["field"] for e in body["errors"]]
    assert sorted(named) == sorted(["guests", "guest_phone", "guest_email", "a"])
    said = {e["field"]: e["message"] for e in body["errors"]}
    assert said["guests"] == "Expected `int`, got `str` - at `$.guests`"
    assert said["guest_phone"] == "must be an E.164 phone number, e.g. +5491155551234"
    assert said["a"] == "Object contains unknown field `a`"
    for field in named:
        assert f"{field}: " in body["detail"]


async def test_unknown_accommodation_is_404(client: Client) -> None:
    assert_problem(
        await client.post("/reservations", json={**BOOKING, "accommodation_id": 99}), 404
    )


@pytest.mark.parametrize("raw", [b"{not json", b'{"accommodation_id": 1,', b"\xff\xfe"])
async def test_malformed_json_is_400(client: Client, raw: bytes) -> None:
    r = await client.post(
        "/reservations", content=raw, headers={"content-type": "application/json"}
    )
    assert_problem(r, 400)


async def test_empty_body_is_400(client: Client) -> None:
    r = await client.post(
        "/reservations", content=b"", headers={"content-type": "application/json"}
    )
    assert_problem(r, 400)


async def test_every_error_is_problem_json(client: Client) -> None:
    assert_problem(await client.get("/nowhere"), 404)
    assert_problem(await client.get("/reservations/ZZZZZZZZZZZZ"), 404)
    assert_problem(await client.get("/reservations/short"), 404)
    r = await client.delete("/accommodations")
    assert_problem(r, 405)
    assert "GET" in r.headers["allow"]
    assert_problem(
        await client.get("/availability", params={"check_in": "x", "check_out": "y"}), 400
    )
    assert_problem(await client.get("/availability"), 400)
    body = assert_problem(
        await client.get(
            "/availability", params={"check_in": "2026-12-10", "check_out": "2026-12-09"}
        ),
        422,
    )
    assert body["code"] == "invalid_stay"


async def test_calendar_shows_ranges_without_guest_data(client: Client) -> None:
    await client.post("/reservations", json=BOOKING)
    r = await client.get(
        "/accommodations/1/calendar", params={"from": "2026-12-01", "to": "2027-01-01"}
    )
    assert r.status_code == 200
    assert r.json()["occupied"] == [{"check_in": "2026-12-18", "check_out": "2026-12-21"}]
    assert "Juana" not in r.text
    assert "+549" not in r.text
    assert_problem(
        await client.get(
            "/accommodations/1/calendar", params={"from": "2027-01-01", "to": "2026-12-01"}
        ),
        422,
    )
    assert_problem(
        await client.get(
            "/accommodations/99/calendar", params={"from": "2026-12-01", "to": "2027-01-01"}
        ),
        404,
    )


async def test_health_and_readiness(client: Client) -> None:
    health = await client.get("/healthz")
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "healthy"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is True
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


async def test_openapi_describes_endpoints_bodies_and_errors(client: Client) -> None:
    r = await client.get("/docs/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    assert spec["openapi"].startswith("3.1")
    paths = spec["paths"]
    for path in (
        "/api/v1/accommodations",
        "/api/v1/accommodations/{accommodation_id}",
        "/api/v1/accommodations/{accommodation_id}/calendar",
        "/api/v1/availability",
        "/api/v1/reservations",
        "/api/v1/reservations/{code}",
        "/api/v1/healthz",
        "/api/v1/readyz",
    ):
        assert path in paths, path
    post = paths["/api/v1/reservations"]["post"]
    assert "requestBody" in post
    assert {"201", "400", "409", "422"} <= set(post["responses"])
    assert "application/problem+json" in post["responses"]["409"]["content"]
    # HEAD is listed only where a route has its own (README: every GET answers it anyway).
    assert "head" in paths["/api/v1/healthz"]
    assert "head" not in paths["/api/v1/accommodations"]
