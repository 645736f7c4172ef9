"""The WhatsApp booking assistant: one inbound message in, its replies out through the outbox."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from application.conversation.booking_desk import BookingDesk, profile_name
from application.conversation.reservation_desk import ReservationDesk
from application.conversation.turn import (
    MEDIA_KINDS,
    MENU_BUTTONS,
    NOT_READ_REPLIES,
    SILENT_KINDS,
    TEXT_KINDS,
    InboundMessage,
    Turn,
    courtesy,
    digits,
    hand_over,
    message_ref,
    pending_question,
)
from application.messaging import texts
from application.payments.receipts import Received, ReceiveReceipt
from application.ports.catalogue import Catalogue
from application.ports.clock import Clock
from application.ports.conversations import ConversationStore
from application.ports.holidays import HolidaySource
from application.ports.messaging import ReplyButton
from application.ports.outbox import WhatsAppMessage
from application.ports.unit_of_work import UnitOfWork
from domain.conversation.intents import Intent
from domain.conversation.interpret import Interpretation, interpret
from domain.conversation.late import is_late, late_tap_counts, late_text_counts
from domain.conversation.long_weekends import HOLIDAYS_AHEAD
from domain.conversation.names import is_booking_name
from domain.conversation.normalize import normalize
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
from domain.payments.receipts import ReceiptRefusal

log = logging.getLogger("cabanas.conversation")

CONVERSATION_TTL = timedelta(minutes=30)
HANDOVER_PAUSE = timedelta(hours=2)
# Photos, audios or stickers sent within this long of our "no podemos ver fotos" get no other.
MEDIA_NOTE_QUIET = timedelta(minutes=5)
MAX_MISUNDERSTANDINGS = 3  # in a row; then a person takes over
# Answers to a question we no longer remember (the state expired): ask again, never guess.
_ANSWERS = frozenset({Intent.CHOICE, Intent.CONFIRM_YES, Intent.CONFIRM_NO})


@dataclass(frozen=True, slots=True)
class ConversationSetup:
    ttl: timedelta = CONVERSATION_TTL
    handover_pause: timedelta = HANDOVER_PAUSE
    max_misunderstandings: int = MAX_MISUNDERSTANDINGS
    media_note_quiet: timedelta = MEDIA_NOTE_QUIET


@dataclass(frozen=True, slots=True)
class Delivery:
    """The recorded webhook delivery this message came in (see ``application.inbox.deliveries``)."""

    scope: str
    key: str


@dataclass(frozen=True, slots=True)
class Converse:
    """Rules:
    - messages of one phone are answered one at a time, in every process (the conversation
      store's per-phone session), so a burst never races: two quick messages never create
      two holds nor clobber each other's state;
    - the state lives ``setup.ttl`` after the last message; a handed-over conversation waits
      ``setup.handover_pause`` for a person: the guest's first message in that time gets one
      short "ya le avisamos a una persona" and the rest no automatic reply; writing does not
      lengthen the pause;
    - "hablar con una persona" or ``setup.max_misunderstandings`` messages in a row that we
      cannot act on hand the conversation over to the owner (an alert through the outbox);
    - an image or document from a guest holding nights to pay by transfer is their receipt
      (``ReceiveReceipt``: checked, kept with the booking, queued for the owner, even while the
      conversation is handed over to a person) and is acknowledged; audio and other media get
      a friendly request to write (a sticker or a
      location a reply of its own), once for a burst: nothing more for what arrives within
      ``setup.media_note_quiet`` of it (the clock's time); reactions, nothing;
    - dates named by a holiday ("el finde largo", "carnaval") are read against the holidays
      the pricing observes (``holidays``);
    - every reply and alert goes through the outbox.

    Transactions and crashes. A message is answered in several transactions on the request's
    single connection, one after the other and never nested (``PlaceHold`` commits its own):
    1. the phone's session is taken, then the delivery is checked to be still unprocessed
       (another process may have finished it while we waited);
    2. reads (availability, lookups) and at most one write use case, each committing alone:
       ``PlaceHold`` keyed by the wamid (run again, it replays the same hold) or
       ``CancelReservation`` (run again, the hold is found cancelled and the reply is the same);
    3. one last transaction writes the replies and alerts to the outbox (dedupe keys derived
       from the wamid) and marks the delivery processed: all of it or none of it;
    4. the new state is saved, only if the session is still ours; then it is released.
    A crash before 3 leaves the delivery unprocessed: the worker answers it again from the
    unchanged state, and step 2's writes replay rather than repeat. A crash between 3 and 4
    loses only the state's update: the replies are out, and the next message is read against
    the previous state (at worst the guest is asked something again). So no reply is lost or
    sent twice, and no stay is held twice.
    """

    uow: UnitOfWork
    clock: Clock
    store: ConversationStore
    catalogue: Catalogue
    booking: BookingDesk
    desk: ReservationDesk
    setup: ConversationSetup
    receipts: ReceiveReceipt
    holidays: HolidaySource

    async def __call__(
        self, message: InboundMessage, delivery: Delivery, trace_id: str | None = None
    ) -> bool:
        """True if this call answered the message (False: someone else already had)."""
        async with self.store.session(message.phone) as session:
            if not await self._unprocessed(delivery):
                return False
            turn = Turn(message, self.clock.now(), await self.catalogue.active())
            stored = await session.load()
            after = await self._answer(turn, stored)
            if not await self._finish(turn, delivery, trace_id):
                return False
            if after is not None:
                if after.step is not Step.CANCEL_WHICH and after.choices:
                    after = replace(after, choices=())  # the list was answered or left behind
                after = replace(after, last_message_at=_latest(stored, turn))
                ttl = self.setup.ttl
                if after.step is Step.HANDED_OVER:
                    until = after.handed_over_until or turn.now + self.setup.handover_pause
                    after = replace(after, handed_over_until=until)
                    ttl = max(until - turn.now, timedelta(seconds=1))
                if not await session.save(after, ttl):
                    log.warning("conversation_state_not_saved", extra={"step": after.step.value})
        return True

    async def _answer(
        self, turn: Turn, state: ConversationState | None
    ) -> ConversationState | None:
        """The state after this message; None to leave the stored one as it is."""
        kind = turn.message.kind
        if kind in SILENT_KINDS:
            return None
        receipt: str | None = None
        if kind in MEDIA_KINDS and turn.message.media_id:
            # A transfer receipt is kept and queued for the owner even while a person has the
            # conversation: they answer from their own phone and would never see it here.
            receipt = await self._receipt(turn)
        if state is not None and state.step is Step.HANDED_OVER:
            if receipt is not None:
                turn.say(receipt)
                return None
            if state.handover_noted:
                return None  # the person answers; one acknowledgement was enough
            turn.say(texts.CONV_HANDOVER_WAITING)
            return replace(state, handover_noted=True)
        current = state or ConversationState()
        if kind in MEDIA_KINDS and turn.message.media_id:
            if receipt is None:
                return self._cannot_read(turn, current)
            turn.say(receipt)
            return current
        if kind not in TEXT_KINDS:
            return self._cannot_read(turn, current)
        late = is_late(state, turn.sent_at)
        if turn.message.button_id:
            if late and late_tap_counts(current, turn.message.button_id) is False:
                self._note_late(turn, current)
                return None
            tapped = await self._button(turn, current)
            if tapped is not None:
                return replace(tapped, misunderstood=0)
        return await self._typed(turn, state, current, late=late)

    async def _typed(
        self,
        turn: Turn,
        state: ConversationState | None,
        current: ConversationState,
        *,
        late: bool,
    ) -> ConversationState | None:
        """A typed message (or a button we do not know, read by its title); ``state`` None:
        there was none stored (``current`` is a fresh one); ``late``: sent before the last
        message handled (``domain.conversation.late``)."""
        reading = interpret(
            turn.message.text,
            turn.today,
            cabin_names=[cabin.name for cabin in turn.cabins],
            expecting=current.expecting,
            holidays=await self.holidays.calendar(turn.today, turn.today + HOLIDAYS_AHEAD),
        )
        if late and not late_text_counts(current, reading):
            self._note_late(turn, current)
            return None
        if current.step is Step.CANCEL_WHICH:
            picked = await self.desk.pick_to_cancel(turn, current, reading)
            if picked is not None:
                return replace(picked, misunderstood=0)
        if reading.intent is Intent.UNKNOWN:
            if _repeats_name(turn.message.text, current.name):
                # The name sent again (a double tap on send, or a burst): it was already used.
                # Answering "no te entendimos" to each would soon hand the guest over.
                return current
            return self._misunderstood(turn, current)
        if state is None and reading.intent in _ANSWERS:
            turn.say(texts.CONV_RESTART)
            return ConversationState(step=Step.DATES)
        return replace(await self._route(turn, current, reading), misunderstood=0)

    def _note_late(self, turn: Turn, state: ConversationState) -> None:
        """A late message the conversation has moved past gets no reply and leaves the state
        as it is; only this line says it came (no phone, no text)."""
        sent, last = turn.sent_at, state.last_message_at
        late_by = int((last - sent).total_seconds()) if sent and last else None
        log.info(
            "conversation_late_message_ignored",
            extra={"step": state.step.value, "late_by_s": late_by, "kind": turn.message.kind},
        )

    def _cannot_read(self, turn: Turn, state: ConversationState) -> ConversationState:
        """A photo, audio, sticker… we cannot read: said once for a burst of them."""
        noted = state.media_noted_at
        if noted is not None and timedelta(0) <= turn.now - noted < self.setup.media_note_quiet:
            return state
        turn.say(NOT_READ_REPLIES.get(turn.message.kind, texts.CONV_MEDIA))
        return replace(state, media_noted_at=turn.now)

    async def _receipt(self, turn: Turn) -> str | None:
        """The answer to an image or document taken as a transfer receipt; None when it is
        not one (no transfer hold to attach it to)."""
        message = turn.message
        assert message.media_id is not None
        got = await self.receipts(message.guest_phone, message.media_id, message.mime_type or "")
        if got.received is Received.STORED and got.reservation is not None:
            return texts.conv_receipt_received(got.reservation.code.display)
        if got.received is Received.FAILED:
            return texts.CONV_RECEIPT_FAILED
        if got.refusal is ReceiptRefusal.TOO_LARGE:
            return texts.conv_receipt_too_large(_megabytes(self.receipts.rules.max_bytes))
        if got.received is Received.REFUSED:
            return texts.CONV_RECEIPT_WRONG_TYPE
        return None

    async def _button(self, turn: Turn, state: ConversationState) -> ConversationState | None:
        """A tap on one of our buttons; None for an id we do not know (read its title)."""
        button = turn.message.button_id or ""
        if picked := picked_option(button):
            return await self.booking.pick(turn, state, picked)
        if code := code_of(button, CANCEL_WHICH):
            return await self.desk.ask_cancel(turn, state, code)
        if code := code_of(button, CANCEL):
            return await self.desk.answer_cancel(turn, state, code, yes=True)
        if code := code_of(button, KEEP):
            return await self.desk.answer_cancel(turn, state, code, yes=False)
        if button == PROFILE_NAME and state.chosen and (name := profile_name(turn)):
            return await self.booking.hold(turn, replace(state, name=name))
        if button == REMEMBERED_NAME and state.chosen and state.name:
            return await self.booking.hold(turn, state)
        if button == MENU_STATUS:
            return await self.desk.status(turn, state, None)
        if button == MENU_HUMAN:
            return self._person_asked(turn, state)
        return None

    async def _route(
        self, turn: Turn, state: ConversationState, reading: Interpretation
    ) -> ConversationState:
        intent = reading.intent
        if reading.name and is_booking_name(reading.name):
            # Only a first name and surname is remembered: never "Esperá" or "Marido".
            state = replace(state, name=reading.name)
        if intent is Intent.HUMAN:
            return self._person_asked(turn, state)
        if intent is Intent.CANCEL:
            return await self._cancel(turn, state, reading.reservation_code)
        if intent is Intent.STATUS:
            return await self.desk.status(turn, state, reading.reservation_code)
        if intent in (Intent.CONFIRM_YES, Intent.CONFIRM_NO):
            return await self._yes_or_no(turn, state, yes=intent is Intent.CONFIRM_YES)
        if intent in (Intent.AVAILABILITY, Intent.BOOK):
            return await self.booking.quote(turn, state, reading)
        if intent is Intent.CHOICE:
            if state.options:
                return await self.booking.choose_listed(turn, state, reading)
            if state.step in (Step.IDLE, Step.DATES):  # options we no longer remember
                turn.say(texts.CONV_RESTART)
                return replace(state, step=Step.DATES)
            turn.say(f"{texts.CONV_NOT_UNDERSTOOD} {pending_question(state)}")
            return state
        if intent is Intent.PROVIDE_NAME and (reading.name or state.step is Step.NAME):
            return await self._name_given(turn, state, reading.name)
        return courtesy(turn, state, help_asked=intent is Intent.HELP)

    async def _name_given(
        self, turn: Turn, state: ConversationState, name: str | None
    ) -> ConversationState:
        if state.step is Step.NAME and state.chosen:
            if name and is_booking_name(name):
                return await self.booking.hold(turn, state)
            turn.say(texts.CONV_ASK_FULL_NAME)  # "Juana", "a nombre de mi marido"
            return state
        if not name:
            return courtesy(turn, state, help_asked=False)
        first = name.split()[0]
        if state.step is Step.CHOICE and state.options and state.name == name:
            # Given while the list waits: the hold goes under it once a cabin is chosen.
            turn.say(texts.conv_name_kept_for_choice(first, len(state.options)))
            return replace(state, name_for_choice=True)
        turn.say(f"{texts.conv_thanks_name(first)} {pending_question(state)}")
        return state

    async def _cancel(
        self, turn: Turn, state: ConversationState, code: str | None
    ) -> ConversationState:
        if code is None and state.step in (Step.CHOICE, Step.NAME):
            # A list or a chosen cabin waits: that choice is what goes, not a booking.
            live = await self.desk.cancellable(turn)
            return self.desk.drop_search(turn, state, has_bookings=bool(live))
        return await self.desk.ask_cancel(turn, state, code)

    async def _yes_or_no(
        self, turn: Turn, state: ConversationState, *, yes: bool
    ) -> ConversationState:
        if state.step is Step.CANCELLING and state.code:
            return await self.desk.answer_cancel(turn, state, state.code, yes=yes)
        if state.step is Step.NAME and state.chosen:
            # "sí" to the name we proposed: the remembered one, else the profile's.
            if yes and (name := state.name or profile_name(turn)):
                return await self.booking.hold(turn, replace(state, name=name))
            if yes:
                turn.say(texts.CONV_ASK_NAME_AGAIN)
                return state
            # "no", "esperá", "dejame pensarlo": nothing is held, the choice waits for a
            # name, and a remembered name the guest did not confirm is forgotten.
            turn.say(texts.CONV_NAME_NOT_YET)
            return replace(state, name=None)
        if state.step is Step.CHOICE and not yes:  # "ninguna"
            turn.say(texts.CONV_CHOICE_DECLINED)
            return replace(state, step=Step.DATES, check_in=None, nights=None, options=())
        turn.say(texts.CONV_OK)
        return state

    def _misunderstood(self, turn: Turn, state: ConversationState) -> ConversationState:
        count = state.misunderstood + 1
        if count >= self.setup.max_misunderstandings:
            return hand_over(
                turn,
                state,
                texts.CONV_HANDOVER_MISUNDERSTOOD,
                texts.admin_guest_misunderstood(digits(turn.message.phone)),
            )
        if state.step is Step.IDLE:
            turn.say(texts.CONV_FALLBACK, *MENU_BUTTONS)
        else:
            turn.say(f"{texts.CONV_NOT_UNDERSTOOD} {pending_question(state)}")
        return replace(state, misunderstood=count)

    def _person_asked(self, turn: Turn, state: ConversationState) -> ConversationState:
        long_stay = self.booking.long_stay_handover(turn, state)
        if long_stay is not None:
            owner_text, link = long_stay
            return hand_over(turn, state, texts.CONV_HANDOVER, owner_text, link)
        return hand_over(
            turn,
            state,
            texts.CONV_HANDOVER,
            texts.admin_guest_wants_person(digits(turn.message.phone)),
        )

    async def _unprocessed(self, delivery: Delivery) -> bool:
        async with self.uow:  # leaving without commit releases the row at once
            payload = await self.uow.idempotency.lock_unprocessed(delivery.scope, delivery.key)
        return payload is not None

    async def _finish(self, turn: Turn, delivery: Delivery, trace_id: str | None) -> bool:
        ref = message_ref(turn.message.wamid)
        async with self.uow:
            if await self.uow.idempotency.lock_unprocessed(delivery.scope, delivery.key) is None:
                return False  # finished elsewhere meanwhile; its replies are the ones sent
            for i, reply in enumerate(turn.replies):
                buttons = tuple(ReplyButton(b.id, b.title) for b in reply.buttons)
                await self.uow.outbox.put(
                    WhatsAppMessage(
                        turn.message.phone, reply.text, buttons, page=reply.page, pages=reply.pages
                    ),
                    turn.now,
                    dedupe_key=f"reply:{ref}:{i}",
                    trace_id=trace_id,
                )
            for i, (alert, once_per) in enumerate(turn.alerts):
                await self.uow.outbox.put(
                    alert,
                    turn.now,
                    dedupe_key=f"alert:{once_per}" if once_per else f"alert:{ref}:{i}",
                    trace_id=trace_id,
                )
            await self.uow.idempotency.mark_processed(delivery.scope, delivery.key, turn.now)
            await self.uow.commit()
        return True


def _latest(stored: ConversationState | None, turn: Turn) -> datetime | None:
    """When the latest message handled was sent: a late one never moves it back."""
    known = [t for t in (stored.last_message_at if stored else None, turn.sent_at) if t]
    return max(known, default=None)


def _repeats_name(text: str | None, name: str | None) -> bool:
    if not text or not name:
        return False
    return normalize(text) == normalize(name)


def _megabytes(size: int) -> str:
    """5242880 → "5"; 1572864 → "1,5"."""
    value = round(size / (1024 * 1024), 1)
    return f"{value:g}".replace(".", ",")
