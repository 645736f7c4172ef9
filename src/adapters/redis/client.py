from __future__ import annotations

from redis.asyncio import Redis


def make_redis(url: str) -> Redis:
    return Redis.from_url(
        url,
        socket_connect_timeout=2,
        socket_timeout=2,
        health_check_interval=30,
        decode_responses=False,
    )


class RedisProbe:
    name = "redis"
    # Not critical: bookings, payments and calendars need only PostgreSQL, and the rate limiter
    # fails open. A Redis outage degrades the service (WhatsApp conversation state, the rate
    # limit, the calendar sync lock) but must not make Fly pull every machine from routing.
    critical = False

    def __init__(self, client: Redis) -> None:
        self._client = client

    async def check(self) -> None:
        await self._client.ping()
