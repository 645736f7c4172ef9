from __future__ import annotations

from typing import Protocol


class DependencyProbe(Protocol):
    """Checks one dependency; raises on failure. ``critical`` ones make the service unhealthy."""

    name: str
    critical: bool

    async def check(self) -> None: ...
