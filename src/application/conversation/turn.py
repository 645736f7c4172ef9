"""One inbound WhatsApp message being answered: what it says, and what we will send back.

Nothing is sent from here: the replies and the owner alerts collected on a ``Turn`` are
written to the outbox by ``Converse`` when the turn ends (see its docstring).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from application.messaging import console_pages, texts
from application.ports.outbox import OwnerAlert
from domain.booking.accommodation import Accommodation
from domain.calendar import local_today
from domain.conversation.normalize import normalize
from domain.conversation.state import MENU_HUMAN, MENU_STATUS, ConversationState, Step

# Message types a guest types or taps; anything else (audio, image…) gets a friendly note.
TEXT_KINDS = frozenset({"text", "interactive", "button"})
SILENT_KINDS = frozenset({"reaction"})  # an emoji on one of our messages needs no answer
MEDIA_KINDS = frozenset({"image", "document"})  # a transfer receipt, perhaps
# What we answer to a message we cannot read, by its type (anything else: ``CONV_MEDIA``).
NOT_READ_REPLIES = {"sticker": texts.CONV_STICKER, "location": texts.CONV_LOCATION}
_FAREWELL_WORDS = frozenset({"gracias", "chau", "chao", "adios", "luego", "vemos", "pronto"})


@dataclass(frozen=True, slots=True)
class InboundMessage:
    wamid: str
    phone: str  # as WhatsApp sends it: digits, Argentine mobiles as 549 + 10 digits
    kind: str  # WhatsApp's message type
    text: str = ""
    button_id: str | None = None
    profile_name: str | None = None  # the WhatsApp profile name: a suggestion, never trusted
    # An image or document: WhatsApp's media id and the type it declares (spec §1.8).
    media_id: str | None = None
    mime_type: str | None = None
    # When the guest sent it (WhatsApp's ``timestamp``, seconds); None if missing or unreadable.
    sent_at: datetime | None = None

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> InboundMessage:
        """From a recorded WhatsApp delivery (see ``entrypoints.http.webhooks.handlers``)."""
        return cls(
            wamid=str(payload["id"]),
            phone=str(payload["from"]),
            kind=str(payload.get("message_type") or ""),
            text=str(payload.get("text") or ""),
            button_id=str(payload["button_id"]) if payload.get("button_id") else None,
            profile_name=str(payload["name"]) if payload.get("name") else None,
            media_id=str(payload["media_id"]) if payload.get("media_id") else None,
            mime_type=str(payload["mime_type"]) if payload.get("mime_type") else None,
            sent_at=_sent_at(payload.get("timestamp")),
        )

    @property
    def guest_phone(self) -> str:
        """How a reservation made from this chat stores the phone (E.164)."""
        return f"+{digits(self.phone)}"


@dataclass(frozen=True, slots=True)
class Button:
    id: str
    title: str


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()
    page: str | None = None  # the guest's reservation page it links to (``guest_pages``)
    pages: tuple[str, ...] = ()  # or the pages of the bookings it lists, in order


@dataclass(slots=True)
class Turn:
    message: InboundMessage
    now: datetime
    cabins: Sequence[Accommodation]  # the active ones, for names in texts and the parser
    replies: list[Reply] = field(default_factory=list)
    alerts: list[tuple[OwnerAlert, str | None]] = field(default_factory=list)  # (alert, key)

    @property
    def today(self) -> date:
        return local_today(self.now)

    @property
    def sent_at(self) -> datetime | None:
        """When the guest sent the message, never later than now (a phone's clock ahead)."""
        sent = self.message.sent_at
        return None if sent is None else min(sent, self.now)

    def say(
        self, text: str, *buttons: Button, page: str | None = None, pages: tuple[str, ...] = ()
    ) -> None:
        """``page``: the path of the guest's reservation page the reply is about (``pages``:
        of each booking it lists); its link is added when the reply is sent."""
        self.replies.append(Reply(text, buttons, page, pages))

    def alert_owner(
        self, text: str, link: str = console_pages.CONVERSATIONS, *, once_per: str | None = None
    ) -> None:
        """``link``: the console page of the alert's subject (by default, the conversations
        waiting for a person); ``once_per``: a key that makes the alert unique beyond this
        message."""
        self.alerts.append((OwnerAlert(text, link), once_per))

    def cabin(self, accommodation_id: int) -> Accommodation | None:
        return next((c for c in self.cabins if c.id == accommodation_id), None)


MENU_BUTTONS = (
    Button(MENU_STATUS, texts.BUTTON_MY_RESERVATION),
    Button(MENU_HUMAN, texts.BUTTON_HUMAN),
)


def hand_over(
    turn: Turn,
    state: ConversationState,
    guest_text: str,
    owner_text: str,
    link: str = console_pages.CONVERSATIONS,
) -> ConversationState:
    """The owner takes the conversation: the guest is told, the owner alerted (``link``: the
    console page the alert points at), and the assistant stays quiet until the handed-over
    state expires."""
    turn.say(guest_text)
    turn.alert_owner(owner_text, link)
    return ConversationState(step=Step.HANDED_OVER, name=state.name)


def _sent_at(timestamp: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(str(timestamp or "")), UTC)
    except (ValueError, OverflowError, OSError):
        return None


def message_ref(wamid: str) -> str:
    """The wamid, short enough for dedupe and idempotency keys (they are ~60 characters; a
    longer one is hashed)."""
    return wamid if len(wamid) <= 120 else hashlib.sha256(wamid.encode()).hexdigest()


def digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch in "0123456789")


def same_phone(a: str, b: str) -> bool:
    """Equal numbers, also when one is an Argentine mobile with its 9 and the other without."""
    return _canonical(a) == _canonical(b)


def _canonical(phone: str) -> str:
    number = digits(phone)
    if number.startswith("549") and len(number) == 13:
        return "54" + number[3:]
    return number


def courtesy(turn: Turn, state: ConversationState, *, help_asked: bool) -> ConversationState:
    """Help, a greeting or thanks: answered in kind, with the menu; nothing pending changes."""
    if help_asked:
        turn.say(texts.CONV_HELP, *MENU_BUTTONS)
    elif _FAREWELL_WORDS & set(normalize(turn.message.text).split()):
        turn.say(texts.CONV_THANKS)
    else:
        turn.say(texts.CONV_WELCOME, *MENU_BUTTONS)
    return state


def pending_question(state: ConversationState) -> str:
    """The question still waiting for an answer, asked again."""
    if state.step is Step.CHOICE and state.options:
        return texts.conv_pick_a_number(len(state.options))
    if state.step is Step.NAME:
        return texts.CONV_ASK_NAME_AGAIN
    if state.step is Step.GUESTS:
        return texts.CONV_ASK_GUESTS
    if state.step is Step.CANCELLING:
        return texts.CONV_CANCEL_YES_OR_NO
    if state.step is Step.CANCEL_WHICH and state.choices:
        return texts.conv_pick_to_cancel(len(state.choices))
    return texts.CONV_ASK_DATES
