"""A guest's choice about messages that are not about a stay in progress.

Replying "BAJA" (or "STOP") on WhatsApp opts a number out, "ALTA" back in; only the word
itself, whatever its case, accents or punctuation ("dar de baja la reserva" is a request about
a booking, not this). Opting out stops only what a guest can do without: transactional
messages — about a booking the guest made and its stay — still go, since the guest needs them
to pay, arrive and leave; the thank-you with its request for a review is the one that stops.
"""

from __future__ import annotations

from enum import StrEnum

from domain.conversation.normalize import normalize
from domain.messaging.schedule import Scheduled


class OptChoice(StrEnum):
    OUT = "out"
    IN = "in"


_WORDS = {"baja": OptChoice.OUT, "stop": OptChoice.OUT, "alta": OptChoice.IN}

# Sent whatever the opt-out: the pre-arrival information, the balance and check-out reminders
# (and the booking's confirmation, deposit link and the owner's own messages, which are not
# scheduled). Only these stop:
NEEDS_CONSENT = frozenset({Scheduled.THANK_YOU})


def opt_choice(text: str) -> OptChoice | None:
    """The choice a whole message makes, or None when it is anything else."""
    return _WORDS.get(normalize(text))
