"""The oldest PostgreSQL this code is run on (checklist §1: "PostgreSQL 16+"; the tests and
development run 18). readyz and the release step refuse an older server and say which it is."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

MINIMUM_MAJOR = 16


def readable(version_num: int) -> str:
    """``server_version_num`` as people write it: 180001 → "18.1", 90624 → "9.6.24"."""
    if version_num >= 100_000:
        return f"{version_num // 10_000}.{version_num % 10_000}"
    major, rest = divmod(version_num, 10_000)
    return f"{major}.{rest // 100}.{rest % 100}"


def unsupported(version_num: int, minimum: int | None = None) -> str | None:
    """Why this server is too old, or None when it will do."""
    minimum = MINIMUM_MAJOR if minimum is None else minimum
    if version_num >= minimum * 10_000:
        return None
    return f"PostgreSQL {readable(version_num)} is older than {minimum}, the oldest supported"


async def server_version_num(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SHOW server_version_num"))).scalar_one())
