"""Messages WhatsApp delivers out of order: which of them still count.

WhatsApp may deliver a message after one the guest sent later (each carries when it was sent,
the webhook's ``timestamp``, in seconds). A message sent before the last one already handled
for the phone is *late*. Decisions, from the guest's point of view — what they see must follow
what they wrote last:

* A late message that still answers the question the assistant is asking now is answered, as
  if it had come in order: the number or the cabin while the list waits, the name while the
  name is asked, dates or a head count while they are asked, yes or no to cancelling, the
  pick of a booking to cancel. "somos 4" overtaken by "del 15 al 18" is still the head count.
* So is a request that stands alone and moves nothing: asking for a person, or about a booking
  ("mi reserva", a code). Ignoring those would leave the guest without an answer.
* Anything else is ignored without a reply: the later message already moved the conversation
  on, and answering the earlier one would derail it — a "1" after the hold was placed would
  restart a search, a "hola" would send the menu after the list, a "Sí, cancelar" tapped
  before "no" would cancel what the guest last said to keep. The guest can write again.
* A tap on one of our buttons is late-proof only while it answers the step it was for (a
  cabin while the list waits, yes/no to cancelling that very booking, a name while it is
  asked); the menu's buttons always count.
* Equal timestamps are not late (one second is WhatsApp's resolution: order within it is
  unknowable). A message without a readable timestamp, or one dated in the future, is never
  late and never makes another late beyond now.

Transfer receipts and other media are handled before this (a receipt is always kept).
"""

from __future__ import annotations

from datetime import datetime

from domain.conversation.intents import Intent
from domain.conversation.interpret import Interpretation
from domain.conversation.state import (
    CANCEL,
    CANCEL_WHICH,
    KEEP,
    MENU_HUMAN,
    MENU_STATUS,
    PROFILE_NAME,
    REMEMBERED_NAME,
    ConversationState,
    Step,
    code_of,
    picked_option,
)

# Requests that stand alone: answered however late they come.
_ALWAYS = frozenset({Intent.HUMAN, Intent.STATUS})
_ANSWERS = {
    Step.CHOICE: frozenset({Intent.CHOICE, Intent.CONFIRM_NO, Intent.PROVIDE_NAME}),
    Step.NAME: frozenset({Intent.PROVIDE_NAME, Intent.CONFIRM_YES, Intent.CONFIRM_NO}),
    Step.CANCELLING: frozenset({Intent.CONFIRM_YES, Intent.CONFIRM_NO}),
    Step.CANCEL_WHICH: frozenset({Intent.CHOICE, Intent.CONFIRM_NO}),
}
_SEARCHES = frozenset({Intent.AVAILABILITY, Intent.BOOK})


def is_late(state: ConversationState | None, sent_at: datetime | None) -> bool:
    """Whether a message sent at ``sent_at`` comes after a later one was handled."""
    last = state.last_message_at if state is not None else None
    return sent_at is not None and last is not None and sent_at < last


def late_text_counts(state: ConversationState, reading: Interpretation) -> bool:
    """Whether a late typed message is still answered (module docstring)."""
    intent = reading.intent
    if intent in _ALWAYS or intent in _ANSWERS.get(state.step, ()):
        return True
    if state.step is Step.DATES and intent in _SEARCHES:
        return reading.dates is not None
    if state.step is Step.GUESTS and intent in _SEARCHES:
        return reading.guests is not None
    return False


def late_tap_counts(state: ConversationState, button_id: str) -> bool | None:
    """Whether a late tap on one of our buttons still counts; None for a button we do not
    know (it is read by its title, as typed text)."""
    if button_id in (MENU_STATUS, MENU_HUMAN):
        return True
    if picked_option(button_id) is not None:
        return state.step is Step.CHOICE
    if button_id in (PROFILE_NAME, REMEMBERED_NAME):
        return state.step is Step.NAME
    if (code := code_of(button_id, CANCEL_WHICH)) is not None:
        return state.step is Step.CANCEL_WHICH and code in state.choices
    for action in (CANCEL, KEEP):
        if (code := code_of(button_id, action)) is not None:
            return state.step is Step.CANCELLING and state.code == code
    return None
