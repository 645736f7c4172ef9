from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class AuditEntry:
    actor: str  # the admin's email
    action: str  # e.g. "reservation.cancel"
    target: str  # e.g. the reservation code
    at: datetime
    before: Mapping[str, object] = field(default_factory=dict)
    after: Mapping[str, object] = field(default_factory=dict)


class AuditLog(Protocol):
    """Written in the same transaction as the change it describes."""

    async def record(self, entry: AuditEntry) -> None: ...

    async def status_before(self, target: str, action: str) -> str | None:
        """The status ``target`` had before its latest ``action`` (that entry's
        ``before["status"]``), or None when the log holds no such entry."""
        ...
