"""Backups that restore, against the embedded PostgreSQL 18 (pg_dump/pg_restore from its wheel)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from adapters.postgres.database import make_engine
from adapters.postgres.seed import seed_if_empty
from domain.stay import Stay
from entrypoints.backup import BackupError, backup, prune, restore
from entrypoints.cli import main
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
