"""Engine and session factory, and the URL forms hosts hand out."""

from __future__ import annotations

import functools
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
import msgspec
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from adapters.postgres.errors import CHECKOUT_FAILED
from adapters.postgres.request_connection import StatementPool
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


# PostgreSQL abandons (and rolls back) a statement after this long, and a lock wait after half
# of it; the driver gives up on the server a few seconds later. So a statement that is merely
# slow ends on the server's side first, rolled back, and the client's 503 is the truth; only a
# server that stops answering altogether leaves the client not knowing (see PlaceHold's retry).
STATEMENT_TIMEOUT_S = 10.0
CLIENT_GRACE_S = 5.0
# How long a request waits for a pooled connection before answering 503.
POOL_TIMEOUT_S = 5.0
# What pg_stat_activity shows for our connections (`cabanas restore` names who is connected).
APPLICATION_NAME = "cabanas"


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """What the engine is created with (readable without connecting)."""

    connection_string: str
    connect_args: dict[str, Any]
    pool_size: int
    max_overflow: int

    def create_engine(self) -> AsyncEngine:
        return create_async_engine(
            self.connection_string,
            pool_size=self.pool_size,
            max_overflow=self.max_overflow,
            pool_pre_ping=False,
            pool_timeout=POOL_TIMEOUT_S,
            hide_parameters=True,  # guest data must never reach logs through SQL errors
            connect_args=self.connect_args,
            # JSONB columns (outbox payloads, deliveries) through msgspec, like the HTTP bodies.
            json_serializer=_encode_json,
            json_deserializer=msgspec.json.decode,
        )

    def create_statement_pool(self) -> StatementPool:
        """The pool of asyncpg connections for statements that stand alone
        (``adapters.postgres.request_connection``), connected as the engine's are: same
        server, settings, timeouts and TLS; as many as the engine's pool."""
        url = make_url(self.connection_string)
        _, params = _ASYNCPG_DIALECT.create_connect_args(url)  # type: ignore[no-untyped-call]
        params.pop("prepared_statement_cache_size", None)  # SQLAlchemy's, not asyncpg's
        params.pop("prepared_statement_name_func", None)
        params.update(self.connect_args)
        return StatementPool(
            functools.partial(asyncpg.connect, **params),
            size=self.pool_size + self.max_overflow,
            timeout_s=POOL_TIMEOUT_S,
        )


_ASYNCPG_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]


def _encode_json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def make_config(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 0,
    connect_timeout: float = 5,
    statement_timeout_s: float = STATEMENT_TIMEOUT_S,
    application_name: str = APPLICATION_NAME,
) -> EngineConfig:
    connect_args: dict[str, Any] = {
        "timeout": connect_timeout,
        "command_timeout": statement_timeout_s + CLIENT_GRACE_S,
        "server_settings": {
            "application_name": application_name,
            "statement_timeout": str(int(statement_timeout_s * 1000)),
            "lock_timeout": str(int(statement_timeout_s * 500)),
        },
    }
    context = ssl_context(url)
    if context is not None:
        connect_args["ssl"] = context
    return EngineConfig(async_url(url), connect_args, pool_size, max_overflow)


@asynccontextmanager
async def checkout(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A pooled connection; an exhausted pool or an unreachable server → ``StorageUnavailable``
    (503 with Retry-After), never a hanging request or a bare 500."""
    try:
        conn = await engine.connect()
    except CHECKOUT_FAILED as exc:
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
    statement_timeout_s: float = STATEMENT_TIMEOUT_S,
    application_name: str = APPLICATION_NAME,
) -> AsyncEngine:
    return make_config(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        connect_timeout=connect_timeout,
        statement_timeout_s=statement_timeout_s,
        application_name=application_name,
    ).create_engine()
