"""Engine and session factory, and the URL forms hosts hand out."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
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


_TRUE = frozenset({"true", "1", "yes", "on"})
# libpq's certificate option, which asyncpg cannot take as a keyword: make_config turns it
# into an SSL context instead.
_ROOT_CERT = "sslrootcert"


def _libpq_query(url: str) -> tuple[str, list[tuple[str, str]]]:
    """The scheme asyncpg's dialect wants and the query in libpq's names (``sslmode``; the
    ``ssl=true`` some hosts hand out means ``sslmode=require``)."""
    parts = urlsplit(url)
    scheme = _SCHEMES.get(parts.scheme)
    if scheme is None:
        raise ValueError(f"not a PostgreSQL URL (scheme {parts.scheme!r})")
    query = []
    for key, value in parse_qsl(parts.query):
        if key == "ssl":
            query.append(("sslmode", "require" if value.lower() in _TRUE else value))
        else:
            query.append((key, value))
    return scheme, query


def async_url(url: str) -> str:
    """``postgres://`` / ``postgresql://`` → ``postgresql+asyncpg://``; ``sslmode`` → ``ssl``
    (asyncpg's name for it); ``sslrootcert`` left out (see ``make_config``)."""
    scheme, query = _libpq_query(url)
    parts = urlsplit(url)
    query = [("ssl" if k == "sslmode" else k, v) for k, v in query if k != _ROOT_CERT]
    return urlunsplit((scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def sync_url(url: str) -> str:
    """The same database for tools that want a plain libpq-style URL (pg_dump, psql)."""
    _, query = _libpq_query(url)
    parts = urlsplit(url)
    return urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(query), parts.fragment))


def sslmode(url: str) -> str:
    """The URL's sslmode as libpq reads it (``ssl=true`` → ``require``); "" when unset."""
    _, query = _libpq_query(url)
    return dict(query).get("sslmode", "").lower()


def ssl_context(url: str) -> ssl.SSLContext | None:
    """With ``sslrootcert``, the server's certificate is checked against that CA, as libpq
    does: ``verify-full`` also checks the host name; ``verify-ca`` and ``require`` do not."""
    _, query = _libpq_query(url)
    options = dict(query)
    cafile = options.get(_ROOT_CERT)
    if not cafile:
        return None
    context = ssl.create_default_context(cafile=cafile)
    context.check_hostname = sslmode(url) == "verify-full"
    context.verify_mode = ssl.CERT_REQUIRED
    return context


# What pg_stat_activity shows for our connections (`cabanas restore` names who is connected).
APPLICATION_NAME = "cabanas"


def make_config(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 0,
    connect_timeout: float = 5,
    application_name: str = APPLICATION_NAME,
) -> SQLAlchemyAsyncConfig:
    connect_args: dict[str, Any] = {
        "timeout": connect_timeout,
        "command_timeout": 15,
        "server_settings": {"application_name": application_name},
    }
    context = ssl_context(url)
    if context is not None:
        connect_args["ssl"] = context
    return SQLAlchemyAsyncConfig(
        connection_string=async_url(url),
        engine_config=EngineConfig(
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_pre_ping=False,
            hide_parameters=True,  # guest data must never reach logs through SQL errors
            pool_timeout=5,
            connect_args=connect_args,
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
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 0,
    connect_timeout: float = 5,
    application_name: str = APPLICATION_NAME,
) -> AsyncEngine:
    return make_config(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        connect_timeout=connect_timeout,
        application_name=application_name,
    ).get_engine()
