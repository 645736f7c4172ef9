"""The production factory freezes the started heap (``gc.freeze``) and thaws it at shutdown."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from entrypoints import asgi
from entrypoints.asgi import heap_frozen
from entrypoints.settings import Settings


async def test_the_started_heap_leaves_the_collectors_sight_until_shutdown() -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    built = [[n] for n in range(1000)]  # what start-up made (lists are tracked by the collector)
    async with heap_frozen():
        assert gc.get_freeze_count() >= len(built)
    assert gc.get_freeze_count() == 0


def test_the_production_factory_starts_the_app_with_the_heap_frozen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}

    def fake_create_app(container: object, settings: Settings, *, hooks: list[Any]) -> str:
        seen["hooks"] = hooks
        return "app"

    monkeypatch.setattr(asgi, "create_app", fake_create_app)
    settings = Settings.from_env(
        {"DATABASE_URL": "postgresql://u@127.0.0.1/db", "REDIS_URL": "redis://127.0.0.1:1/0"}
    )
    asgi.create(settings)
    assert seen["hooks"][0] is heap_frozen
