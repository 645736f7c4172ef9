"""WhatsApp Cloud API over httpx: text, reply-button and template messages (spec §1.5–1.7)."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import msgspec

from application.errors import IntegrationError, OutsideServiceWindow, TemplateRejected
from application.ports.messaging import OutboundMessage, OutboundTemplate
from domain.messaging.service_window import whatsapp_id

log = logging.getLogger("cabanas.whatsapp")

# Throttling and rate limits: wait and try again. 190 (expired token) too: the operator fixes
# the token and the queued messages go out; MAX_ATTEMPTS bounds it.
RETRYABLE_CODES = frozenset({1, 2, 4, 80007, 130429, 131000, 131016, 131048, 131056, 190})
MAX_BODY = 4096
MAX_BUTTON_BODY = 1024
MAX_BUTTONS = 3
MAX_TITLE = 20
# More than 24 h since the person last wrote: free text needs a template instead (spec §1.6).
WINDOW_CLOSED = 131047
# Template errors on send (132000 parameter count, 132001 no such template in that language,
# 132005 text too long once filled in, 132007 policy, 132012 parameter format, 132015 paused,
# 132016 disabled): all in Meta's 132xxx range, all permanent for the message (spec §1.7).
TEMPLATE_ERRORS = range(132000, 133000)


def outbound_number(number: str) -> str:
    """Digits only; Argentine mobiles arrive as 549 + 10 digits but must be sent to 54 + the
    same 10 digits (the 9 dropped) — spec §1.6."""
    return whatsapp_id(number)


def message_body(message: OutboundMessage) -> dict[str, Any]:
    to = outbound_number(message.to)
    if not message.buttons:
        return {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "text",
            "text": {"preview_url": False, "body": message.text[:MAX_BODY]},
        }
    buttons = [
        {"type": "reply", "reply": {"id": b.id[:256], "title": b.title[:MAX_TITLE]}}
        for b in message.buttons[:MAX_BUTTONS]
    ]
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": message.text[:MAX_BUTTON_BODY]},
            "action": {"buttons": buttons},
        },
    }


def template_body(message: OutboundTemplate) -> dict[str, Any]:
    template = message.template
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": outbound_number(message.to),
        "type": "template",
        "template": {
            "name": template.name,
            "language": {"code": template.language, "policy": "deterministic"},
            "components": [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": value} for value in template.params],
                }
            ],
        },
    }


class _Error(msgspec.Struct):
    code: int = 0
    message: str = ""


class _ErrorBody(msgspec.Struct):
    error: _Error


class _Sent(msgspec.Struct):
    id: str


class _SentBody(msgspec.Struct):
    messages: list[_Sent]


class WhatsAppClient:
    def __init__(self, client: httpx.AsyncClient, token: str, phone_number_id: str, version: str):
        self._client = client
        self._path = f"/{version}/{phone_number_id}/messages"
        self._headers = {"Authorization": f"Bearer {token}"}

    async def send(self, message: OutboundMessage) -> str:
        return await self._post(message_body(message))

    async def send_template(self, message: OutboundTemplate) -> str:
        return await self._post(template_body(message))

    async def _post(self, body: dict[str, Any]) -> str:
        try:
            response = await self._client.post(self._path, json=body, headers=self._headers)
        except httpx.TimeoutException as exc:
            raise IntegrationError("WhatsApp timed out", retryable=True) from exc
        except httpx.HTTPError as exc:
            raise IntegrationError(
                f"WhatsApp unreachable ({type(exc).__name__})", retryable=True
            ) from exc
        if response.status_code >= 400:
            raise _error(response)
        try:
            sent = msgspec.json.decode(response.content, type=_SentBody)
        except msgspec.DecodeError as exc:
            raise IntegrationError("unexpected WhatsApp response", retryable=True) from exc
        if not sent.messages:
            raise IntegrationError("WhatsApp accepted nothing", retryable=True)
        return sent.messages[0].id


def _error(response: httpx.Response) -> IntegrationError:
    try:
        err = msgspec.json.decode(response.content, type=_ErrorBody).error
    except msgspec.DecodeError:
        err = _Error()
    text = f"WhatsApp error {err.code or response.status_code}: {err.message[:200]}"
    code = str(err.code or response.status_code)
    if err.code in TEMPLATE_ERRORS:
        return TemplateRejected(text, code=code)
    if err.code == WINDOW_CLOSED:
        return OutsideServiceWindow(text, code=code)
    retryable = (
        response.status_code >= 500 or response.status_code == 429 or err.code in RETRYABLE_CODES
    )
    return IntegrationError(text, retryable=retryable, code=code)


class LoggingSender:
    """No WhatsApp credentials: messages are logged (number masked) instead of sent, so every
    flow can be followed locally. The text (which may name the guest) only with ``show_text``
    (development); elsewhere just its length."""

    def __init__(self, *, show_text: bool = False) -> None:
        self._show_text = show_text

    async def send(self, message: OutboundMessage) -> str:
        extra: dict[str, Any] = {"to_masked": "…" + outbound_number(message.to)[-4:]}
        if self._show_text:
            extra["text"] = message.text
            extra["buttons"] = [b.title for b in message.buttons]
        else:
            extra["chars"] = len(message.text)
        log.info("whatsapp_not_configured_message_logged", extra=extra)
        return "logged"

    async def send_template(self, message: OutboundTemplate) -> str:
        extra: dict[str, Any] = {
            "to_masked": "…" + outbound_number(message.to)[-4:],
            "template": message.template.name,
        }
        if self._show_text:
            extra["params"] = list(message.template.params)
        log.info("whatsapp_not_configured_template_logged", extra=extra)
        return "logged"
