"""Alembic, driven from Python: `cabanas migrate` (Fly's release command), `make run`, the tests."""

from __future__ import annotations

import asyncio
import logging

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.database import make_engine
from adapters.postgres.migrations import SCRIPT_LOCATION, SchemaVerdict, judge_schema

log = logging.getLogger("cabanas.migrate")


class SchemaRefused(Exception):
    """The database is ahead of this code by a revision that is not expand-only (or unknown)."""


def alembic_config(database_url: str) -> Config:
    """No alembic.ini: everything it would say is set here, so an installed wheel (the image)
    migrates the same way as the source tree."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.set_main_option("path_separator", "os")
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logging"] = False
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """To ``head``: a database already ahead of this code by expand-only revisions is left as it
    is (a rollback to this release); ahead by anything else raises SchemaRefused."""
    if revision == "head":
        verdict = asyncio.run(schema_verdict(database_url))
        if verdict.ahead:
            log.warning("nothing to migrate: %s", verdict.detail)
            return
        if not verdict.runnable and not verdict.behind:
            raise SchemaRefused(verdict.detail)
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def _script() -> ScriptDirectory:
    return ScriptDirectory(str(SCRIPT_LOCATION))


def head_revisions() -> set[str]:
    return set(_script().get_heads())


def known_revisions() -> set[str]:
    return {script.revision for script in _script().walk_revisions()}


async def judge(engine: AsyncEngine) -> SchemaVerdict:
    """readyz's question: can this code run on that database's schema?"""
    return await judge_schema(engine, head_revisions(), known_revisions())


async def schema_verdict(database_url: str) -> SchemaVerdict:
    engine = make_engine(database_url, pool_size=1)
    try:
        return await judge(engine)
    finally:
        await engine.dispose()
