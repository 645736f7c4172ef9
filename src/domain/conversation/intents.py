"""What a guest wants from one message. How an intent is chosen is documented in ``interpret``."""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    AVAILABILITY = "availability"
    """Is there room, and at what price ("tienen lugar el finde?", "cuánto sale?", dates alone)."""
    BOOK = "book"
    """Wants to reserve ("quiero reservar", "quiero ir del 15 al 18")."""
    STATUS = "status"
    """Asks about an existing reservation, by code or by the phone it was made from."""
    CANCEL = "cancel"
    """Wants to cancel an existing reservation."""
    GREETING = "greeting"
    """Only courtesy: hello, thanks, bye. The reply is courtesy too (plus the menu)."""
    HELP = "help"
    """Wants to know how this works or general information (location, pets, payment, check-in)."""
    HUMAN = "human"
    """Wants a person: the conversation is handed over to the owner."""
    CHOICE = "choice"
    """Picks one of the options the bot listed, by number, ordinal or cabin name."""
    PROVIDE_NAME = "provide_name"
    """Says whose name the reservation goes under."""
    CONFIRM_YES = "confirm_yes"
    """Agrees to what the bot proposed."""
    CONFIRM_NO = "confirm_no"
    """Declines what the bot proposed."""
    UNKNOWN = "unknown"
    """Nothing we can act on; the bot says so and offers the menu or a person."""
