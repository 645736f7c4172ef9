"""Typed outbox messages to and from the row's ``kind`` and JSONB ``payload``: the one place
that knows the payload keys. Rows written by earlier releases read back unchanged (fields
added since are optional)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from application.ports.messaging import ReplyButton, TemplateUse
from application.ports.outbox import (
    EmailMessage,
    OutboxKind,
    OutboxMessage,
    OwnerAlert,
    PaymentLinkJob,
    Topic,
    WhatsAppMessage,
)


class UnreadableOutboxRow(ValueError):
    """A row whose kind or payload this release does not know."""


def encode(message: OutboxMessage) -> tuple[str, dict[str, Any]]:
    if isinstance(message, WhatsAppMessage):
        payload: dict[str, Any] = {"to": message.to, "text": message.text}
        if message.buttons:
            payload["buttons"] = [{"id": b.id, "title": b.title} for b in message.buttons]
        if message.template is not None:
            payload["template"] = {
                "name": message.template.name,
                "language": message.template.language,
                "params": list(message.template.params),
            }
        if message.topic != Topic.REPLY:
            payload["topic"] = message.topic
        if message.reservation is not None:
            payload["reservation"] = message.reservation
        if message.page is not None:
            payload["page"] = message.page
        if message.pages:
            payload["pages"] = list(message.pages)
        return OutboxKind.WHATSAPP_MESSAGE, payload
    if isinstance(message, EmailMessage):
        return OutboxKind.EMAIL_MESSAGE, {
            "to": message.to,
            "subject": message.subject,
            "text": message.text,
            "topic": message.topic,
            "reservation": message.reservation,
        }
    if isinstance(message, OwnerAlert):
        alert: dict[str, Any] = {"text": message.text}
        if message.link is not None:
            alert["link"] = message.link
        return OutboxKind.ADMIN_ALERT, alert
    if isinstance(message, PaymentLinkJob):
        job: dict[str, Any] = {"code": message.code}
        if message.purpose != "deposit":
            job["purpose"] = message.purpose
        return OutboxKind.PAYMENT_LINK, job
    raise TypeError(f"not an outbox message: {type(message).__name__}")


def decode(kind: str, payload: Mapping[str, Any]) -> OutboxMessage:
    try:
        if kind == OutboxKind.WHATSAPP_MESSAGE:
            return WhatsAppMessage(
                to=str(payload["to"]),
                text=str(payload["text"]),
                buttons=tuple(
                    ReplyButton(str(b["id"]), str(b["title"])) for b in payload.get("buttons", ())
                ),
                template=_template(payload.get("template")),
                topic=str(payload.get("topic") or Topic.REPLY),
                reservation=_optional(payload.get("reservation")),
                page=_optional(payload.get("page")),
                pages=tuple(str(page) for page in payload.get("pages") or ()),
            )
        if kind == OutboxKind.EMAIL_MESSAGE:
            return EmailMessage(
                to=_optional(payload["to"]),
                subject=str(payload["subject"]),
                text=str(payload["text"]),
                topic=str(payload["topic"]),
                reservation=_optional(payload.get("reservation")),
            )
        if kind == OutboxKind.ADMIN_ALERT:
            return OwnerAlert(str(payload["text"]), _optional(payload.get("link")))
        if kind == OutboxKind.PAYMENT_LINK:
            return PaymentLinkJob(str(payload["code"]), str(payload.get("purpose") or "deposit"))
    except (KeyError, TypeError) as exc:
        raise UnreadableOutboxRow(f"{kind} payload lacks {exc}") from None
    raise UnreadableOutboxRow(f"unknown outbox kind {kind!r}")


def _template(raw: Any) -> TemplateUse | None:
    if raw is None:
        return None
    return TemplateUse(str(raw["name"]), tuple(str(p) for p in raw["params"]), str(raw["language"]))


def _optional(value: Any) -> str | None:
    return None if value is None else str(value)
