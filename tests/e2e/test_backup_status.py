"""What the newest backup's age looks like from outside: /metrics' backup_last_success gauge
(the BackupTooOld alert) and GET /admin/backups/newest (`cabanas preflight`), both read from the
database; the age by the application's clock, the one that stamped the backup."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from entrypoints.backup import backup
from entrypoints.settings import Settings
from tests.e2e.conftest import NOW
from tests.e2e.test_admin import admin_client, bearer  # noqa: F401 - the fixture
from tests.e2e.test_api import assert_problem

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
