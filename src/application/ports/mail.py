from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    """Plain text in Spanish; the adapter adds the HTML alternative. ``key`` is the same on
    every attempt of one message (it becomes the Message-ID, so a duplicate can be told)."""

    to: str
    subject: str
    text: str
    key: str


class Mailer(Protocol):
    """E-mail. Returns the message's id; raises ``IntegrationError`` on failure."""

    async def send(self, email: OutgoingEmail) -> str: ...
