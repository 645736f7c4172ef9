"""Alembic, driven from Python: `cabanas migrate`, `make run`, the tests."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from adapters.postgres.migrations import SCRIPT_LOCATION


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
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def head_revisions() -> set[str]:
    script = ScriptDirectory(str(SCRIPT_LOCATION))
    return set(script.get_heads())
