"""The outbox codec: every typed message survives the JSON payload, and rows written before
the messages were typed read back as the same messages."""

from __future__ import annotations

import json

import pytest

from adapters.postgres.outbox_codec import UnreadableOutboxRow, decode, encode
from application.ports.messaging import ReplyButton, TemplateUse
from application.ports.outbox import (
    EmailMessage,
    OutboxMessage,
    OwnerAlert,
    PaymentLinkJob,
    WhatsAppMessage,
)

MESSAGES: list[OutboxMessage] = [
    WhatsAppMessage("+5491155551234", "hola"),
    WhatsAppMessage("5491155551234", "¿cuál?", (ReplyButton("opt:1", "Opción 1"),)),
    OwnerAlert("⚠️ revisá el pago"),
    EmailMessage("juana@example.com", "Reserva X", "¡Hola!\n\nlink", "booking_confirmed", "X"),
    EmailMessage(None, "Aviso", "texto", "owner_alert"),
    WhatsAppMessage(
        "+54911",
        "¡Listo!",
        template=TemplateUse("reserva_confirmada", ("Juana", "X")),
        topic="booking_confirmed",
        reservation="X",
    ),
    WhatsAppMessage("+54911", "Tu reserva X está confirmada", reservation="X", page="/r/X"),
    WhatsAppMessage("+54911", "Tenés 2 reservas", pages=("/r/X", "/r/Y")),
    PaymentLinkJob("ABCDEFGHJKMN"),
    PaymentLinkJob("ABCDEFGHJKMN", "balance"),
    PaymentLinkJob("ABCDEFGHJKMN", "extend"),
]


@pytest.mark.parametrize("message", MESSAGES)
def test_each_message_round_trips_through_json(message: OutboxMessage) -> None:
    kind, payload = encode(message)
    assert decode(kind, json.loads(json.dumps(payload))) == message


def test_rows_written_by_earlier_releases_read_back() -> None:
    assert decode("whatsapp.message", {"to": "+54911", "text": "x"}) == WhatsAppMessage(
        "+54911", "x"
    )
    assert decode(
        "whatsapp.message",
        {"to": "+54911", "text": "x", "buttons": [{"id": "a", "title": "A"}]},
    ) == WhatsAppMessage("+54911", "x", (ReplyButton("a", "A"),))
    assert decode("admin.alert", {"text": "t"}) == OwnerAlert("t")
    assert decode("mercadopago.checkout", {"code": "C"}) == PaymentLinkJob("C")


def test_unknown_kinds_and_broken_payloads_are_refused_by_name() -> None:
    with pytest.raises(UnreadableOutboxRow, match="unknown outbox kind"):
        decode("fax.message", {"to": "1"})
    with pytest.raises(UnreadableOutboxRow, match="text"):
        decode("admin.alert", {})
