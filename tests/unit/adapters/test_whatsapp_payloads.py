"""WhatsApp payload shapes: what we send (spec §1.5) and what we read from webhooks (§1.3)."""

from __future__ import annotations

import httpx
import pytest

from adapters.whatsapp.client import _error, message_body, outbound_number, template_body
from application.errors import OutsideServiceWindow, TemplateRejected
from application.messaging.dispatch_outbox import MAX_ATTEMPTS, OUTBOX_BACKOFF, RETRY_MAX
from application.ports.messaging import OutboundMessage, OutboundTemplate, ReplyButton, TemplateUse
from entrypoints.http.webhooks.handlers import whatsapp_items


def test_argentine_mobile_numbers_drop_the_9_outbound_only() -> None:
    assert outbound_number("+5491155551234") == "541155551234"
    assert outbound_number("5492944123456") == "542944123456"
    assert outbound_number("541155551234") == "541155551234"
    assert outbound_number("+34 612 345 678") == "34612345678"


def test_text_and_button_bodies_respect_the_limits() -> None:
    text = message_body(OutboundMessage("5491155551234", "x" * 5000))
    assert text["type"] == "text"
    assert len(text["text"]["body"]) == 4096
    assert text["text"]["preview_url"] is False
    buttons = message_body(
        OutboundMessage(
            "5491155551234",
            "¿Cuál?",
            tuple(ReplyButton(f"opt-{i}", f"Cabaña número {i} del lago") for i in range(5)),
        )
    )
    action = buttons["interactive"]["action"]["buttons"]
    assert buttons["interactive"]["type"] == "button"
    assert len(action) == 3
    assert all(len(b["reply"]["title"]) <= 20 for b in action)


def test_every_message_and_status_of_an_envelope_is_read_with_its_key() -> None:
    envelope = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "contacts": [{"profile": {"name": "Juana"}, "wa_id": "5491155551234"}],
                            "messages": [
                                {
                                    "from": "5491155551234",
                                    "id": "wamid.1",
                                    "type": "text",
                                    "text": {"body": "hola"},
                                    "timestamp": "1",
                                },
                                {
                                    "from": "5491155551234",
                                    "id": "wamid.2",
                                    "type": "interactive",
                                    "interactive": {
                                        "type": "button_reply",
                                        "button_reply": {"id": "yes", "title": "Sí"},
                                    },
                                },
                                {
                                    "from": "5491155551234",
                                    "id": "wamid.3",
                                    "type": "audio",
                                    "audio": {"id": "m1", "voice": True},
                                },
                                {"id": "no-sender"},
                            ],
                        },
                    },
                    {
                        "field": "messages",
                        "value": {
                            "statuses": [
                                {"id": "wamid.9", "status": "read"},
                                {"id": "wamid.9", "status": "delivered"},
                            ]
                        },
                    },
                ],
            }
        ],
    }
    items = whatsapp_items(envelope)
    assert [key for key, _ in items] == [
        "msg:wamid.1",
        "msg:wamid.2",
        "msg:wamid.3",
        "status:wamid.9:read",
        "status:wamid.9:delivered",
    ]
    assert items[0][1]["text"] == "hola"
    assert items[0][1]["name"] == "Juana"
    assert items[1][1]["button_id"] == "yes"
    assert items[2][1]["message_type"] == "audio"
    assert whatsapp_items({"entry": "nonsense"}) == []
    assert whatsapp_items([1, 2]) == []


def test_backoff_grows_and_is_capped() -> None:
    delays = [d.total_seconds() for d in OUTBOX_BACKOFF.schedule(MAX_ATTEMPTS)]
    assert delays[:3] == [30, 60, 120]
    assert max(delays) == RETRY_MAX.total_seconds()
    assert delays == sorted(delays)


def test_a_template_message_names_the_template_and_fills_its_parameters_in_order() -> None:
    body = template_body(
        OutboundTemplate("+5491155551234", TemplateUse("reserva_confirmada", ("Juana", "ABCD")))
    )
    assert body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "541155551234",
        "type": "template",
        "template": {
            "name": "reserva_confirmada",
            "language": {"code": "es_AR", "policy": "deterministic"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "Juana"},
                        {"type": "text", "text": "ABCD"},
                    ],
                }
            ],
        },
    }


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (132000, TemplateRejected),
        (132001, TemplateRejected),
        (132015, TemplateRejected),
        (132016, TemplateRejected),
        (131047, OutsideServiceWindow),
    ],
)
def test_template_and_window_errors_are_permanent_and_named(code: int, kind: type) -> None:
    response = httpx.Response(400, json={"error": {"code": code, "message": f"(#{code}) x"}})
    err = _error(response)
    assert isinstance(err, kind)
    assert not err.retryable
    assert err.code == str(code)
