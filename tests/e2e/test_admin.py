"""The admin API behind the JWT guard, with the audit log, through the real app and database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from dishka import Provider, Scope
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from adapters.postgres.database import make_engine
from adapters.security.jwt import issue
from application.ports.clock import Clock
from entrypoints.container import make_container
from entrypoints.http.app import create_app
from entrypoints.settings import Secret, Settings
from tests.e2e.conftest import NOW
from tests.e2e.test_api import BOOKING, assert_problem
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]
SECRET = "s3cr3t-Kx9#vQ2!mZ7&pL4^wR8*tY6@uI1"  # pragma: allowlist secret
ADMIN = "owner@cabanas.ar"


def bearer(
    email: str = ADMIN, *, secret: str = SECRET, now: datetime | None = None, hours: float = 1
) -> dict[str, str]:
    token = issue(secret, email=email, now=now or datetime.now(UTC), ttl=timedelta(hours=hours))
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def admin_client(settings: Settings, clock: FixedClock) -> AsyncIterator[Client]:
    configured = msgspec.structs.replace(
        settings, jwt_secret=Secret(SECRET), admin_allowed_emails=[ADMIN]
    )
    fixed = Provider(scope=Scope.APP)
    fixed.provide(lambda: clock, provides=Clock)
    app = create_app(make_container(configured, fixed), configured)
    async with AsyncTestClient(app=app, base_url="http://testserver.local/api/v1") as c:
        yield c


async def _book(client: Client, **change: object) -> str:
    r = await client.post("/reservations", json={**BOOKING, **change})
    assert r.status_code == 201, r.text
    return str(r.json()["code"])


async def test_missing_invalid_and_expired_tokens_are_401(admin_client: Client) -> None:
    r = await admin_client.get("/admin/reservations")
    assert_problem(r, 401)
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert_problem(
        await admin_client.get("/admin/reservations", headers={"Authorization": "Bearer nope"}), 401
    )
    forged = bearer(secret="another-secret-another-secret-123456")
    assert_problem(await admin_client.get("/admin/reservations", headers=forged), 401)
    expired = bearer(now=datetime.now(UTC) - timedelta(hours=3), hours=1)
    assert_problem(await admin_client.get("/admin/reservations", headers=expired), 401)
    too_long = bearer(hours=24)
    assert_problem(await admin_client.get("/admin/reservations", headers=too_long), 401)


async def test_a_valid_token_for_someone_else_is_403(admin_client: Client) -> None:
    body = assert_problem(
        await admin_client.get("/admin/reservations", headers=bearer("guest@gmail.com")), 403
    )
    assert "not an administrator" in str(body["detail"])


async def test_the_total_is_counted_up_to_the_cap_and_says_when_there_are_more(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("adapters.postgres.repositories.COUNT_CAP", 1)
    await _book(admin_client)
    page = (await admin_client.get("/admin/reservations", headers=bearer())).json()
    assert (page["total"], page["total_capped"]) == (1, False)
    await _book(admin_client, accommodation_id=2, guest_phone="+5491100000001")
    page = (await admin_client.get("/admin/reservations", headers=bearer())).json()
    assert (page["total"], page["total_capped"], len(page["items"])) == (1, True, 2)


async def test_without_jwt_secret_the_admin_api_is_closed(client: Client) -> None:
    body = assert_problem(await client.get("/admin/reservations", headers=bearer()), 401)
    assert "JWT_SECRET" in str(body["detail"])


async def test_search_filters_and_full_guest_data(admin_client: Client) -> None:
    first = await _book(admin_client)
    await _book(
        admin_client, accommodation_id=2, guest_name="Ana Gómez", guest_phone="+5491100000001"
    )
    r = await admin_client.get("/admin/reservations", headers=bearer())
    assert r.status_code == 200
    page = r.json()
    assert page["total"] == 2
    assert r.headers["cache-control"] == "no-store"
    mine = next(item for item in page["items"] if item["code"] == first)
    assert mine["guest"] == {
        "name": "Juana Pérez",
        "phone": "+5491155551234",
        "email": "juana@example.com",
    }

    only_two = (
        await admin_client.get(
            "/admin/reservations", params={"accommodation_id": 2}, headers=bearer()
        )
    ).json()
    assert [i["accommodation_id"] for i in only_two["items"]] == [2]
    held = (
        await admin_client.get(
            "/admin/reservations", params={"status": "confirmed"}, headers=bearer()
        )
    ).json()
    assert held["total"] == 0
    window = {"from": "2026-12-21", "to": "2026-12-30"}  # check-out day is not a night
    assert (await admin_client.get("/admin/reservations", params=window, headers=bearer())).json()[
        "total"
    ] == 0
    paged = (
        await admin_client.get(
            "/admin/reservations", params={"limit": 1, "offset": 1}, headers=bearer()
        )
    ).json()
    assert len(paged["items"]) == 1
    assert paged["total"] == 2
    assert_problem(
        await admin_client.get("/admin/reservations", params={"status": "weird"}, headers=bearer()),
        400,
    )
    assert_problem(
        await admin_client.get("/admin/reservations", params={"limit": 500}, headers=bearer()), 400
    )

    detail = await admin_client.get(f"/admin/reservations/{first}", headers=bearer())
    assert detail.json()["guest"]["phone"] == "+5491155551234"
    assert_problem(
        await admin_client.get("/admin/reservations/ZZZZZZZZZZZZ", headers=bearer()), 404
    )


async def _audit(
    database_url: str,
) -> list[tuple[str, str, str, dict[str, object], dict[str, object]]]:
    engine = make_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT actor, action, target, before, after FROM admin_audit_log ORDER BY id")
            )
            return [tuple(r) for r in rows]  # type: ignore[misc]
    finally:
        await engine.dispose()


async def test_cancel_frees_the_nights_and_is_audited(
    admin_client: Client, settings: Settings
) -> None:
    code = await _book(admin_client)
    r = await admin_client.post(
        f"/admin/reservations/{code}/cancel", json={"reason": "pidió el guest"}, headers=bearer()
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled"
    await _book(admin_client)  # the same nights are free again
    again = await admin_client.post(f"/admin/reservations/{code}/cancel", json={}, headers=bearer())
    assert assert_problem(again, 409)["code"] == "illegal_transition"
    assert settings.database_url is not None
    audit = await _audit(settings.database_url)
    assert audit == [
        (
            ADMIN,
            "reservation.cancel",
            code,
            {"status": "pre_reserved"},
            {
                "status": "cancelled",
                "reason": "pidió el guest",
                # Nothing paid: the cabin's tiers owe nothing back.
                "days_before": 17,
                "refund_cents": 0,
                "credit_cents": 0,
                "kept_cents": 0,
                "to_return_cents": 0,  # nothing held: nothing waits in Pagos
            },
        )
    ]


async def test_manual_confirmation_including_a_lapsed_hold(
    admin_client: Client, clock: FixedClock, settings: Settings
) -> None:
    code = await _book(admin_client)
    clock.current = NOW + timedelta(hours=2)  # the hold lapsed; nobody took the nights
    r = await admin_client.post(
        f"/admin/reservations/{code}/confirm",
        json={"payment_method": "transfer", "note": "seña por transferencia"},
        headers=bearer(),
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "confirmed"
    assert r.json()["expires_at"] is None
    guest_view = await admin_client.get(f"/reservations/{code}")
    assert guest_view.json()["status"] == "confirmed"
    twice = await admin_client.post(
        f"/admin/reservations/{code}/confirm", json={"payment_method": "cash"}, headers=bearer()
    )
    assert_problem(twice, 409)
    bad = await admin_client.post(
        f"/admin/reservations/{code}/confirm", json={"payment_method": "bitcoin"}, headers=bearer()
    )
    assert_problem(bad, 422)
    assert settings.database_url is not None
    [(actor, action, target, before, after)] = await _audit(settings.database_url)
    assert (actor, action, target, before["status"]) == (
        ADMIN,
        "reservation.confirm_manually",
        code,
        "pre_reserved",
    )
    assert after == {"status": "confirmed", "method": "transfer", "note": "seña por transferencia"}


async def test_concurrent_cancel_and_confirm_one_wins(admin_client: Client) -> None:
    code = await _book(admin_client)
    cancel, confirm = await asyncio.gather(
        admin_client.post(f"/admin/reservations/{code}/cancel", json={}, headers=bearer()),
        admin_client.post(
            f"/admin/reservations/{code}/confirm", json={"payment_method": "cash"}, headers=bearer()
        ),
    )
    assert sorted([cancel.status_code, confirm.status_code]) == [200, 409]


async def test_blocks_exclude_bookings_and_bookings_exclude_blocks(
    admin_client: Client, clock: FixedClock, settings: Settings
) -> None:
    block = {
        "accommodation_id": 1,
        "check_in": "2026-12-18",
        "check_out": "2026-12-21",
        "reason": "pintura",
    }
    assert_problem(await admin_client.post("/admin/blocks", json=block), 401)
    created = await admin_client.post("/admin/blocks", json=block, headers=bearer())
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    assert created.headers["location"] == f"/api/v1/admin/blocks/{code}"

    assert_problem(await admin_client.post("/reservations", json=BOOKING), 409)
    avail = await admin_client.get(
        "/availability", params={"check_in": "2026-12-19", "check_out": "2026-12-21"}
    )
    assert not next(a for a in avail.json()["accommodations"] if a["accommodation_id"] == 1)[
        "available"
    ]
    cal = await admin_client.get(
        "/accommodations/1/calendar", params={"from": "2026-12-01", "to": "2027-01-01"}
    )
    assert cal.json()["occupied"] == [{"check_in": "2026-12-18", "check_out": "2026-12-21"}]
    assert_problem(await admin_client.get(f"/reservations/{code}"), 404)  # a block is not a booking
    listed = (
        await admin_client.get("/admin/blocks", params={"accommodation_id": 1}, headers=bearer())
    ).json()
    assert [b["code"] for b in listed] == [code]

    # A booking elsewhere, then a block over it: refused.
    booked = await _book(admin_client, check_in="2026-12-24", check_out="2026-12-27")
    over = {**block, "check_in": "2026-12-26", "check_out": "2026-12-28"}
    assert_problem(await admin_client.post("/admin/blocks", json=over, headers=bearer()), 409)
    # ... unless the hold lapsed: lapsed holds never block anything.
    clock.current = NOW + timedelta(hours=1)
    assert (
        await admin_client.post("/admin/blocks", json=over, headers=bearer())
    ).status_code == 201
    assert (await admin_client.get(f"/reservations/{booked}")).json()["status"] == "expired"

    removed = await admin_client.delete(f"/admin/blocks/{code}", headers=bearer())
    assert removed.status_code == 204
    assert_problem(await admin_client.delete(f"/admin/blocks/{code}", headers=bearer()), 404)
    assert (await admin_client.post("/reservations", json=BOOKING)).status_code == 201

    assert settings.database_url is not None
    actions = [(a[1], a[2]) for a in await _audit(settings.database_url)]
    assert ("block.create", code) in actions
    assert ("block.delete", code) in actions


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"check_in": "2026-11-20", "check_out": "2026-11-25"}, 422),  # already over
        ({"check_out": "2026-12-17"}, 422),  # backwards
        ({"accommodation_id": 99}, 404),
        ({"check_in": "mañana"}, 422),
    ],
)
async def test_bad_blocks(admin_client: Client, change: dict[str, object], status: int) -> None:
    block = {"accommodation_id": 1, "check_in": "2026-12-18", "check_out": "2026-12-21"}
    assert_problem(
        await admin_client.post("/admin/blocks", json={**block, **change}, headers=bearer()), status
    )


async def test_accommodations_create_update_deactivate(
    admin_client: Client, settings: Settings
) -> None:
    new = {
        "name": "Cabaña del Río",
        "capacity": 5,
        "base_price": 70000.50,
        "weekend_multiplier": 1.3,
        "min_nights": 2,
        "amenities": ["wifi", "parrilla"],
    }
    assert_problem(await admin_client.post("/admin/accommodations", json=new), 401)
    created = await admin_client.post("/admin/accommodations", json=new, headers=bearer())
    assert created.status_code == 201, created.text
    acc = created.json()
    assert (acc["name"], acc["base_price"], acc["weekend_multiplier"], acc["active"]) == (
        "Cabaña del Río",
        70000.5,
        1.3,
        True,
    )
    acc_id = acc["id"]
    # Guests see it at once in this process (the catalogue was refreshed).
    assert any(a["id"] == acc_id for a in (await admin_client.get("/accommodations")).json())
    assert_problem(
        await admin_client.post("/admin/accommodations", json=new, headers=bearer()), 409
    )

    patched = await admin_client.patch(
        f"/admin/accommodations/{acc_id}", json={"base_price": 80000}, headers=bearer()
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["base_price"] == 80000
    assert patched.json()["capacity"] == 5  # untouched
    quote = await admin_client.get(
        "/availability", params={"check_in": "2026-12-14", "check_out": "2026-12-16"}
    )
    mine = next(a for a in quote.json()["accommodations"] if a["accommodation_id"] == acc_id)
    assert mine["total_amount"] == 160000  # Mon + Tue nights at the new price

    off = await admin_client.post(f"/admin/accommodations/{acc_id}/deactivate", headers=bearer())
    assert off.json()["active"] is False
    assert_problem(await admin_client.get(f"/accommodations/{acc_id}"), 404)
    booking = {
        **BOOKING,
        "accommodation_id": acc_id,
        "check_in": "2026-12-14",
        "check_out": "2026-12-16",
    }
    assert (
        assert_problem(await admin_client.post("/reservations", json=booking), 422)["code"]
        == "accommodation_inactive"
    )
    listed = (await admin_client.get("/admin/accommodations", headers=bearer())).json()
    assert any(a["id"] == acc_id and a["active"] is False for a in listed)

    assert settings.database_url is not None
    audit = [(a[1], a[2]) for a in await _audit(settings.database_url)]
    assert audit == [
        ("accommodation.create", str(acc_id)),
        ("accommodation.update", str(acc_id)),
        ("accommodation.update", str(acc_id)),
    ]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"capacity": 0}, 422),
        ({"base_price": -1}, 422),
        ({"base_price": 0}, 422),  # a night is never free
        ({"base_price": 0.01, "weekend_multiplier": 0.4}, 422),  # a weekend night of 0 cents
        ({"base_price": 10.001}, 422),
        ({"weekend_multiplier": 0}, 422),
        ({"surprise": 1}, 422),
        ({"name": ""}, 422),
    ],
)
async def test_bad_accommodation_changes(
    admin_client: Client, body: dict[str, object], status: int
) -> None:
    assert_problem(
        await admin_client.patch("/admin/accommodations/1", json=body, headers=bearer()), status
    )


async def test_unknown_accommodation_is_404_for_admins_too(admin_client: Client) -> None:
    assert_problem(
        await admin_client.patch(
            "/admin/accommodations/999", json={"capacity": 2}, headers=bearer()
        ),
        404,
    )
    assert_problem(await admin_client.get("/admin/accommodations/999", headers=bearer()), 404)


async def test_stats_count_nights_revenue_and_pending_holds(admin_client: Client) -> None:
    held = await _book(admin_client)  # 3 nights on cabin 1 (Dec 18–21), a live hold
    confirmed = await _book(
        admin_client, accommodation_id=2, check_in="2026-12-10", check_out="2026-12-12"
    )
    await admin_client.post(
        f"/admin/reservations/{confirmed}/confirm",
        json={"payment_method": "cash"},
        headers=bearer(),
    )
    block = {"accommodation_id": 3, "check_in": "2026-12-05", "check_out": "2026-12-09"}
    assert (
        await admin_client.post("/admin/blocks", json=block, headers=bearer())
    ).status_code == 201
    assert_problem(await admin_client.get("/admin/stats"), 401)
    r = await admin_client.get(
        "/admin/stats", params={"from": "2026-12-01", "to": "2026-12-31"}, headers=bearer()
    )
    assert r.status_code == 200, r.text
    s = r.json()
    assert (s["booked_nights"], s["blocked_nights"], s["pending_holds"]) == (5, 4, 1)
    assert s["cabin_nights"] == 3 * 30
    assert s["occupancy"] == round(9 / 90, 4)
    dec = next(m for m in s["revenue_by_month"] if m["month"] == "2026-12")
    assert dec["bookings"] == 1  # only the confirmed one counts as revenue
    # Cabaña del Bosque: Thursday 60k + Friday 60k x 1.15.
    assert dec["total_amount"] == 129000
    assert held
    assert_problem(
        await admin_client.get(
            "/admin/stats", params={"from": "2026-12-31", "to": "2026-12-01"}, headers=bearer()
        ),
        422,
    )
