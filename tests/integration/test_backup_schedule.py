"""The sync process's daily backup (BackUpWhenDue wired as in production, PgDumpBackup), against
the embedded PostgreSQL 18 with an injected clock: one backup a day by the time recorded in the
database, whatever restarts in between; uploads through BACKUP_UPLOAD_COMMAND without a shell."""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from dishka import AsyncContainer, Provider, Scope

from application.operations.backups import BackUpWhenDue
from application.ports.clock import Clock
from entrypoints.backup import BackupError, upload_argv
from entrypoints.container import make_container
from entrypoints.embedded import pg_bin_if_installed
from entrypoints.settings import Secret, Settings
from entrypoints.worker import duties
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
RECORDED = "SELECT extract(epoch FROM taken_at)::bigint, file FROM backup_runs ORDER BY 1"
UPLOADED = "SELECT extract(epoch FROM taken_at)::bigint, file, uploaded FROM backup_runs ORDER BY 1"
COPY = "import shutil, sys; shutil.copy(sys.argv[1], sys.argv[2])"


def _settings(database_url: str, directory: Path, upload: str | None) -> Settings:
    return msgspec.structs.replace(
        Settings(),
        database_url=database_url,
        backup_every_hours=24.0,
        backup_dir=str(directory),
        backup_keep=7,
        backup_upload_command=Secret(upload) if upload else None,
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
async def open_container(clock: FixedClock) -> AsyncIterator[object]:
    opened: list[AsyncContainer] = []

    def open_one(settings: Settings) -> AsyncContainer:
        fixed = Provider(scope=Scope.APP)
        fixed.provide(lambda: clock, provides=Clock)
        container = make_container(settings, fixed)
        opened.append(container)
        return container

    yield open_one
    for container in opened:
        await container.close()


def _names(directory: Path, pattern: str) -> list[str]:
    return sorted(p.name for p in directory.glob(pattern))


async def _run(container: AsyncContainer) -> str | None:
    async with container() as scope:
        return await (await scope.get(BackUpWhenDue))()


def _recorded(database_url: str, query: str = RECORDED) -> list[tuple[Any, ...]]:
    """backup_runs' rows: their time, then the other columns as psql prints them."""
    psql = pg_bin_if_installed("psql")
    assert psql is not None
    out = subprocess.run(
        [psql, "-X", "-t", "-A", database_url, "-c", query],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [line.split("|") for line in out.splitlines() if line]
    return [(datetime.fromtimestamp(int(epoch), UTC), *rest) for epoch, *rest in rows]


async def test_one_backup_a_day_by_the_recorded_time_across_restarts(
    database_url: str, tmp_path: Path, clock: FixedClock, open_container: object
) -> None:
    # A directory whose name a shell would act on: the upload gets it as one argument.
    directory = tmp_path / "dumps; touch pwned $(id)"
    uploaded = tmp_path / "uploaded"
    uploaded.mkdir()
    upload = shlex.join([sys.executable, "-c", COPY, "{file}", str(uploaded)])
    settings = _settings(database_url, directory, upload)
    container = open_container(settings)  # type: ignore[operator]

    first = await _run(container)
    assert first == str(directory / "cabanas-20261201T030000Z.dump")
    assert sorted(p.name for p in uploaded.iterdir()) == [
        "cabanas-20261201T030000Z.dump",
        "cabanas-20261201T030000Z.dump.sha256",
    ]
    assert _names(Path.cwd(), "pwned*") == []
    assert _names(tmp_path, "pwned*") == []
    assert _recorded(database_url) == [(NOW, "cabanas-20261201T030000Z.dump")]

    clock.current = NOW + timedelta(hours=23, minutes=59)
    assert await _run(container) is None
    # The sync machine restarts (a deploy): the record, not its memory, says nothing is due.
    assert await _run(open_container(settings)) is None  # type: ignore[operator]
    assert len(list(directory.glob("*.dump"))) == 1

    clock.current = NOW + timedelta(hours=24)
    assert await _run(container) == str(directory / "cabanas-20261202T030000Z.dump")
    assert len(list(uploaded.glob("*.dump"))) == 2
    assert [when for when, _ in _recorded(database_url)] == [NOW, NOW + timedelta(hours=24)]


async def test_a_failed_upload_is_not_recorded_and_the_next_check_tries_again(
    database_url: str, tmp_path: Path, clock: FixedClock, open_container: object
) -> None:
    failing = shlex.join([sys.executable, "-c", "import sys; sys.exit('bucket unreachable')"])
    broken = open_container(_settings(database_url, tmp_path, failing))  # type: ignore[operator]
    with pytest.raises(BackupError, match=r"upload of cabanas-20261201T030000Z\.dump failed"):
        await _run(broken)
    assert _recorded(database_url) == []

    clock.current = NOW + timedelta(minutes=10)  # the next check
    uploaded = tmp_path / "uploaded"
    uploaded.mkdir()
    upload = shlex.join([sys.executable, "-c", COPY, "{file}", str(uploaded)])
    fixed = open_container(_settings(database_url, tmp_path, upload))  # type: ignore[operator]
    assert await _run(fixed) == str(tmp_path / "cabanas-20261201T031000Z.dump")
    assert (uploaded / "cabanas-20261201T031000Z.dump").exists()


async def test_failed_attempts_do_not_pile_up_dumps_on_the_sync_machine(
    database_url: str, tmp_path: Path, clock: FixedClock, open_container: object
) -> None:
    """A day of failed uploads (the check runs every 10 minutes) must not fill the sync
    machine's disk with a dump per attempt: the local directory keeps BACKUP_KEEP dumps, each
    with its checksum, whether or not the attempt succeeded."""
    failing = shlex.join([sys.executable, "-c", "import sys; sys.exit('bucket unreachable')"])
    settings = msgspec.structs.replace(_settings(database_url, tmp_path, failing), backup_keep=2)
    broken = open_container(settings)  # type: ignore[operator]
    for attempt in range(5):
        clock.current = NOW + timedelta(minutes=10 * attempt)
        with pytest.raises(BackupError, match="failed"):
            await _run(broken)
    assert _recorded(database_url) == []
    assert _names(tmp_path, "cabanas-*") == [
        "cabanas-20261201T033000Z.dump",
        "cabanas-20261201T033000Z.dump.sha256",
        "cabanas-20261201T034000Z.dump",
        "cabanas-20261201T034000Z.dump.sha256",
    ]


async def test_a_local_backup_by_hand_does_not_put_off_the_off_site_one(
    database_url: str, tmp_path: Path, clock: FixedClock, open_container: object
) -> None:
    from entrypoints.backup import backup

    uploaded = tmp_path / "uploaded"
    uploaded.mkdir()
    upload = shlex.join([sys.executable, "-c", COPY, "{file}", str(uploaded)])
    container = open_container(_settings(database_url, tmp_path / "sync", upload))  # type: ignore[operator]
    assert await _run(container) is not None
    # 20 h later an operator dumps the database before a risky change, without an upload.
    by_hand = NOW + timedelta(hours=20)
    backup(database_url, tmp_path / "by-hand", now=by_hand)
    assert _recorded(database_url, UPLOADED) == [
        (NOW, "cabanas-20261201T030000Z.dump", "t"),
        (by_hand, "cabanas-20261201T230000Z.dump", "f"),  # recorded, as local
    ]
    # The day's off-site copy is due a day after the last one, not after the local dump.
    clock.current = NOW + timedelta(hours=24)
    assert await _run(container) == str(tmp_path / "sync" / "cabanas-20261202T030000Z.dump")
    assert (uploaded / "cabanas-20261202T030000Z.dump").exists()
    # A day and an hour after that one, an hour after another local dump: where nothing is
    # uploaded (development) the local dumps are all there is, and count; where backups go
    # off-site, the day's copy is due.
    backup(database_url, tmp_path / "by-hand", now=NOW + timedelta(hours=48))
    clock.current = NOW + timedelta(hours=49)
    local = open_container(_settings(database_url, tmp_path / "dev", None))  # type: ignore[operator]
    assert await _run(local) is None
    assert await _run(container) == str(tmp_path / "sync" / "cabanas-20261203T040000Z.dump")


def test_a_backup_of_a_database_without_the_record_table_still_succeeds(
    empty_database_url: str, tmp_path: Path
) -> None:
    """A first cutover backs up a database the release has not migrated yet."""
    from entrypoints.backup import backup

    dump = backup(empty_database_url, tmp_path, now=NOW)
    assert dump.exists()


def test_a_database_not_yet_marking_uploads_records_only_the_uploaded_backups(
    database_url: str, tmp_path: Path
) -> None:
    """A dump taken before `cabanas migrate` (0025 adds the mark): the release running on that
    schema would count a local backup as the day's off-site copy, so only an uploaded one is
    recorded; after the migration it reads as not uploaded (the sync takes a fresh one)."""
    from entrypoints.backup import backup
    from entrypoints.migrate import downgrade, upgrade

    downgrade(database_url, "0024")
    backup(database_url, tmp_path, now=NOW)
    assert _recorded(database_url) == []
    uploaded = tmp_path / "uploaded"
    uploaded.mkdir()
    upload = shlex.join([sys.executable, "-c", COPY, "{file}", str(uploaded)])
    backup(database_url, tmp_path, now=NOW + timedelta(hours=1), upload_command=upload)
    upgrade(database_url)
    assert _recorded(database_url, UPLOADED) == [
        (NOW + timedelta(hours=1), "cabanas-20261201T040000Z.dump", "f")
    ]


def test_the_upload_command_is_split_never_run_by_a_shell() -> None:
    path = Path("/tmp/b k/cabanas-x.dump")
    assert upload_argv("rclone copy {file} tigris:bak/", path) == [
        "rclone",
        "copy",
        "/tmp/b k/cabanas-x.dump",
        "tigris:bak/",
    ]
    assert upload_argv("/app/upload-backup --quiet", path) == [
        "/app/upload-backup",
        "--quiet",
        "/tmp/b k/cabanas-x.dump",
    ]
    assert upload_argv("echo a && rm -rf /", path)[1:4] == ["a", "&&", "rm"]  # plain arguments


def test_the_sync_process_backs_up_only_when_told_to() -> None:
    assert "backup" not in [d.name for d in duties(Settings())]
    plan = duties(msgspec.structs.replace(Settings(), backup_every_hours=24.0))
    assert [d.name for d in plan if d.concurrent] == ["ical_sync", "backup"]


# A stand-in for `rclone delete --min-age 7d <bucket>`: removes the uploaded files older than
# the newest one it finds minus 7 days, by the timestamps in their names.
PRUNE = (
    "import sys, pathlib, datetime as d\n"
    "files = sorted(pathlib.Path(sys.argv[1]).glob('cabanas-*.dump*'))\n"
    "stamp = lambda p: d.datetime.strptime(p.name[8:24], '%Y%m%dT%H%M%SZ')\n"
    "newest = max(stamp(p) for p in files)\n"
    "[p.unlink() for p in files if stamp(p) < newest - d.timedelta(days=7)]\n"
)


async def test_the_uploaded_copies_are_pruned_after_each_upload_and_a_failed_prune_records_nothing(
    database_url: str, tmp_path: Path, clock: FixedClock, open_container: object
) -> None:
    """docs/privacy.md: a deleted guest is gone from the backups within 7 days — the copies in
    the bucket too, not only the sync machine's."""
    uploaded = tmp_path / "uploaded"
    uploaded.mkdir()
    for day in (20, 22, 30):  # older uploads, already in the bucket
        for suffix in (".dump", ".dump.sha256"):
            (uploaded / f"cabanas-202611{day}T030000Z{suffix}").write_text("old")
    upload = shlex.join([sys.executable, "-c", COPY, "{file}", str(uploaded)])
    prune = shlex.join([sys.executable, "-c", PRUNE, str(uploaded)])
    settings = msgspec.structs.replace(
        _settings(database_url, tmp_path / "local", upload), backup_prune_command=Secret(prune)
    )
    assert await _run(open_container(settings)) is not None  # type: ignore[operator]
    assert _names(uploaded, "*.dump") == [
        "cabanas-20261130T030000Z.dump",  # within 7 days of the new one
        "cabanas-20261201T030000Z.dump",
    ]
    assert len(_names(uploaded, "*.sha256")) == 2

    clock.current = NOW + timedelta(days=1)
    failing = shlex.join([sys.executable, "-c", "import sys; sys.exit('no bucket')"])
    broken = msgspec.structs.replace(settings, backup_prune_command=Secret(failing))
    with pytest.raises(BackupError, match="pruning the uploaded backups failed"):
        await _run(open_container(broken))  # type: ignore[operator]
    assert [file for _, file in _recorded(database_url)] == ["cabanas-20261201T030000Z.dump"]
