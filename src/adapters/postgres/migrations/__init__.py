"""The Alembic migrations (this directory is Alembic's script location: env.py, versions/) and
where the schema stands compared with them.

They live inside the package so that an installed wheel carries them: the image installs the
project as a wheel, and nothing outside site-packages is there to be found.

A database may be *ahead* of the running code: after a rollback, the previous release runs on
the schema the newer one migrated. That is accepted when every revision the code does not know
was marked ``expand_only`` in its file; env.py records each applied revision, its parent and
that mark in ``schema_revisions``, because the older code has not got the newer files
(docs/adr/0001-rollback-onto-a-newer-schema.md).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext, MigrationInfo
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.postgres.server_version import server_version_num, unsupported

SCRIPT_LOCATION = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class SchemaVerdict:
    """Can this code run on the database's schema? ``behind``: `cabanas migrate` fixes it;
    ``ahead``: the expand-only revisions beyond the code's head, newest first."""

    runnable: bool
    detail: str
    behind: bool = False
    ahead: tuple[str, ...] = ()


async def current_revisions(engine: AsyncEngine) -> set[str]:
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
            return {r[0] for r in rows}
    except ProgrammingError:  # no alembic_version table: never migrated
        return set()


async def judge_schema(engine: AsyncEngine, heads: set[str], known: set[str]) -> SchemaVerdict:
    """``heads``/``known``: the code's head revisions and every revision it has a file for.
    A server older than the supported minimum is refused first, whatever its schema."""
    if (too_old := unsupported(await server_version_num(engine))) is not None:
        return SchemaVerdict(False, too_old)
    current = await current_revisions(engine)
    if current == heads:
        return SchemaVerdict(True, "at head")
    unknown = current - known
    if not unknown:
        detail = f"migrations not at head (database {sorted(current)}, code {sorted(heads)})"
        return SchemaVerdict(False, detail, behind=True)
    recorded = await _recorded_revisions(engine)
    ahead: list[str] = []
    for revision in sorted(unknown):
        step = revision
        while step not in known:
            if step not in recorded:
                return SchemaVerdict(
                    False,
                    f"the database is at revision {step}, which this release does not know and "
                    "which schema_revisions does not describe: deploy a release that has it",
                )
            parent, expand_only = recorded[step]
            if not expand_only:
                return SchemaVerdict(
                    False,
                    f"the database is ahead of this release at revision {step}, which is not "
                    "expand-only: this release cannot run on it (deploy a release that has it)",
                )
            ahead.append(step)
            if parent is None or "," in parent:
                return SchemaVerdict(
                    False, f"revision {step} does not descend from this release's head alone"
                )
            step = parent
        if step not in heads:
            return SchemaVerdict(
                False,
                f"the database's revisions {sorted(unknown)} descend from {step}, not from this "
                f"release's head {sorted(heads)}",
            )
    return SchemaVerdict(
        True,
        f"the database is ahead of this release by expand-only revision(s) {', '.join(ahead)}",
        ahead=tuple(ahead),
    )


async def _recorded_revisions(engine: AsyncEngine) -> dict[str, tuple[str | None, bool]]:
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT revision, down_revision, expand_only FROM schema_revisions")
            )
            return {r[0]: (r[1], bool(r[2])) for r in rows}
    except ProgrammingError:  # migrated by a release older than 0011
        return {}


def record_revision(
    ctx: MigrationContext, step: MigrationInfo, heads: Collection[Any], run_args: Mapping[str, Any]
) -> None:
    """env.py's ``on_version_apply``: inside each migration's transaction, remember the revision,
    its parent and its ``expand_only`` mark (forget it on downgrade). Before 0011 created the
    table there is nothing to write to."""
    conn = ctx.connection
    if conn is None or ctx.as_sql or step.is_stamp or step.up_revision_id is None:
        return
    if conn.execute(text("SELECT to_regclass('schema_revisions')")).scalar() is None:
        return
    if not step.is_upgrade:
        conn.execute(
            text("DELETE FROM schema_revisions WHERE revision = :revision"),
            {"revision": step.up_revision_id},
        )
        return
    module = getattr(step.up_revision, "module", None)
    conn.execute(
        text(
            "INSERT INTO schema_revisions (revision, down_revision, expand_only) "
            "VALUES (:revision, :parent, :expand_only) ON CONFLICT (revision) DO UPDATE "
            "SET down_revision = EXCLUDED.down_revision, expand_only = EXCLUDED.expand_only, "
            "applied_at = now()"
        ),
        {
            "revision": step.up_revision_id,
            "parent": ",".join(step.down_revision_ids) or None,
            "expand_only": getattr(module, "expand_only", False) is True,
        },
    )
