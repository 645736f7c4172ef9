"""The after-booking half of the WhatsApp assistant: "mi reserva" and "cancelar"."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from application.back_office.reservations import CancelHold
from application.booking.lookup import GetReservation
from application.conversation.turn import Button, Turn, hand_over, same_phone
from application.messaging import console_pages, guest_pages, texts
from application.ports.unit_of_work import UnitOfWork
from domain.booking.policy import BookingPolicy
from domain.booking.reservation import Reservation, ReservationStatus, effective_status
from domain.codes import ReservationCode
from domain.conversation.state import CANCEL, KEEP, ConversationState, Step, code_button
from domain.errors import ConcurrentUpdate, IllegalTransition, InvalidValue, ReservationNotFound

ACTOR = "guest:whatsapp"
CANCEL_REASON = "pedido del huésped por WhatsApp"


@dataclass(frozen=True, slots=True)
class ReservationDesk:
    """Rules:
    - "mi reserva" shows the status of the reservation whose code the guest wrote, or else of
      the latest one made from this phone among those that can still be upcoming (created
      within the booking horizon plus the longest stay); never the guest's personal data; a
      hold or a booking comes with the link to its page (``/r/{code}``);
    - the guest can cancel a live hold, only from the phone it was made with, and only after
      a yes (a button carrying the code); it goes through ``CancelHold``, audited as
      ``guest:whatsapp``;
    - a confirmed booking is not cancelled by the assistant: refunds are the owner's call, so
      the conversation is handed over with an alert that names only the reservation code;
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
        reservation = await self._find(turn, code)
        if reservation is None:
            return self._not_found(turn, state, code)
        status = effective_status(reservation, turn.now)
        live = status in (ReservationStatus.PRE_RESERVED, ReservationStatus.CONFIRMED)
        page = guest_pages.reservation(reservation.code.value) if live else None
        turn.say(self._status_text(turn, reservation), page=page)
        return state

    async def ask_cancel(
        self, turn: Turn, state: ConversationState, code: str | None
    ) -> ConversationState:
        reservation = await self._find(turn, code)
        if reservation is None:
            return self._not_found(turn, state, code)
        if not same_phone(reservation.guest.phone, turn.message.phone):
            turn.say(texts.CONV_CANCEL_OTHER_PHONE)
            return state
        status = effective_status(reservation, turn.now)
        display = reservation.code.display
        if status is ReservationStatus.CONFIRMED:
            return self._hand_over(turn, state, display)
        if status is not ReservationStatus.PRE_RESERVED:
            turn.say(texts.conv_not_cancellable(display))
            return state
        turn.say(
            texts.conv_confirm_cancel(
                display, self._cabin(turn, reservation), *_dates(reservation), today=turn.today
            ),
            Button(code_button(CANCEL, reservation.code.value), texts.BUTTON_CANCEL_YES),
            Button(code_button(KEEP, reservation.code.value), texts.BUTTON_CANCEL_NO),
        )
        return replace(state, step=Step.CANCELLING, code=reservation.code.value)

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
            return self._hand_over(turn, done, display)
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

    def _hand_over(self, turn: Turn, state: ConversationState, display: str) -> ConversationState:
        return hand_over(
            turn,
            state,
            texts.conv_cancel_confirmed_booking(display),
            texts.admin_cancel_request(display),
            console_pages.reservation(display),
        )

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


def _dates(reservation: Reservation) -> tuple[date, date]:
    return reservation.stay.check_in, reservation.stay.check_out


def _display(code: str) -> str:
    try:
        return ReservationCode.parse(code).display
    except InvalidValue:
        return code
