"""The after-booking half of the WhatsApp assistant: "mi reserva" and "cancelar"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from application.back_office.reservations import CancelHold
from application.booking.lookup import GetReservation
from application.conversation.cancel_terms import cancelling_today
from application.conversation.turn import Button, Turn, hand_over, same_phone
from application.messaging import console_pages, guest_pages, texts
from application.ports.unit_of_work import UnitOfWork
from domain.booking.policy import BookingPolicy
from domain.booking.reservation import Reservation, ReservationStatus, effective_status
from domain.codes import ReservationCode
from domain.conversation.entities import bare_number_in, listed_code_in
from domain.conversation.intents import Intent
from domain.conversation.interpret import Interpretation
from domain.conversation.normalize import normalize
from domain.conversation.state import (
    CANCEL,
    CANCEL_WHICH,
    KEEP,
    ConversationState,
    Step,
    code_button,
)
from domain.errors import ConcurrentUpdate, IllegalTransition, InvalidValue, ReservationNotFound

ACTOR = "guest:whatsapp"
CANCEL_REASON = "pedido del huésped por WhatsApp"
# The newest bookings of one phone read to list its live ones (expired and cancelled ones
# among them too: a phone with more than this many made within the horizon is for a person).
MAX_READ = 20
MAX_STATUS_LISTED = 5  # live bookings "mi reserva" lists; for the rest it points to a person
MAX_BUTTONS = 3  # WhatsApp's limit of reply buttons; more bookings are listed by code only


@dataclass(frozen=True, slots=True)
class ReservationDesk:
    """Rules:
    - "mi reserva" shows the status of the reservation whose code the guest wrote; else, when
      this phone has two or more live bookings (holds still running, confirmed stays with a
      night ahead), each of them, the most imminent first, up to ``MAX_STATUS_LISTED`` (then
      how many more, and that a person can tell them), each with what the single answer says
      (a hold's deposit, deadline and payment link; a booking confirmed) and its page; with
      one live booking, that one, even when a newer one lapsed or was cancelled since; only
      with none, the latest one made from this phone among those that can still be upcoming
      (created within the booking horizon plus the longest stay), as it stands (a hold that
      lapsed, a booking cancelled). Never the guest's personal data; a hold or a booking
      comes with the link to its page (``/r/{code}``);
    - "cancelar" without a code is about this phone's live bookings (holds still running,
      confirmed stays not begun): with two or more, the guest is asked which, in a numbered
      list; with none, a search in progress is dropped instead ("No encontramos reservas" only
      when there was nothing at all);
    - the answer to "¿Cuál querés cancelar?" (``pick_to_cancel``) is a button, the number in
      the list ("la 2", "2", "la segunda"), the code (any case, with or without dashes) or the
      cabin's name when only one listed booking is in it; it goes on to the question about
      that booking, as "cancelar <code>" would. A number not in the list, or a cabin with
      none or several of them, is asked again naming the valid answers; "ninguna" cancels
      nothing;
    - the guest can cancel a live hold, only from the phone it was made with, and only after
      a yes (a button carrying the code); it goes through ``CancelHold``, audited as
      ``guest:whatsapp``;
    - a confirmed booking is not cancelled by the assistant: refunds are the owner's call. The
      guest is first told what cancelling today returns under the cabin's policy
      (``cancel_terms.CancellingToday``) and asked "¿Querés que la cancelemos?"; only a yes
      hands the conversation over, with an alert that names the reservation code (never the
      guest's name or phone) and what the policy returns at that moment (refund, credit and
      for how long, or nothing), linking to the booking's page in the console, where the
      owner cancels and refunds;
    - a hold that changed meanwhile (paid, lapsed, already cancelled — or this very message
      processed twice) is answered from its status now.
    """

    uow: UnitOfWork
    lookup: GetReservation
    cancel: CancelHold
    policy: BookingPolicy

    async def status(
        self, turn: Turn, state: ConversationState, code: str | None
    ) -> ConversationState:
        reservation: Reservation | None
        if code is None:
            recent = await self._recent(turn)
            upcoming = [r for r in recent if _upcoming(r, turn)]
            if len(upcoming) > 1:
                self._list(turn, sorted(upcoming, key=lambda r: (r.stay.check_in, r.code.value)))
                return state
            # The one the guest can act on, however many lapsed since; the latest made (to
            # say it is over) only when none is live.
            reservation = upcoming[0] if upcoming else next(iter(recent), None)
        else:
            reservation = await self._find(turn, code)
        if reservation is None:
            return self._not_found(turn, state, code)
        status = effective_status(reservation, turn.now)
        live = status in (ReservationStatus.PRE_RESERVED, ReservationStatus.CONFIRMED)
        page = guest_pages.reservation(reservation.code.value) if live else None
        turn.say(self._status_text(turn, reservation), page=page)
        return state

    def _list(self, turn: Turn, live: list[Reservation]) -> None:
        shown = live[:MAX_STATUS_LISTED]
        lines = []
        for r in shown:
            hold = None
            if effective_status(r, turn.now) is ReservationStatus.PRE_RESERVED:
                until = texts.deadline(r.expires_at, turn.today) if r.expires_at else None
                hold = (r.deposit, until, r.payment_url)
            lines.append(
                texts.conv_status_line(
                    r.code.display, self._cabin(turn, r), *_dates(r), hold=hold, today=turn.today
                )
            )
        pages = tuple(guest_pages.reservation(r.code.value) for r in shown)
        turn.say(texts.conv_status_list(lines, len(live)), pages=pages)

    async def ask_cancel(
        self, turn: Turn, state: ConversationState, code: str | None
    ) -> ConversationState:
        reservation: Reservation | None
        if code is None:
            recent = await self._recent(turn)
            live = _soonest_first([r for r in recent if _cancellable(r, turn)])
            if len(live) > 1:
                return self._ask_which(turn, state, live)
            if not live and state.step in (Step.DATES, Step.GUESTS):
                return self.drop_search(turn, state, has_bookings=False)
            # Nothing to cancel online: a stay under way (the owner is asked) before a newer
            # booking that is already over; the newest only when nothing is live at all.
            under_way = [r for r in recent if _upcoming(r, turn)]
            reservation = next(iter(live or under_way or recent), None)  # recent: newest first
        else:
            reservation = await self._find(turn, code)
        if reservation is None:
            return self._not_found(turn, state, code)
        if not same_phone(reservation.guest.phone, turn.message.phone):
            turn.say(texts.CONV_CANCEL_OTHER_PHONE)
            return state
        status = effective_status(reservation, turn.now)
        display = reservation.code.display
        if status is ReservationStatus.CONFIRMED:
            returns = await cancelling_today(self.uow, reservation, status, turn.today)
            turn.say(
                texts.conv_confirm_cancel_booking(
                    display,
                    self._cabin(turn, reservation),
                    *_dates(reservation),
                    returns.for_guest,
                    today=turn.today,
                ),
                *_yes_or_no(reservation),
                page=guest_pages.reservation(reservation.code.value),
            )
            return replace(state, step=Step.CANCELLING, code=reservation.code.value)
        if status is not ReservationStatus.PRE_RESERVED:
            turn.say(texts.conv_not_cancellable(display))
            return state
        turn.say(
            texts.conv_confirm_cancel(
                display, self._cabin(turn, reservation), *_dates(reservation), today=turn.today
            ),
            *_yes_or_no(reservation),
        )
        return replace(state, step=Step.CANCELLING, code=reservation.code.value)

    def drop_search(
        self, turn: Turn, state: ConversationState, *, has_bookings: bool
    ) -> ConversationState:
        """ "cancelar" while dates, a list or a chosen cabin wait: nothing was held, so the
        search is what goes (the name stays remembered)."""
        hint = texts.CONV_CHOICE_DROPPED_HAS_BOOKINGS if has_bookings else ""
        turn.say(texts.CONV_CHOICE_DROPPED + hint)
        return ConversationState(name=state.name)

    async def cancellable(self, turn: Turn) -> list[Reservation]:
        """This phone's bookings a guest may still want to cancel: holds still running and
        confirmed stays that have not begun, soonest first."""
        return _soonest_first([r for r in await self._recent(turn) if _cancellable(r, turn)])

    async def _recent(self, turn: Turn) -> Sequence[Reservation]:
        """This phone's bookings that can still be upcoming (made within the booking horizon
        plus the longest stay), newest first, up to ``MAX_READ``."""
        lookback = timedelta(days=self.policy.horizon_days + self.policy.max_nights)
        async with self.uow:
            return await self.uow.reservations.recent_for_phone(
                turn.message.guest_phone, turn.now - lookback, MAX_READ
            )

    def _ask_which(
        self, turn: Turn, state: ConversationState, live: list[Reservation]
    ) -> ConversationState:
        lines = [
            texts.conv_cancel_option(
                r.code.display,
                self._cabin(turn, r),
                *_dates(r),
                confirmed=r.status is ReservationStatus.CONFIRMED,
                today=turn.today,
            )
            for r in live
        ]
        buttons = (
            tuple(Button(code_button(CANCEL_WHICH, r.code.value), r.code.display) for r in live)
            if len(live) <= MAX_BUTTONS
            else ()
        )
        turn.say(texts.conv_which_to_cancel(lines, buttons=bool(buttons)), *buttons)
        return replace(
            state,
            step=Step.CANCEL_WHICH,
            code=None,
            choices=tuple(r.code.value for r in live),
            options=(),
            chosen=None,
        )

    async def pick_to_cancel(
        self, turn: Turn, state: ConversationState, reading: Interpretation
    ) -> ConversationState | None:
        """The guest's answer to "¿Cuál querés cancelar?" (``state.choices``); None when the
        message is no answer to it (a question about a booking, new dates…: read as usual)."""
        codes = state.choices
        text = turn.message.text
        if reading.intent is Intent.HUMAN or not codes:
            return None
        answered = replace(state, step=Step.IDLE, choices=())
        code = listed_code_in(text, codes)
        if code is not None:
            return await self.ask_cancel(turn, answered, code)
        if reading.intent is Intent.CONFIRM_NO:  # "ninguna", "no, ninguna"
            turn.say(texts.CONV_CANCEL_NONE)
            return answered
        if reading.intent is Intent.CONFIRM_YES:  # "sí": which one?
            turn.say(texts.conv_pick_to_cancel(len(codes)))
            return state
        if reading.intent is not Intent.CHOICE:
            # A number alone answers the list, whatever else it could be ("25", "0").
            number = bare_number_in(normalize(text).split())
            if number is None:
                return None
            turn.say(texts.conv_no_such_booking_to_cancel(number, len(codes)))
            return state
        if reading.cabin is not None:
            return await self._cabin_to_cancel(turn, state, reading.cabin)
        number = reading.choice
        if number is not None and 1 <= number <= len(codes):
            return await self.ask_cancel(turn, answered, codes[number - 1])
        if number is not None:
            turn.say(texts.conv_no_such_booking_to_cancel(number, len(codes)))
        else:
            turn.say(texts.conv_pick_to_cancel(len(codes)))
        return state

    async def _cabin_to_cancel(
        self, turn: Turn, state: ConversationState, cabin: str
    ) -> ConversationState:
        there = [
            r.code.value
            for r in await self._recent(turn)
            if r.code.value in state.choices and self._cabin(turn, r) == cabin
        ]
        if len(there) == 1:
            return await self.ask_cancel(turn, replace(state, step=Step.IDLE, choices=()), there[0])
        turn.say(texts.conv_cancel_which_in_cabin(cabin, len(state.choices), several=bool(there)))
        return state

    async def answer_cancel(
        self, turn: Turn, state: ConversationState, code: str, *, yes: bool
    ) -> ConversationState:
        """The guest's yes or no to cancelling the hold ``code``."""
        done = replace(state, step=Step.IDLE, code=None)
        reservation = await self._find(turn, code)
        if reservation is None:
            return self._not_found(turn, done, code)
        display = reservation.code.display
        if not yes:
            turn.say(texts.conv_kept(display))
            return done
        if not same_phone(reservation.guest.phone, turn.message.phone):
            turn.say(texts.CONV_CANCEL_OTHER_PHONE)
            return done
        if effective_status(reservation, turn.now) is ReservationStatus.PRE_RESERVED:
            try:
                await self.cancel(reservation.code.value, ACTOR, CANCEL_REASON)
            except (IllegalTransition, ConcurrentUpdate):  # it moved meanwhile: see where to
                reservation = await self._find(turn, code) or reservation
            else:
                turn.say(texts.conv_cancelled(display))
                return done
        status = effective_status(reservation, turn.now)
        if status is ReservationStatus.CONFIRMED:
            returns = await cancelling_today(self.uow, reservation, status, turn.today)
            return hand_over(
                turn,
                done,
                texts.conv_cancel_confirmed_booking(display),
                texts.admin_cancel_request(display, returns.for_owner),
                console_pages.reservation(display),
            )
        if status is ReservationStatus.CANCELLED:
            turn.say(texts.conv_cancelled(display))  # e.g. this message, processed again
        else:
            turn.say(texts.conv_not_cancellable(display))
        return done

    async def _find(self, turn: Turn, code: str | None) -> Reservation | None:
        if code is not None:
            try:
                return (await self.lookup(code)).reservation
            except ReservationNotFound:
                return None
        lookback = timedelta(days=self.policy.horizon_days + self.policy.max_nights)
        async with self.uow:
            return await self.uow.reservations.latest_for_phone(
                turn.message.guest_phone, turn.now - lookback
            )

    def _not_found(
        self, turn: Turn, state: ConversationState, code: str | None
    ) -> ConversationState:
        if code is None:
            turn.say(texts.CONV_NO_RESERVATION)
        else:
            turn.say(texts.conv_unknown_code(_display(code)))
        return state

    def _status_text(self, turn: Turn, reservation: Reservation) -> str:
        display = reservation.code.display
        status = effective_status(reservation, turn.now)
        if status is ReservationStatus.PRE_RESERVED and reservation.expires_at is not None:
            return texts.conv_status_hold(
                display,
                self._cabin(turn, reservation),
                *_dates(reservation),
                reservation.deposit,
                texts.deadline(reservation.expires_at, turn.today),
                reservation.payment_url,
                today=turn.today,
            )
        if status is ReservationStatus.CONFIRMED:
            return texts.conv_status_confirmed(
                display, self._cabin(turn, reservation), *_dates(reservation), today=turn.today
            )
        if status is ReservationStatus.EXPIRED:
            return texts.conv_status_expired(display)
        return texts.conv_status_cancelled(display)

    @staticmethod
    def _cabin(turn: Turn, reservation: Reservation) -> str:
        cabin = turn.cabin(reservation.accommodation_id)
        return cabin.name if cabin is not None else "la cabaña"


def _upcoming(reservation: Reservation, turn: Turn) -> bool:
    """Live for "mi reserva": a hold still running, or a confirmed stay with a night ahead."""
    status = effective_status(reservation, turn.now)
    if status is ReservationStatus.CONFIRMED:
        return reservation.stay.check_out > turn.today
    return status is ReservationStatus.PRE_RESERVED


def _soonest_first(reservations: list[Reservation]) -> list[Reservation]:
    return sorted(reservations, key=lambda r: r.stay.check_in)


def _cancellable(reservation: Reservation, turn: Turn) -> bool:
    status = effective_status(reservation, turn.now)
    if status is ReservationStatus.CONFIRMED:
        return reservation.stay.check_in >= turn.today
    return status is ReservationStatus.PRE_RESERVED


def _yes_or_no(reservation: Reservation) -> tuple[Button, Button]:
    return (
        Button(code_button(CANCEL, reservation.code.value), texts.BUTTON_CANCEL_YES),
        Button(code_button(KEEP, reservation.code.value), texts.BUTTON_CANCEL_NO),
    )


def _dates(reservation: Reservation) -> tuple[date, date]:
    return reservation.stay.check_in, reservation.stay.check_out


def _display(code: str) -> str:
    try:
        return ReservationCode.parse(code).display
    except InvalidValue:
        return code
