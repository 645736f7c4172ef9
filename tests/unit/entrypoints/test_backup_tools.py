"""Which pg_dump/pg_restore/psql the backup commands run: the bundled PostgreSQL 18 client is
built without SSL, so it cannot reach a database that requires TLS (production's)."""

from __future__ import annotations

import pytest

from entrypoints import backup
from entrypoints.embedded import pg_bin_if_installed
from entrypoints.settings import Settings

BUNDLED = pg_bin_if_installed("pg_dump")


@pytest.fixture(autouse=True)
def no_pg_bin_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PG_BIN_DIR", raising=False)


def test_the_bundled_client_is_built_without_ssl() -> None:
    # What the rest of this file is about; if a future wheel has SSL, the bundled tools serve.
    assert BUNDLED is not None
    assert backup._built_with_ssl(BUNDLED) is False


def test_plain_connections_use_the_bundled_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert backup.pg_tool("pg_dump") == BUNDLED


def test_tls_connections_pass_the_bundled_client_over(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup.shutil, "which", lambda name: f"/opt/pg18/bin/{name}")
    assert backup.pg_tool("pg_dump", tls=True) == "/opt/pg18/bin/pg_dump"


def test_tls_without_a_client_that_can_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match=r"built without SSL.*PG_BIN_DIR"):
        backup.pg_tool("pg_dump", tls=True)


def test_pg_bin_dir_wins() -> None:
    bin_dir = Settings.from_env({"PG_BIN_DIR": "/usr/lib/postgresql/18/bin"}).pg_bin_dir
    assert backup.pg_tool("pg_dump", tls=True, bin_dir=bin_dir) == f"{bin_dir}/pg_dump"
    assert backup.pg_tool("psql", bin_dir=bin_dir) == f"{bin_dir}/psql"


def test_a_backup_of_a_tls_database_picks_a_client_that_speaks_tls(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    calls: list[list[str]] = []

    def run(args: list[str], **_: object) -> object:
        calls.append(args)
        raise backup.BackupError("stop here")

    monkeypatch.setattr(backup.shutil, "which", lambda name: f"/opt/pg18/bin/{name}")
    monkeypatch.setattr(backup.subprocess, "run", run)
    with pytest.raises(backup.BackupError, match="stop here"):
        backup.backup("postgresql://u@db.internal/cabanas?sslmode=require", tmp_path)  # type: ignore[arg-type]
    assert calls[0][0] == "/opt/pg18/bin/pg_dump"
