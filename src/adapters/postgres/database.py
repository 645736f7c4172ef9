"""Engine and session factory, and the URL forms hosts hand out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from advanced_alchemy.config import EngineConfig, SQLAlchemyAsyncConfig
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from application.errors import StorageUnavailable

_SCHEMES = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


def async_url(url: str) -> str:
    """``postgres://`` / ``postgresql://`` → ``postgresql+asyncpg://``; ``sslmode`` → ``ssl``
    (asyncpg's name for it)."""
    parts = urlsplit(url)
    scheme = _SCHEMES.get(parts.scheme)
    if scheme is None:
        raise ValueError(f"not a PostgreSQL URL (scheme {parts.scheme!r})")
    query = [("ssl" if k == "sslmode" else k, v) for k, v in parse_qsl(parts.query)]
    return urlunsplit((scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def sync_url(url: str) -> str:
    """The same database for tools that want a plain libpq-style URL (pg_dump, psql)."""
    parts = urlsplit(async_url(url))
    query = [("sslmode" if k == "ssl" else k, v) for k, v in parse_qsl(parts.query)]
    return urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(query), parts.fragment))


def make_config(
    url: str, *, pool_size: int = 10, max_overflow: int = 0, connect_timeout: float = 5
) -> SQLAlchemyAsyncConfig:
    return SQLAlchemyAsyncConfig(
        connection_string=async_url(url),
        engine_config=EngineConfig(
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_pre_ping=False,
            hide_parameters=True,  # guest data must never reach logs through SQL errors
            pool_timeout=5,
            connect_args={"timeout": connect_timeout, "command_timeout": 15},
        ),
    )


@asynccontextmanager
async def checkout(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A pooled connection; an exhausted pool or an unreachable server → ``StorageUnavailable``
    (503 with Retry-After), never a hanging request or a bare 500."""
    try:
        conn = await engine.connect()
    except (PoolTimeout, OperationalError, InterfaceError, OSError) as exc:
        raise StorageUnavailable("no database connection available") from exc
    try:
        yield conn
    finally:
        await conn.close()


def make_engine(
    url: str, *, pool_size: int = 10, max_overflow: int = 0, connect_timeout: float = 5
) -> AsyncEngine:
    return make_config(
        url, pool_size=pool_size, max_overflow=max_overflow, connect_timeout=connect_timeout
    ).get_engine()
