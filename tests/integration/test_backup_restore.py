"""Backups that restore, against the embedded PostgreSQL 18 (pg_dump/pg_restore from its wheel)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from adapters.postgres.database import APPLICATION_NAME, make_engine
from adapters.postgres.process_lock import SYNC_APPLICATION_NAME
from adapters.postgres.seed import seed_if_empty
from domain.stay import Stay
from entrypoints.backup import BackupError, backup, prune, restore
from entrypoints.cli import main
from entrypoints.embedded import EmbeddedRedis
from tests.integration.helpers import new_hold
from tests.integration.test_postgres_reservations import _add

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


async def _seed(url: str) -> None:
    engine = make_engine(url, pool_size=1)
    try:
        await seed_if_empty(engine)
        await _add(engine, new_hold(1, Stay(date(2026, 12, 18), date(2026, 12, 21)), NOW))
        await _add(engine, new_hold(2, Stay(date(2026, 12, 18), date(2026, 12, 21)), NOW))
    finally:
        await engine.dispose()


def test_backup_corruption_is_refused_and_a_dry_run_restore_counts_match(
    database_url: str, tmp_path: Path
) -> None:
    asyncio.run(_seed(database_url))
    dump = backup(database_url, tmp_path / "backups", now=NOW)
    assert dump.name == "cabanas-20261201T150000Z.dump"
    assert Path(f"{dump}.sha256").read_text().split()[1] == dump.name
    assert dump.stat().st_mode & 0o777 == 0o600  # guests' data: the operator's eyes only

    corrupted = tmp_path / "corrupted.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    corrupted.write_bytes(bytes(data))
    Path(f"{corrupted}.sha256").write_text(Path(f"{dump}.sha256").read_text())
    with pytest.raises(BackupError, match="does not match its SHA-256"):
        restore(database_url, corrupted, dry_run=True)
    with pytest.raises(BackupError, match="no checksum file"):
        restore(database_url, tmp_path / "missing.dump", dry_run=True)

    report = restore(database_url, dump, dry_run=True)
    assert report.database.startswith("restore_check_")
    assert report.row_counts["accommodations"] == 3
    assert report.row_counts["reservations"] == 2
    assert report.row_counts["alembic_version"] == 1


def test_retention_keeps_the_newest(tmp_path: Path) -> None:
    for day in range(1, 11):
        name = tmp_path / f"cabanas-202612{day:02d}T030000Z.dump"
        name.write_bytes(b"x")
        Path(f"{name}.sha256").write_text("0  x\n")
    removed = prune(tmp_path, keep=7)
    assert [p.name for p in removed] == [f"cabanas-202612{d:02d}T030000Z.dump" for d in (1, 2, 3)]
    assert len(list(tmp_path.glob("*.dump"))) == 7
    assert len(list(tmp_path.glob("*.sha256"))) == 7


def test_cli_restore_needs_dry_run_or_yes(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # not used by these commands
    assert main(["backup", "--dir", str(tmp_path), "--keep", "3"]) == 0
    dump = Path(capsys.readouterr().out.strip())
    assert main(["restore", str(dump)]) == 2
    assert main(["restore", str(dump), "--dry-run"]) == 0
    assert "accommodations: 0 rows" in capsys.readouterr().out


def _start_sync_process(database_url: str, redis_url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url}
    env |= {"LOG_LEVEL": "info", "SYNC_METRICS_PORT": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "entrypoints.sync"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    seen = b""
    while b"sync_started" not in seen and time.monotonic() < deadline:
        seen += proc.stdout.readline()
    assert b"sync_started" in seen, seen.decode(errors="replace")[-3000:]
    return proc


def test_restore_refuses_while_the_sync_process_or_the_app_is_connected(
    database_url: str, tmp_path: Path, redis_server: EmbeddedRedis
) -> None:
    """Disaster recovery must stop every writer: pg_restore --clean under a running sync
    process (or app) loses or mixes writes. The guard names who is connected."""
    asyncio.run(_seed(database_url))
    dump = backup(database_url, tmp_path / "backups", now=NOW)

    sync = _start_sync_process(database_url, redis_server.url())
    try:
        with pytest.raises(BackupError, match="the sync process is running") as refused:
            restore(database_url, dump, dry_run=False)
        assert SYNC_APPLICATION_NAME in str(refused.value)
        report = restore(database_url, dump, dry_run=True)  # a dry run touches a scratch copy
        assert report.row_counts["reservations"] == 2
    finally:
        sync.send_signal(signal.SIGTERM)
        assert sync.wait(15) == 0
        assert sync.stdout is not None
        sync.stdout.close()

    async def with_an_app_connection() -> str:
        engine = make_engine(database_url, pool_size=1)
        try:
            async with engine.connect():
                with pytest.raises(BackupError, match="stop the app") as refused:
                    await asyncio.to_thread(restore, database_url, dump, dry_run=False)
                return str(refused.value)
        finally:
            await engine.dispose()

    assert APPLICATION_NAME in asyncio.run(with_an_app_connection())

    # Nobody left: the restore goes through.
    report = restore(database_url, dump, dry_run=False)
    assert report.row_counts["reservations"] == 2


def test_a_backup_older_than_the_newest_migration_restores_exactly_and_migrates_again(
    database_url: str, tmp_path: Path
) -> None:
    """Disaster recovery the morning after a release with a migration: the backup predates
    it. The restored database is exactly the backup — the newer migration's tables gone with
    their rows — and ``cabanas migrate`` brings it to head again."""
    from entrypoints.migrate import downgrade, head_revisions, upgrade

    asyncio.run(_seed(database_url))
    downgrade(database_url, "-1")  # yesterday's schema
    dump = backup(database_url, tmp_path / "backups", now=NOW)
    before = restore(database_url, dump, dry_run=True).row_counts
    upgrade(database_url)  # today's release
    _psql_run(database_url, "UPDATE accommodations SET name = 'Después del backup' WHERE id = 1")

    report = restore(database_url, dump, dry_run=False)
    assert report.row_counts == before
    (version,) = _psql_run(database_url, "SELECT version_num FROM alembic_version").split()
    assert version not in head_revisions()
    upgrade(database_url)
    (version,) = _psql_run(database_url, "SELECT version_num FROM alembic_version").split()
    assert version in head_revisions()
    names = _psql_run(database_url, "SELECT name FROM accommodations ORDER BY id")
    assert "Después del backup" not in names


def test_a_restore_that_fails_half_way_changes_nothing(database_url: str, tmp_path: Path) -> None:
    asyncio.run(_seed(database_url))
    dump = backup(database_url, tmp_path / "backups", now=NOW)
    _psql_run(database_url, "UPDATE accommodations SET name = 'Antes' WHERE id = 1")
    # A dump cut at two thirds (its checksum made to match): pg_restore fails part-way.
    truncated = tmp_path / "truncated.dump"
    truncated.write_bytes(dump.read_bytes()[: len(dump.read_bytes()) * 2 // 3])
    Path(f"{truncated}.sha256").write_text(
        f"{hashlib.sha256(truncated.read_bytes()).hexdigest()}  {truncated.name}\n"
    )
    with pytest.raises(BackupError, match="nothing was changed"):
        restore(database_url, truncated, dry_run=False)
    assert (
        _psql_run(database_url, "SELECT name FROM accommodations WHERE id = 1").strip() == "Antes"
    )
    assert int(_psql_run(database_url, "SELECT count(*) FROM reservations")) == 2


def _psql_run(url: str, sql: str) -> str:
    from adapters.postgres.database import sync_url

    result = subprocess.run(
        [_psql_path(), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", sync_url(url), "-c", sql],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _psql_path() -> str:
    from entrypoints.backup import pg_tool

    return pg_tool("psql", tls=False)
