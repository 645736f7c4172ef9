"""A rollback deploys the previous image onto the schema the newer release migrated. Its release
step (`cabanas migrate`) and readyz accept a database *ahead* of the code's head when every newer
revision is marked expand-only, and refuse, saying why, otherwise. The "newer release" here is
a test-only revision written beyond this code's head."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from litestar import Litestar
from litestar.testing import AsyncTestClient

from adapters.postgres.migrations import SCRIPT_LOCATION
from entrypoints.migrate import alembic_config, head_revisions

FUTURE = "9001"

NEWER_REVISION = '''"""Test only: what a newer release would have migrated."""

from alembic import op

revision = "{revision}"
down_revision = "{head}"
branch_labels = None
depends_on = None
expand_only = {expand_only}


def upgrade() -> None:
    op.execute("ALTER TABLE accommodations ADD COLUMN newer_release_note text")


def downgrade() -> None:
    op.execute("ALTER TABLE accommodations DROP COLUMN newer_release_note")
'''


def migrate_as_newer_release(tmp_path: Path, database_url: str, *, expand_only: bool) -> None:
    """Upgrade with this release's migrations plus one more, the way the newer image would."""
    scripts = tmp_path / "newer-migrations"
    shutil.copytree(SCRIPT_LOCATION, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    [head] = head_revisions()
    (scripts / "versions" / f"{FUTURE}_newer_release.py").write_text(
        NEWER_REVISION.format(revision=FUTURE, head=head, expand_only=expand_only)
    )
    config = alembic_config(database_url)
    config.set_main_option("script_location", str(scripts))
    command.upgrade(config, "head")


def release_step(database_url: str) -> subprocess.CompletedProcess[str]:
    """What Fly runs before the (rolled-back) machines start."""
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "warning"}
    return subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


async def test_previous_release_runs_on_a_schema_ahead_by_expand_only_revisions(
    tmp_path: Path, database_url: str, client: AsyncTestClient[Litestar]
) -> None:
    # Alembic's env.py runs its own event loop: off this test's loop.
    await asyncio.to_thread(migrate_as_newer_release, tmp_path, database_url, expand_only=True)

    step = await asyncio.to_thread(release_step, database_url)
    assert step.returncode == 0, step.stderr
    assert f"expand-only revision(s) {FUTURE}" in step.stderr

    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert FUTURE in ready.json()["detail"]


async def test_previous_release_refuses_a_schema_ahead_by_a_contracting_revision(
    tmp_path: Path, database_url: str, client: AsyncTestClient[Litestar]
) -> None:
    # Alembic's env.py runs its own event loop: off this test's loop.
    await asyncio.to_thread(migrate_as_newer_release, tmp_path, database_url, expand_only=False)

    step = await asyncio.to_thread(release_step, database_url)
    assert step.returncode == 1
    assert f"revision {FUTURE}, which is not expand-only" in step.stderr

    ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert f"revision {FUTURE}, which is not expand-only" in ready.json()["detail"]


@pytest.mark.parametrize("path", sorted((SCRIPT_LOCATION / "versions").glob("*.py")), ids=str)
def test_every_migration_says_whether_it_is_expand_only(path: Path) -> None:
    import ast

    assigned = {
        node.target.id: node.value
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }
    marker = assigned.get("expand_only")
    assert isinstance(marker, ast.Constant), f"{path.name}: no `expand_only: bool = …`"
    assert isinstance(marker.value, bool)
