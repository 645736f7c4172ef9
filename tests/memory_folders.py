"""Folders in memory (/dev/shm) for a test session's PostgreSQL, and the sweep of the ones that
killed sessions left behind.

Several sessions share /dev/shm: the workers of one `make test`, and other checkouts' sessions.
A session owns its folder by holding an exclusive `flock` on the folder's `.owner` file for as
long as it lives; the kernel drops the lock when the process ends, however it ends (SIGKILL
too). The sweep removes a folder only when it can take that lock itself. A server's
`postmaster.pid` is no proof of death: while `initdb` runs, its short-lived bootstrap processes
write one and leave it naming a process that has already exited, and a sweep trusting it
removed a live session's data folder mid-`initdb`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path

OWNER = ".owner"
# A folder without an owner file (being made this very moment, or made by a checkout older
# than the owner file) with no running server this long after it was made is a killed
# session's.
ABANDONED_AFTER_S = 600


class OwnedFolder:
    """A new folder under ``parent``, ours until :meth:`release`."""

    def __init__(self, parent: Path, prefix: str) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        # Locked under a temporary name and then renamed: a sweep never sees an owner file
        # that is not locked yet.
        pending = self.path / f"{OWNER}.pending"
        self._fd = os.open(pending, os.O_WRONLY | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        pending.rename(self.path / OWNER)

    def release(self) -> None:
        """Remove the folder, then let go of it."""
        shutil.rmtree(self.path, ignore_errors=True)
        os.close(self._fd)


def sweep(parent: Path, prefix: str, *, now: float | None = None) -> list[Path]:
    """Remove the folders under ``parent`` named ``prefix*`` whose sessions are gone; returns
    them."""
    now = time.time() if now is None else now
    removed = []
    for folder in parent.glob(f"{prefix}*"):
        if _abandoned(folder, now):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _abandoned(folder: Path, now: float) -> bool:
    try:
        fd = os.open(folder / OWNER, os.O_RDONLY)
    except FileNotFoundError:
        return _abandoned_without_owner(folder, now)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # its session is alive
    finally:
        os.close(fd)  # the lock (if we took it) goes with it: the folder is removed anyway
    return True


def _abandoned_without_owner(folder: Path, now: float) -> bool:
    try:
        age = now - folder.stat().st_mtime
    except OSError:
        return False
    if age <= ABANDONED_AFTER_S:
        return False
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int((folder / "data" / "postmaster.pid").read_text().split()[0])
        if Path(f"/proc/{pid}").exists():
            return False  # an older checkout's session, still running
    return True
