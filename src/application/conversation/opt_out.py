"""A guest replies BAJA (or STOP) to stop the messages that are not transactional, ALTA to
have them again (``domain.messaging.opt_out``)."""

from __future__ import annotations

import logging
from datetime import datetime

from application.conversation.turn import InboundMessage, message_ref
from application.messaging.scheduled_texts import OPTED_IN, OPTED_OUT
from application.ports.outbox import WhatsAppMessage
from application.ports.unit_of_work import UnitOfWork
from domain.messaging.opt_out import OptChoice, opt_choice
from domain.messaging.service_window import whatsapp_id

log = logging.getLogger("cabanas.opt_out")


async def answer_opt_choice(
    uow: UnitOfWork, message: InboundMessage, now: datetime, trace_id: str | None
) -> bool:
    """Rules, in the caller's transaction (the one that marks the delivery processed, so a
    redelivery changes nothing and the confirmation goes once):
    - a typed message that is only BAJA or STOP records the number's opt-out, ALTA removes
      it; each is confirmed in Spanish (free text: the guest has just written);
    - anything else is left to the booking assistant (False).
    The choice is kept per number (docs/privacy.md), and read when a message that needs it
    is about to be queued."""
    if message.kind != "text":
        return False
    choice = opt_choice(message.text)
    if choice is None:
        return False
    number = whatsapp_id(message.phone)
    if choice is OptChoice.OUT:
        await uow.opt_outs.opt_out(number, now)
    else:
        await uow.opt_outs.opt_in(number)
    await uow.outbox.put(
        WhatsAppMessage(message.phone, OPTED_OUT if choice is OptChoice.OUT else OPTED_IN),
        now,
        dedupe_key=f"reply:{message_ref(message.wamid)}:0",
        trace_id=trace_id,
    )
    log.info("messages_opt_choice", extra={"choice": choice.value})
    return True
