"""Free text or a template: which one a WhatsApp message goes as."""

from __future__ import annotations

import logging
from datetime import datetime

from application.errors import OutsideServiceWindow
from application.ports.contacts import ContactWindows
from application.ports.messaging import MessageSender, OutboundMessage, OutboundTemplate
from application.ports.outbox import WhatsAppMessage
from domain.messaging.service_window import whatsapp_id, window_open

log = logging.getLogger("cabanas.outbox")


async def send_whatsapp(
    message: WhatsAppMessage, contacts: ContactWindows, sender: MessageSender, now: datetime
) -> str:
    """Rules:
    - inside the number's customer-service window (it wrote to us less than 24 h ago, minus a
      safety margin), the free text with its buttons, as written;
    - outside it, the message's approved template; a message without one (a conversation
      reply) is sent as text anyway, and WhatsApp's refusal is a permanent failure;
    - if WhatsApp refuses the free text as outside the window (it saw the window differently,
      e.g. a message of theirs we never received), the template goes at once instead.
    """
    last = await contacts.last_inbound(whatsapp_id(message.to))
    if message.template is None or window_open(last, now):
        try:
            return await sender.send(OutboundMessage(message.to, message.text, message.buttons))
        except OutsideServiceWindow:
            if message.template is None:
                raise
            log.info("whatsapp_window_closed_using_template", extra={"topic": message.topic})
    return await sender.send_template(OutboundTemplate(message.to, message.template))
