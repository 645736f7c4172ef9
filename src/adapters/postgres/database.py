"""Engine and session factory, and the URL forms hosts hand out."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from advanced_alchemy.config import EngineConfig, SQLAlchemyAsyncConfig
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

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


def make_config(url: str, *, pool_size: int = 10, max_overflow: int = 0) -> SQLAlchemyAsyncConfig:
    return SQLAlchemyAsyncConfig(
        connection_string=async_url(url),
        engine_config=EngineConfig(
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_pre_ping=False,
            hide_parameters=True,  # guest data must never reach logs through SQL errors
            pool_timeout=5,
            connect_args={"timeout": 5, "command_timeout": 15},
        ),
    )


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 0) -> AsyncEngine:
    return make_config(url, pool_size=pool_size, max_overflow=max_overflow).get_engine()


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
