"""The sweep of killed sessions' PostgreSQL folders in /dev/shm keeps every live session's
folder, including one whose `initdb` is running this moment (tests/memory_folders.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.memory_folders import ABANDONED_AFTER_S, OWNER, OwnedFolder, sweep

PREFIX = "cabanas-pytest-pg-"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _pid_file(folder: Path, pid: int) -> None:
    (folder / "data").mkdir()
    (folder / "data" / "postmaster.pid").write_text(f"{pid}\n/some/data\n")


def test_a_live_sessions_folder_is_kept_whatever_its_pid_file_says(tmp_path: Path) -> None:
    """Mid-`initdb`, postmaster.pid names a bootstrap process that has already exited: the
    sweep of another worker removed the folder under it."""
    mine = OwnedFolder(tmp_path, PREFIX)
    try:
        _pid_file(mine.path, _dead_pid())
        later = time.time() + ABANDONED_AFTER_S + 1

        assert sweep(tmp_path, PREFIX, now=later) == []
        assert (mine.path / "data" / "postmaster.pid").exists()
    finally:
        mine.release()
    assert not mine.path.exists()


def test_a_folder_whose_session_died_is_swept_at_once(tmp_path: Path, project_root: Path) -> None:
    made = subprocess.run(
        [sys.executable, "-c", "import sys; from pathlib import Path; "
         "from tests.memory_folders import OwnedFolder; "
         "print(OwnedFolder(Path(sys.argv[1]), sys.argv[2]).path)", str(tmp_path), PREFIX],
        cwd=project_root, capture_output=True, text=True, check=True,
    )  # fmt: skip
    theirs = Path(made.stdout.strip())
    assert (theirs / OWNER).exists()  # the process ended without releasing it

    assert sweep(tmp_path, PREFIX) == [theirs]
    assert not theirs.exists()


def test_a_folder_without_an_owner_file_is_kept_while_young_or_while_its_server_runs(
    tmp_path: Path,
) -> None:
    """Being made this moment (the owner file comes a step after the folder), or made by an
    older checkout's session."""
    young = tmp_path / f"{PREFIX}young"
    young.mkdir()
    running = tmp_path / f"{PREFIX}running"
    running.mkdir()
    _pid_file(running, os.getpid())
    dead = tmp_path / f"{PREFIX}dead"
    dead.mkdir()
    _pid_file(dead, _dead_pid())
    bare = tmp_path / f"{PREFIX}bare"
    bare.mkdir()
    other = tmp_path / "someone-elses"
    other.mkdir()

    assert sweep(tmp_path, PREFIX) == []

    old = time.time() - ABANDONED_AFTER_S - 1
    for folder in (running, dead, bare, other):
        os.utime(folder, (old, old))
    assert sorted(sweep(tmp_path, PREFIX)) == sorted([dead, bare])
    assert [f.exists() for f in (young, running, other)] == [True, True, True]
