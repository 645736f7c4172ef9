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


@dataclass(frozen=True, slots=True)
class TemplateUse:
    """An approved template and the values of its parameters, in order ({{1}}, {{2}}…)."""

    name: str
    params: tuple[str, ...]
    language: str = "es_AR"


@dataclass(frozen=True, slots=True)
class OutboundTemplate:
    to: str
    template: TemplateUse


class MessageSender(Protocol):
    """WhatsApp. Returns the provider's message id; raises ``IntegrationError`` on failure
    (``TemplateRejected`` for a refused template, ``OutsideServiceWindow`` for free text to
    someone who has not written in 24 hours)."""

    async def send(self, message: OutboundMessage) -> str: ...

    async def send_template(self, message: OutboundTemplate) -> str: ...
