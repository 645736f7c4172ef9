"""Free text inside the 24 h window, the template outside it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.errors import OutsideServiceWindow
from application.messaging.whatsapp_delivery import send_whatsapp
from application.ports.messaging import OutboundMessage, OutboundTemplate, TemplateUse
from application.ports.outbox import WhatsAppMessage
from tests.unit.application.fakes import FakeContacts
from tests.unit.domain.builders import NOW

TEMPLATE = TemplateUse("reserva_confirmada", ("Juana",))
MESSAGE = WhatsAppMessage("+5491155551234", "¡Listo!", template=TEMPLATE)


class Sender:
    def __init__(self, *, refuse_text: bool = False) -> None:
        self.texts: list[OutboundMessage] = []
        self.templates: list[OutboundTemplate] = []
        self.refuse_text = refuse_text

    async def send(self, message: OutboundMessage) -> str:
        if self.refuse_text:
            raise OutsideServiceWindow("WhatsApp error 131047", code="131047")
        self.texts.append(message)
        return "wamid.text"

    async def send_template(self, message: OutboundTemplate) -> str:
        self.templates.append(message)
        return "wamid.template"


async def test_inside_the_window_the_free_text_goes() -> None:
    contacts, sender = FakeContacts(), Sender()
    await contacts.note_inbound("541155551234", NOW - timedelta(hours=3))  # wrote as 549…
    assert await send_whatsapp(MESSAGE, contacts, sender, NOW) == "wamid.text"
    assert [m.text for m in sender.texts] == ["¡Listo!"]
    assert sender.templates == []


async def test_outside_the_window_or_never_written_the_template_goes() -> None:
    contacts, sender = FakeContacts(), Sender()
    assert await send_whatsapp(MESSAGE, contacts, sender, NOW) == "wamid.template"
    await contacts.note_inbound("541155551234", NOW - timedelta(days=2))
    await send_whatsapp(MESSAGE, contacts, sender, NOW)
    assert [m.template for m in sender.templates] == [TEMPLATE, TEMPLATE]
    assert sender.texts == []


async def test_a_refused_free_text_falls_back_to_the_template_and_a_reply_cannot() -> None:
    contacts, sender = FakeContacts(), Sender(refuse_text=True)
    await contacts.note_inbound("541155551234", NOW)
    assert await send_whatsapp(MESSAGE, contacts, sender, NOW) == "wamid.template"
    reply = WhatsAppMessage("+5491155551234", "¿Para cuántas personas?")
    with pytest.raises(OutsideServiceWindow):
        await send_whatsapp(reply, contacts, sender, NOW)
