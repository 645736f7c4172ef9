from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ReplyButton:
    id: str
    title: str


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """A text to one phone number (E.164 with or without '+'), optionally with reply buttons."""

    to: str
    text: str
    buttons: tuple[ReplyButton, ...] = field(default=())


class MessageSender(Protocol):
    """WhatsApp. Returns the provider's message id; raises ``IntegrationError`` on failure."""

    async def send(self, message: OutboundMessage) -> str: ...
