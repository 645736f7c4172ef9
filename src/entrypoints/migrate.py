"""Alembic, driven from Python: `cabanas migrate` (Fly's release command), `make run`, the tests."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.database import make_engine
from adapters.postgres.migrations import (
    SCRIPT_LOCATION,
    SchemaVerdict,
    current_revisions,
    judge_schema,
)

log = logging.getLogger("cabanas.migrate")


class SchemaRefused(Exception):
    """The database is ahead of this code by a revision that is not expand-only (or unknown)."""


class UnknownRevision(Exception):
    """A target this release has no migration for (nothing was done)."""


class WrongDirection(Exception):
    """A target below the database's revision without ``down``, or above it with ``down``
    (nothing was done)."""


BASE = "base"
_STEPS_DOWN = re.compile(r"-([1-9][0-9]*)")


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


@dataclass(frozen=True, slots=True)
class Revision:
    """One migration this release has, for ``cabanas migrate --list``."""

    revision: str
    name: str
    head: bool


def revisions() -> list[Revision]:
    """Every migration this release has, oldest first."""
    script = _script()
    heads = set(script.get_heads())
    found = []
    for rev in reversed(list(script.walk_revisions())):
        stem = Path(rev.path).stem
        found.append(
            Revision(rev.revision, stem.removeprefix(f"{rev.revision}_"), rev.revision in heads)
        )
    return found


def database_revisions(database_url: str) -> set[str]:
    async def read() -> set[str]:
        engine = make_engine(database_url, pool_size=1)
        try:
            return await current_revisions(engine)
        finally:
            await engine.dispose()

    return asyncio.run(read())


def migrate(database_url: str, target: str = "head", *, down: bool = False) -> str | None:
    """`cabanas migrate`: what it did, as a line for the operator (None: said in the log).
    Rules:
    - ``head`` (the default) upgrades; a database ahead of this release by expand-only
      revisions is left as it is, anything else ahead is SchemaRefused (``upgrade``);
    - a target is ``head``, ``base``, a revision this release has, or with ``down`` ``-N``
      (N revisions below the database's); anything else is UnknownRevision;
    - a downgrade can drop tables and columns with their data: a target below the database's
      revision is WrongDirection unless ``down`` asks for it, and ``down`` never upgrades;
    - a target the database is at already changes nothing and says so;
    - a database at a revision this release does not know is moved by nothing but ``head``.
    Nothing is done when it refuses."""
    steps = _STEPS_DOWN.fullmatch(target)
    if target not in {"head", BASE} and not steps and target not in known_revisions():
        raise UnknownRevision(
            f"unknown revision {target!r}: this release has no migration by that name"
        )
    current = database_revisions(database_url)
    heads = head_revisions()
    if target == "head" and not down:
        if current == heads:
            return f"already at head ({_shown(current)})"
        upgrade(database_url)  # leaves a database ahead by expand-only revisions as it is
        after = database_revisions(database_url)
        if after == current:
            return None
        return f"migrated from {_shown(current)} up to head ({_shown(after)})"
    if current - known_revisions() or len(current) > 1:
        raise SchemaRefused(
            f"the database is at {_shown(current)}: this release can move it only to its "
            "head (cabanas migrate)"
        )
    at = next(iter(current), BASE)
    below = _below(at)
    to = _shown(heads) if target == "head" else target
    if steps and down:
        to = _steps_down(at, below, int(steps.group(1)))
    if to == at:
        return f"already at {at}"
    if (steps or to in below) and not down:
        raise WrongDirection(
            f"{to} is below the database's {at}: a downgrade drops what the revisions after it "
            f"added, with their data; to do it, say so: cabanas migrate --down {to}"
        )
    if to not in below and down:
        raise WrongDirection(
            f"{to} is above the database's {at}: --down only goes down (cabanas migrate {to} "
            "upgrades)"
        )
    if down:
        downgrade(database_url, to)
        return f"migrated from {at} down to {to}"
    command.upgrade(alembic_config(database_url), to)
    return f"migrated from {at} up to {to}"


def _steps_down(at: str, below: list[str], count: int) -> str:
    if count > len(below):
        raise UnknownRevision(
            f"-{count} goes below base: the database, at {at}, has {len(below)} revision(s) "
            "below it"
        )
    return below[count - 1]


def _below(revision: str) -> list[str]:
    """The revisions under ``revision``, nearest first, ending with ``base``."""
    if revision == BASE:
        return []
    chain = [r.revision for r in _script().iterate_revisions(revision, BASE)]
    return [*chain[1:], BASE]


def _shown(revisions: set[str]) -> str:
    return ", ".join(sorted(revisions)) or BASE
