"""The bare reference: Litestar + asyncpg, the same SQL as the service, nothing else.

No DI container, no ORM/Core compilation, no domain objects, no error mapping: the floor the
real service is measured against (`make bench` prints ours / reference).
Run: uvicorn --factory benchmarks.reference_app:create (DATABASE_URL, REDIS_URL from the env).

``REFERENCE_RATE_LIMIT=N`` (requests a minute per client address) puts the service's exact rate
limit in front of it: the same limiter, Redis client and script, the same paths left out (the
health probe among them), the client address read from ``Fly-Client-IP`` as ours reads it
behind Fly, the same three ``RateLimit-*`` headers and a 429 past the limit. ``make bench``
runs this variant beside the bare one, so the table tells the limit's own cost apart from the
rest of the service's.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Litestar, Request, Response, get, post
from litestar.params import PathParameter, QueryParameter
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from redis.asyncio import Redis

from adapters.redis.rate_limit import RedisRateLimiter
from adapters.redis.resp import RespPipe
from entrypoints.http.hardening import (
    PROBE_PATHS,
    UNLIMITED_PREFIXES,
    client_ip,
    rate_limit_headers,
)

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # pragma: allowlist secret
ACTIVE = "status IN ('pre_reserved', 'confirmed')"
CABINS_SQL = (
    "SELECT id, name, description, capacity, base_price_cents, currency, weekend_multiplier,"
    " min_nights, amenities, active FROM accommodations WHERE active ORDER BY id"
)
OCCUPIED_SQL = (
    "SELECT accommodation_id, check_in, check_out FROM reservations WHERE "
    + ACTIVE
    + " AND (status <> 'pre_reserved' OR expires_at > $3) AND stay && daterange($1, $2, '[)')"
)
INSERT_SQL = (
    "INSERT INTO reservations (code, accommodation_id, check_in, check_out, guests, guest_name,"
    " guest_phone, guest_email, notes, total_cents, deposit_cents, currency, channel, status,"
    " expires_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
    " 'ARS', 'api', 'pre_reserved', $12, $13, $13)"
    " ON CONFLICT ON CONSTRAINT reservations_no_overlap DO NOTHING RETURNING id"
)
# The season lookup (one query), as the service prices through the owner's seasons.
SEASONS_SQL = (
    "SELECT accommodation_id, first_month, first_day, last_month, last_day, nightly_cents,"
    " percent_over_base, weekend_cents FROM price_seasons"
)
LOOKUP_SQL = (
    "SELECT code, status, accommodation_id, check_in, check_out, guests, total_cents,"
    " deposit_cents, currency, channel, created_at, expires_at, guest_name, guest_phone,"
    " guest_email, payment_url FROM reservations WHERE code = $1 AND kind = 'booking'"
)
EXPIRE_SQL = (
    "UPDATE reservations SET status = 'expired', updated_at = $4 WHERE accommodation_id = $1"
    " AND status = 'pre_reserved' AND expires_at <= $4 AND stay && daterange($2, $3, '[)')"
    " RETURNING id"
)


class Booking(msgspec.Struct):
    accommodation_id: int
    check_in: dt.date
    check_out: dt.date
    guests: int
    guest_name: str
    guest_phone: str
    guest_email: str | None = None
    notes: str | None = None


def _in_season(season: Any, day: dt.date) -> bool:
    first = (season["first_month"], season["first_day"])
    last = (season["last_month"], season["last_day"])
    if last == (2, 28):  # "to the end of February", 29/02 included in leap years
        last = (2, 29)
    md = (day.month, day.day)
    return first <= md <= last if first <= last else md >= first or md <= last


def _price(row: Any, check_in: dt.date, check_out: dt.date, seasons: Any = ()) -> int:
    """Nights at base (Friday and Saturday with the multiplier), or at the season's rate: its
    nightly price, or a percentage over that base; its weekend price on Friday and Saturday."""
    total = 0
    day = check_in
    while day < check_out:
        base = Decimal(row["base_price_cents"])
        weekend = day.weekday() in (4, 5)
        if weekend:
            base = (base * row["weekend_multiplier"]).quantize(Decimal(1), ROUND_HALF_UP)
        season = next((s for s in seasons if _in_season(s, day)), None)
        if season is not None:
            if weekend and season["weekend_cents"] is not None:
                base = Decimal(season["weekend_cents"])
            elif season["nightly_cents"] is not None:
                base = Decimal(season["nightly_cents"])
            else:
                factor = (100 + season["percent_over_base"]) / 100
                base = (base * factor).quantize(Decimal(1), ROUND_HALF_UP)
        total += int(base)
        day += dt.timedelta(days=1)
    return total


def _mask_name(name: str) -> str:
    first, *rest = name.split()
    return " ".join([first, *(f"{p[0]}." for p in rest)])


def _lookup_view(r: Any, now: dt.datetime) -> dict[str, Any]:
    """The same JSON as the service's lookup (guest contact data masked, a lapsed hold read
    as expired), built straight from the row."""
    status = r["status"]
    if status == "pre_reserved" and r["expires_at"] <= now:
        status = "expired"
    code, phone, email = r["code"], r["guest_phone"], r["guest_email"]
    held = status == "pre_reserved"
    return {
        "code": code,
        "code_display": f"{code[0:4]}-{code[4:8]}-{code[8:12]}",
        "status": status,
        "accommodation_id": r["accommodation_id"],
        "check_in": r["check_in"],
        "check_out": r["check_out"],
        "nights": (r["check_out"] - r["check_in"]).days,
        "guests": r["guests"],
        "total_amount": r["total_cents"] / 100,
        "deposit_amount": r["deposit_cents"] / 100,
        "currency": r["currency"],
        "channel": r["channel"],
        "created_at": r["created_at"],
        "expires_at": r["expires_at"] if held else None,
        "guest": {
            "name": _mask_name(r["guest_name"]),
            "phone": phone[:4] + "*" * (len(phone) - 6) + phone[-2:],
            "email": None if email is None else f"{email[:1]}***@{email.partition('@')[2]}",
        },
        "payment_url": r["payment_url"] if held else None,
    }


class RateLimited:
    """The exact limit alone, as the service's hardening middleware applies it: to every path
    but the probes and the few ours leaves unlimited."""

    def __init__(self, app: ASGIApp, limiter: RedisRateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in PROBE_PATHS or path.startswith(UNLIMITED_PREFIXES):
            await self.app(scope, receive, send)
            return
        decision = await self.limiter.hit(client_ip(scope, "Fly-Client-IP"))
        extra = rate_limit_headers(decision)
        if not decision.allowed:
            body = msgspec.json.encode({"status": 429, "detail": "rate limited"})
            start: Any = {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(decision.reset_s).encode()),
                    *extra,
                ],
            }
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create() -> ASGIApp:
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        url = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
        size = int(os.environ.get("DB_POOL_SIZE", "10"))
        state["pool"] = await asyncpg.create_pool(url, min_size=size, max_size=size)
        state["redis"] = Redis.from_url(os.environ["REDIS_URL"])
        yield
        await state["pool"].close()
        await state["redis"].aclose()

    @get("/api/v1/healthz")
    async def healthz() -> dict[str, Any]:
        async with state["pool"].acquire() as conn:
            await conn.fetchval("SELECT 1")
        await state["redis"].ping()
        return {"status": "healthy", "checks": {"database": {"ok": True}, "redis": {"ok": True}}}

    @get("/api/v1/accommodations")
    async def accommodations() -> list[dict[str, Any]]:
        rows = await state["pool"].fetch(CABINS_SQL)
        return [
            {
                "id": r["id"],
                "name": r["name"],
                "description": r["description"],
                "capacity": r["capacity"],
                "base_price": r["base_price_cents"] / 100,
                "weekend_multiplier": float(r["weekend_multiplier"]),
                "min_nights": r["min_nights"],
                "amenities": r["amenities"],
                "currency": r["currency"],
            }
            for r in rows
        ]

    @get("/api/v1/availability")
    async def availability(
        check_in: Annotated[dt.date, QueryParameter()],
        check_out: Annotated[dt.date, QueryParameter()],
        guests: Annotated[int, QueryParameter()] = 1,
    ) -> dict[str, Any]:
        now = dt.datetime.now(dt.UTC)
        async with state["pool"].acquire() as conn:
            cabins = await conn.fetch(CABINS_SQL)
            taken = {
                r["accommodation_id"]
                for r in await conn.fetch(OCCUPIED_SQL, check_in, check_out, now)
            }
            seasons: dict[int, list[Any]] = {}
            for s in await conn.fetch(SEASONS_SQL):
                seasons.setdefault(s["accommodation_id"], []).append(s)
        items = []
        for r in cabins:
            total = _price(r, check_in, check_out, seasons.get(r["id"], ()))
            items.append(
                {
                    "accommodation_id": r["id"],
                    "name": r["name"],
                    "capacity": r["capacity"],
                    "available": r["id"] not in taken and guests <= r["capacity"],
                    "total_amount": total / 100,
                    "deposit_amount": round(total * 0.3) / 100,
                    "currency": "ARS",
                }
            )
        return {"check_in": check_in, "check_out": check_out, "accommodations": items}

    @post("/api/v1/reservations")
    async def reserve(request: Request[Any, Any, Any]) -> Response[Any]:
        b = msgspec.json.decode(await request.body(), type=Booking)
        now = dt.datetime.now(dt.UTC)
        code = "".join(secrets.choice(ALPHABET) for _ in range(12))
        async with state["pool"].acquire() as conn, conn.transaction():
            cabin = await conn.fetchrow(
                "SELECT id, capacity, base_price_cents, weekend_multiplier FROM accommodations"
                " WHERE id = $1",
                b.accommodation_id,
            )
            total = _price(cabin, b.check_in, b.check_out)
            args = (
                code,
                b.accommodation_id,
                b.check_in,
                b.check_out,
                b.guests,
                b.guest_name,
                b.guest_phone,
                b.guest_email,
                b.notes,
                total,
                round(total * 0.3),
                now + dt.timedelta(minutes=30),
                now,
            )
            row = await conn.fetchrow(INSERT_SQL, *args)
            if row is None and await conn.fetch(
                EXPIRE_SQL, b.accommodation_id, b.check_in, b.check_out, now
            ):
                row = await conn.fetchrow(INSERT_SQL, *args)
        if row is None:
            return Response({"status": 409, "detail": "taken"}, status_code=409)
        return Response(
            {"code": code, "status": "pre_reserved", "total_amount": total / 100},
            status_code=201,
            headers={"Location": f"/api/v1/reservations/{code}"},
        )

    @get("/api/v1/reservations/{code:str}")
    async def lookup(code: Annotated[str, PathParameter()]) -> Response[Any]:
        row = await state["pool"].fetchrow(LOOKUP_SQL, code.upper())
        if row is None:
            return Response({"status": 404, "detail": "not found"}, status_code=404)
        return Response(_lookup_view(row, dt.datetime.now(dt.UTC)))

    app = Litestar([healthz, accommodations, availability, reserve, lookup], lifespan=[lifespan])
    limit = int(os.environ.get("REFERENCE_RATE_LIMIT") or 0)
    if limit <= 0:
        return app
    # Litestar runs the lifespan; the limiter's Redis connection opens on its first call.
    return RateLimited(app, RedisRateLimiter(RespPipe(os.environ["REDIS_URL"]), limit))
