"""What the newest backup's age looks like from outside: /metrics' backup_last_success gauge
(the BackupTooOld alert) and GET /admin/backups/newest (`cabanas preflight`), both read from the
database; the age by the application's clock, the one that stamped the backup."""

from __future__ import annotations

import re
import shlex
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import msgspec
import pytest
from dishka import Provider, Scope
from litestar import Litestar
from litestar.testing import AsyncTestClient

from application.ports.clock import Clock
from entrypoints.backup import backup
from entrypoints.container import make_container
from entrypoints.http.app import create_app
from entrypoints.settings import Secret, Settings
from tests.e2e.conftest import NOW
from tests.e2e.test_admin import ADMIN, SECRET, admin_client, bearer  # noqa: F401 - the fixture
from tests.e2e.test_api import assert_problem
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]
GAUGE = re.compile(r"^backup_last_success_timestamp_seconds (\S+)$", re.MULTILINE)


async def _gauge(client: Client) -> float:
    scrape = (await client.get("http://testserver.local/metrics")).text
    found = GAUGE.search(scrape)
    assert found, "backup_last_success_timestamp_seconds is not exported"
    return float(found.group(1))


async def test_no_backup_is_zero_then_the_newest_backup_and_its_age(
    admin_client: Client,  # noqa: F811
    settings: Settings,
    tmp_path: Path,
) -> None:
    assert_problem(await admin_client.get("/admin/backups/newest"), 401)
    r = await admin_client.get("/admin/backups/newest", headers=bearer())
    assert r.status_code == 200
    assert r.json() == {"taken_at": None, "age_hours": None}
    assert await _gauge(admin_client) == 0  # BackupTooOld fires on no backup at all

    assert settings.database_url is not None
    taken = NOW - timedelta(hours=3)
    backup(settings.database_url, tmp_path, now=taken - timedelta(days=1))
    backup(settings.database_url, tmp_path, now=taken)

    r = await admin_client.get("/admin/backups/newest", headers=bearer())
    assert r.json() == {"taken_at": "2026-12-01T12:00:00Z", "age_hours": 3.0}
    assert await _gauge(admin_client) == taken.timestamp()


def _upload_to(bucket: Path) -> str:
    """BACKUP_UPLOAD_COMMAND for a local "bucket": a copy."""
    copy = "import shutil, sys; shutil.copy(sys.argv[1], sys.argv[2])"
    return shlex.join([sys.executable, "-c", copy, "{file}", str(bucket)])


@pytest.fixture
async def off_site_client(
    settings: Settings, clock: FixedClock, tmp_path: Path
) -> AsyncIterator[Client]:
    """The API where backups are uploaded (production's BACKUP_UPLOAD_COMMAND)."""
    bucket = tmp_path / "bucket"
    bucket.mkdir()
    configured = msgspec.structs.replace(
        settings,
        jwt_secret=Secret(SECRET),
        admin_allowed_emails=[ADMIN],
        backup_upload_command=Secret(_upload_to(bucket)),
    )
    fixed = Provider(scope=Scope.APP)
    fixed.provide(lambda: clock, provides=Clock)
    app = create_app(make_container(configured, fixed), configured)
    async with AsyncTestClient(app=app, base_url="http://testserver.local/api/v1") as c:
        yield c


async def test_where_backups_go_off_site_a_local_one_by_hand_does_not_hide_the_age(
    off_site_client: Client, settings: Settings, tmp_path: Path
) -> None:
    assert settings.database_url is not None
    bucket = tmp_path / "bucket"
    uploaded = NOW - timedelta(hours=30)
    backup(
        settings.database_url, tmp_path / "sync", now=uploaded, upload_command=_upload_to(bucket)
    )
    # An operator's dump before a risky change, without BACKUP_UPLOAD_COMMAND: local only.
    backup(settings.database_url, tmp_path / "by-hand", now=NOW - timedelta(hours=1))

    # BackupTooOld and preflight see the off-site copy's age: 30 h, past the 26 h allowed.
    assert await _gauge(off_site_client) == uploaded.timestamp()
    r = await off_site_client.get("/admin/backups/newest", headers=bearer())
    assert r.json() == {"taken_at": "2026-11-30T09:00:00Z", "age_hours": 30.0}
