"""/api/v1/admin/backups: the age of the newest recorded backup (`cabanas preflight` reads it)."""

from __future__ import annotations

from datetime import datetime

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, get

from application.operations.backups import NewestBackup
from entrypoints.http.admin.auth import require_admin
from entrypoints.http.openapi import problems


class NewestBackupView(msgspec.Struct):
    taken_at: datetime | None
    age_hours: float | None


class AdminBackupController(Controller):
    path = "/admin/backups"
    tags = ["admin"]
    guards = [require_admin]
    security = [{"BearerToken": []}]

    @get(
        "/newest",
        summary="When the newest backup was taken (nulls: none)",
        responses=problems(401, 403),
    )
    @inject
    async def newest(self, use_case: FromDishka[NewestBackup]) -> NewestBackupView:
        found = await use_case()
        if found is None:
            return NewestBackupView(None, None)
        return NewestBackupView(found.taken_at, round(found.age.total_seconds() / 3600, 2))
