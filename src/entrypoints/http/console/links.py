"""Absolute links to console pages (for invitations printed by the CLI, and messages)."""

from __future__ import annotations

from entrypoints.http.console.rendering import PREFIX
from entrypoints.settings import Settings


def base_url(settings: Settings) -> str:
    return (settings.public_base_url or f"http://{settings.host}:{settings.port}").rstrip("/")


def invitation_link(settings: Settings, token: str) -> str:
    return f"{base_url(settings)}{PREFIX}/invitacion/{token}"
