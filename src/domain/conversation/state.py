"""What the WhatsApp assistant remembers about one phone between two messages.

Kept by the conversation store with a TTL: when it is gone the conversation starts over, and a
guest answering a question we no longer remember is asked again politely. Reply buttons carry
everything they stand for (``pick:<cabin>:<check-in>:<check-out>:<guests>``,
``cancel:<code>``), so a tap still works after the state expired or after a newer list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from domain.conversation.interpret import Expecting
from domain.errors import InvalidValue


class Step(StrEnum):
    """What the assistant's last message asked for."""

    IDLE = "idle"  # nothing pending
    DATES = "dates"  # the dates (maybe only the check-in or the nights are missing)
    GUESTS = "guests"  # how many people
    CHOICE = "choice"  # one of the listed cabins (``options``)
    NAME = "name"  # whose name the hold goes under (``chosen`` is set)
    CANCELLING = "cancelling"  # yes or no to cancelling the hold ``code``
    CANCEL_WHICH = "cancel_which"  # which of the bookings listed (``choices``) to cancel
    HANDED_OVER = "handed_over"  # the owner answers: no automatic replies while this lasts


_EXPECTING = {
    Step.DATES: Expecting.DATES,
    Step.GUESTS: Expecting.GUESTS,
    Step.CHOICE: Expecting.CHOICE,
    Step.NAME: Expecting.NAME,
    Step.CANCELLING: Expecting.CONFIRMATION,
    Step.CANCEL_WHICH: Expecting.CHOICE,  # "la 2", "la segunda", a cabin's name
}


@dataclass(frozen=True, slots=True)
class Offer:
    """A cabin for a stay and a head count, as listed to the guest (not a price promise: the
    hold is priced again when it is placed)."""

    accommodation_id: int
    name: str
    check_in: date
    check_out: date
    guests: int

    def __post_init__(self) -> None:
        if self.check_out <= self.check_in or self.guests < 1:
            raise InvalidValue("an offer needs at least one night and one guest")

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days

    @property
    def button_id(self) -> str:
        return (
            f"{PICK}:{self.accommodation_id}:{self.check_in:%Y%m%d}:"
            f"{self.check_out:%Y%m%d}:{self.guests}"
        )


@dataclass(frozen=True, slots=True)
class ConversationState:
    step: Step = Step.IDLE
    check_in: date | None = None
    nights: int | None = None
    guests: int | None = None
    options: tuple[Offer, ...] = ()
    chosen: Offer | None = None
    name: str | None = None  # the guest's name, once given
    # The name was given while the cabin list waited (CHOICE): it is for the cabin chosen
    # next, so the hold goes under it without asking again. A new list forgets this.
    name_for_choice: bool = False
    code: str | None = None  # the reservation a yes/no is about (CANCELLING)
    # CANCEL_WHICH: the codes of the bookings listed, in the order they were numbered.
    choices: tuple[str, ...] = ()
    misunderstood: int = 0  # messages in a row we could not act on
    # When we last said we cannot see photos or hear audios: a burst of them gets it once.
    media_noted_at: datetime | None = None
    # HANDED_OVER: when the pause ends, and whether the guest's first message since was
    # answered ("ya le avisamos a una persona"); later ones wait for the person in silence.
    handed_over_until: datetime | None = None
    handover_noted: bool = False
    # When the guest sent the latest message handled (WhatsApp's timestamp): an earlier one
    # delivered after it is late (``domain.conversation.late``).
    last_message_at: datetime | None = None

    @property
    def expecting(self) -> Expecting | None:
        return _EXPECTING.get(self.step)

    @property
    def check_out(self) -> date | None:
        if self.check_in is None or self.nights is None:
            return None
        return self.check_in + timedelta(days=self.nights)


# Button ids: what a tap means, whatever the state says by then.
PICK = "pick"
CANCEL = "cancel"
KEEP = "keep"
CANCEL_WHICH = "cancelwhich"  # this one, of the guest's bookings listed to cancel
PROFILE_NAME = "name:profile"
REMEMBERED_NAME = "name:remembered"  # yes to "¿La hacemos a nombre de …?" (``name``)
MENU_STATUS = "menu:status"
MENU_HUMAN = "menu:human"


@dataclass(frozen=True, slots=True)
class PickedOption:
    accommodation_id: int
    check_in: date
    check_out: date
    guests: int


# ``pick:<cabin id>:<check-in YYYYMMDD>:<check-out YYYYMMDD>:<guests>``, ASCII digits only (a
# button id comes back in a webhook: ``int`` must never meet "፪" or a thousand digits).
_PICK_BUTTON = re.compile(rf"{PICK}:([1-9][0-9]{{0,17}}):([0-9]{{8}}):([0-9]{{8}}):([0-9]{{1,3}})")


def picked_option(button_id: str) -> PickedOption | None:
    """The offer a ``pick:…`` button stands for; None if it is not one (or is malformed)."""
    found = _PICK_BUTTON.fullmatch(button_id)
    if found is None:
        return None
    try:
        check_in, check_out = (
            date(int(p[:4]), int(p[4:6]), int(p[6:8])) for p in found.group(2, 3)
        )
    except ValueError:  # not a calendar date
        return None
    return PickedOption(int(found[1]), check_in, check_out, int(found[4]))


def code_button(action: str, code: str) -> str:
    return f"{action}:{code}"


def code_of(button_id: str, action: str) -> str | None:
    prefix = f"{action}:"
    return button_id.removeprefix(prefix) if button_id.startswith(prefix) else None
