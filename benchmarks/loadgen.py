"""A small HTTP/1.1 keep-alive client on asyncio streams, for the scenarios wrk cannot express:
the hot spot (rounds of 50 simultaneous bookings of one stay) and the open-loop fixed-rate mix
(latency measured from the *intended* send time, so queueing is not hidden)."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta


class Conn:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.last_used = time.monotonic()

    async def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        # Every request from a guest of its own, as behind Fly's proxy (TRUSTED_PROXY=true):
        # per-address budgets (rate limit, live holds) see many guests, not one load generator.
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nFly-Client-IP: {guest_address()}\r\n"
        )
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + (body or b""))
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = 0
        closing = False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection":
                closing = "close" in value.lower()
        payload = await self.reader.readexactly(length) if length else b""
        self.last_used = time.monotonic()
        if closing:  # the server ends this connection after its answer: the next one opens anew
            self.close()
        return status, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


KEEP_ALIVE_S = 4.0


def guest_address() -> str:
    n = random.getrandbits(24)
    return f"10.{n >> 16}.{n >> 8 & 255}.{n & 255}"


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def free_night(k: int) -> int:
    """Day offsets that start free in the seeded data (benchmarks/seed.py)."""
    return 5 + 9 * (k // 7 % 60) + 2 + k % 7


def booking(cabin: int, check_in: date, nights: int, n: int) -> bytes:
    return json.dumps(
        {
            "accommodation_id": cabin,
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=nights)).isoformat(),
            "guests": 2,
            "guest_name": f"Carrera {n}",
            "guest_phone": f"+54911{n % 100_000_000:08d}",
        }
    ).encode()


@dataclass
class HotSpotResult:
    rounds: int
    clients: int
    rounds_with_one_winner: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    winner_ms: list[float] = field(default_factory=list)
    loser_ms: list[float] = field(default_factory=list)


async def hot_spot(
    host: str, port: int, today: date, *, clients: int = 50, rounds: int = 40, cabin: int = 50
) -> HotSpotResult:
    conns = [Conn(host, port) for _ in range(clients)]
    result = HotSpotResult(rounds, clients)

    async def one(conn: Conn, body: bytes) -> tuple[int, float]:
        started = time.perf_counter()
        status, _ = await conn.request("POST", "/api/v1/reservations", body)
        return status, (time.perf_counter() - started) * 1000

    for r in range(rounds):
        check_in = today + timedelta(days=free_night(r))
        outcomes = await asyncio.gather(
            *(one(c, booking(cabin, check_in, 1, r * clients + i)) for i, c in enumerate(conns))
        )
        winners = [ms for status, ms in outcomes if status == 201]
        result.winner_ms += winners
        result.loser_ms += [ms for status, ms in outcomes if status != 201]
        result.statuses.update(status for status, _ in outcomes)
        result.rounds_with_one_winner += len(winners) == 1
    for c in conns:
        c.close()
    return result


@dataclass
class OpenLoopResult:
    rate: float
    seconds: float
    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    socket_errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    max_lag_ms: float = 0.0


async def open_loop(
    host: str, port: int, today: date, *, rate: float = 100, seconds: float = 60, codes: list[str]
) -> OpenLoopResult:
    """Realistic mix at a fixed arrival rate: 35 % availability, 25 % catalogue, 15 % booking
    lookups, 15 % new bookings, 10 % health."""
    rng = random.Random(7)
    idle: list[Conn] = []
    result = OpenLoopResult(rate, seconds)
    tasks: set[asyncio.Task[None]] = set()

    def pick(n: int) -> tuple[str, str, bytes | None]:
        roll = rng.random()
        if roll < 0.35:
            start = today + timedelta(days=rng.randint(5, 500))
            end = start + timedelta(days=rng.randint(2, 4))
            return "GET", f"/api/v1/availability?check_in={start}&check_out={end}&guests=2", None
        if roll < 0.60:
            return "GET", "/api/v1/accommodations", None
        if roll < 0.75:
            return "GET", f"/api/v1/reservations/{rng.choice(codes)}", None
        if roll < 0.90:
            body = booking(
                rng.randint(1, 49),
                today + timedelta(days=free_night(rng.randrange(420))),
                1,
                5_000_000 + n,
            )
            return "POST", "/api/v1/reservations", body
        return "GET", "/api/v1/healthz", None

    async def fire(intended: float, method: str, path: str, body: bytes | None) -> None:
        conn = idle.pop() if idle else Conn(host, port)
        if time.monotonic() - conn.last_used > KEEP_ALIVE_S:
            # The server closes idle keep-alive connections after 5 s (uvicorn's default); a
            # real client would not reuse one that old either.
            conn.close()
        try:
            status, _ = await conn.request(method, path, body)
            result.statuses[status] += 1
            idle.append(conn)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            result.socket_errors += 1
            conn.close()
        result.latencies_ms.append((time.perf_counter() - intended) * 1000)

    start = time.perf_counter()
    total = int(rate * seconds)
    for n in range(total):
        intended = start + n / rate
        delay = intended - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        result.max_lag_ms = max(result.max_lag_ms, (time.perf_counter() - intended) * 1000)
        task = asyncio.create_task(fire(intended, *pick(n)))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        result.sent += 1
    await asyncio.gather(*tasks)
    for c in idle:
        c.close()
    return result
