"""Alembic environment: async engine, URL from the config (`cabanas migrate` sets it) or, for
the bare alembic command (`alembic upgrade head`, the cutover checklist's), ``-x
database_url=...`` or else ``DATABASE_URL``: that command starts none of our entrypoints, so
this file reads the one variable it needs itself (everything else reads Settings)."""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from adapters.postgres.database import async_url, ssl_context
from adapters.postgres.migrations import record_revision
from adapters.postgres.tables import metadata

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _given_url() -> str:
    url = (
        config.get_main_option("sqlalchemy.url")
        or context.get_x_argument(as_dictionary=True).get("database_url")
        or os.environ.get("DATABASE_URL", "").strip()
    )
    if not url:
        raise SystemExit(
            "Set DATABASE_URL (postgres://…) to migrate, or run `cabanas migrate` "
            "(or alembic -x database_url=…)."
        )
    try:
        async_url(url)
    except ValueError as exc:
        raise SystemExit(f"The database URL is not a PostgreSQL one: {exc}.") from None
    return url


def _url() -> str:
    return async_url(_given_url())


def _configure(connection: Connection | None = None, **kwargs: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table="alembic_version",
        compare_type=True,
        render_as_batch=False,
        transaction_per_migration=True,
        on_version_apply=record_revision,
        **kwargs,  # type: ignore[arg-type]
    )


def run_offline() -> None:
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    # sslrootcert verifies the server as the app does (make_config): the URL alone drops it.
    context = ssl_context(_given_url())
    connect_args = {"ssl": context} if context is not None else {}
    engine = create_async_engine(_url(), poolclass=NullPool, connect_args=connect_args)
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync)
    await engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    asyncio.run(run_online())
