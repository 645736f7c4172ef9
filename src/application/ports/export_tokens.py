"""The secret addresses of our calendar export, and the UIDs of its events."""

from __future__ import annotations

from typing import Protocol

from domain.calendar_sync.export import ExportAddress


class ExportTokens(Protocol):
    """Keyed with a secret of ours: changing it changes every address and every UID."""

    def token(self, address: ExportAddress) -> str:
        """The unguessable token of that export (``<id>-<audience>-<mac>``)."""
        ...

    def read(self, token: str) -> ExportAddress | None:
        """The export a token opens, or None if it is not one of ours (checked in constant
        time)."""
        ...

    def uid(self, code: str) -> str:
        """The exported UID of a reservation or block code."""
        ...
