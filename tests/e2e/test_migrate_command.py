"""`cabanas migrate` as the operator types it, against a real PostgreSQL: an unknown revision is
one line and exit 2, going down is done only when asked for (`--down`), a target the database
is at already says so, and `--list` shows the revisions with the database's marked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from adapters.postgres.migrations import SCRIPT_LOCATION
from entrypoints.migrate import database_revisions

pytestmark = pytest.mark.db

SCRIPT = ScriptDirectory(str(SCRIPT_LOCATION))


def head_and_previous() -> tuple[str, str]:
    head = SCRIPT.get_revision("head")
    assert head is not None
    assert isinstance(head.down_revision, str)
    return head.revision, head.down_revision


HEAD, PREVIOUS = head_and_previous()


def cabanas(database_url: str, *words: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        # Never reached by migrate; set so that no embedded Redis is started for it.
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "LOG_LEVEL": "warning",
    }
    return subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", *words],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def at(database_url: str) -> set[str]:
    return database_revisions(database_url)


def test_an_unknown_revision_is_one_line_naming_it_and_changes_nothing(
    empty_database_url: str,
) -> None:
    done = cabanas(empty_database_url, "migrate", "0999")
    assert done.returncode == 2
    assert done.stderr == (
        "cabanas: unknown revision '0999': this release has no migration by that name "
        "(cabanas migrate --list shows the known ones)\n"
    )
    assert at(empty_database_url) == set()


def test_going_down_is_done_only_when_asked_for(database_url: str) -> None:
    assert at(database_url) == {HEAD}
    older = cabanas(database_url, "migrate", PREVIOUS)
    assert older.returncode == 2
    assert older.stderr.splitlines() == [
        f"cabanas: migrate refused: {PREVIOUS} is below the database's {HEAD}: a downgrade "
        "drops what the revisions after it added, with their data; to do it, say so: "
        f"cabanas migrate --down {PREVIOUS}"
    ]
    assert at(database_url) == {HEAD}
    assert cabanas(database_url, "migrate", "base").returncode == 2
    assert cabanas(database_url, "migrate", "-1").returncode == 2
    assert at(database_url) == {HEAD}

    down = cabanas(database_url, "migrate", "--down", PREVIOUS)
    assert (down.returncode, down.stdout) == (0, f"migrated from {HEAD} down to {PREVIOUS}\n")
    assert at(database_url) == {PREVIOUS}
    # --down never goes up.
    up_with_down = cabanas(database_url, "migrate", "--down", HEAD)
    assert up_with_down.returncode == 2
    assert "--down only goes down" in up_with_down.stderr
    assert at(database_url) == {PREVIOUS}


def test_a_target_the_database_is_at_says_so(database_url: str) -> None:
    same = cabanas(database_url, "migrate")
    assert (same.returncode, same.stdout) == (0, f"already at head ({HEAD})\n")
    named = cabanas(database_url, "migrate", HEAD)
    assert (named.returncode, named.stdout) == (0, f"already at {HEAD}\n")
    assert cabanas(database_url, "migrate", "--down", "-1").returncode == 0
    again = cabanas(database_url, "migrate", "--down", PREVIOUS)
    assert (again.returncode, again.stdout) == (0, f"already at {PREVIOUS}\n")
    up = cabanas(database_url, "migrate")
    assert (up.returncode, up.stdout) == (0, f"migrated from {PREVIOUS} up to head ({HEAD})\n")
    assert at(database_url) == {HEAD}


def test_the_list_names_every_revision_and_marks_the_database_and_the_head(
    database_url: str,
) -> None:
    listed = cabanas(database_url, "migrate", "--list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0] == "0001  initial"
    assert lines[-1].startswith(HEAD)
    assert lines[-1].endswith("  (head, database)")
    assert len(lines) == len(list(SCRIPT.walk_revisions()))


def test_the_bare_alembic_command_migrates_an_empty_database_from_database_url(
    empty_database_url: str,
) -> None:
    """The cutover checklist's `alembic upgrade head`, from the project's directory."""
    root = Path(__file__).resolve().parents[2]  # where alembic.ini is
    alembic = [sys.executable, "-m", "alembic", "upgrade", "head"]
    bare = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    missing = subprocess.run(
        alembic, cwd=root, env=bare, capture_output=True, text=True, check=False, timeout=120
    )
    assert missing.returncode != 0
    assert "Set DATABASE_URL" in missing.stderr
    assert "Traceback" not in missing.stderr
    garbled = subprocess.run(
        alembic,
        cwd=root,
        env={**bare, "DATABASE_URL": "garbage"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert garbled.returncode != 0
    assert "not a PostgreSQL one" in garbled.stderr
    assert "Traceback" not in garbled.stderr
    assert at(empty_database_url) == set()
    done = subprocess.run(
        alembic,
        cwd=root,
        env={**bare, "DATABASE_URL": empty_database_url},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert at(empty_database_url) == {HEAD}
