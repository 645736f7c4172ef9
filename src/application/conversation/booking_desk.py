"""The booking half of the WhatsApp assistant: dates and head count → options → name → hold."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import timedelta

from application.booking.availability import AvailabilityQuery, CheckAvailability
from application.booking.place_hold import PaymentsSetup, PlaceHold, PlaceHoldCommand
from application.conversation.options import (
    MAX_BUTTON_TITLE,
    MAX_BUTTONS,
    ask_dates,
    merged_dates,
    option_buttons,
    why_not,
)
from application.conversation.turn import Button, Turn, digits, hand_over, message_ref
from application.errors import IdempotentReplay
from application.messaging import console_pages, guest_pages, texts
from application.messaging.quote_texts import breakdown_lines, cancellation_terms, credit_lines
from application.ports.unit_of_work import UnitOfWork
from domain.booking.availability import Availability
from domain.booking.guest_name import guest_name
from domain.booking.hold_limits import HoldQuota, phone_key
from domain.booking.policy import BookingPolicy
from domain.booking.reservation import Channel, Guest, Reservation, ReservationStatus
from domain.codes import ReservationCode
from domain.conversation.interpret import GUESTS_MISMATCH, Interpretation
from domain.conversation.names import person_name_in
from domain.conversation.state import (
    MENU_HUMAN,
    PROFILE_NAME,
    REMEMBERED_NAME,
    ConversationState,
    Offer,
    PickedOption,
    Step,
)
from domain.errors import (
    AccommodationNotFound,
    HoldTooLong,
    IdempotencyKeyReused,
    RuleViolation,
    StayUnavailable,
    TooManyHolds,
)
from domain.pricing.breakdown import PriceBreakdown
from domain.pricing.cabin_rules import Pricing
from domain.stay import Stay

# Up to this many cabins free, each is listed with its breakdown (more: a line each, so the
# message stays readable; the breakdown comes with the hold).
MAX_DETAILED_OPTIONS = 3


@dataclass(frozen=True, slots=True)
class BookingDesk:
    """Rules:
    - availability and prices come from ``CheckAvailability`` and holds from ``PlaceHold``
      (channel ``whatsapp``): the same rules, and the same database judge, as the HTTP API;
    - dates are never guessed: ambiguous or partial dates are asked back, and so is a
      missing or contradictory head count;
    - when no cabin can take the stay, the reason given is the rules' (dates past, too far
      ahead, minimum or maximum nights, capacity) or plainly that there is no room;
    - the hold goes under the name the guest gives (the WhatsApp profile name is only offered
      as a one-tap suggestion) and the chat's phone number; a name remembered from an earlier
      message is proposed ("¿La hacemos a nombre de …?") unless given in this very message or
      while the cabin list waited (it was for this booking: used without asking again);
    - one message places at most one hold: its wamid is the hold's idempotency key (a message
      processed again replays the same hold), and a live hold of this phone for the same cabin
      and stay is announced again rather than doubled (bursts of messages);
    - a cabin taken between the list and the hold → an apology and the remaining options;
    - the hold's message states the cabin's cancellation terms (or that it has none), before
      the payment link.
    """

    uow: UnitOfWork
    availability: CheckAvailability
    place_hold: PlaceHold
    policy: BookingPolicy
    payments: PaymentsSetup

    async def quote(
        self, turn: Turn, state: ConversationState, reading: Interpretation
    ) -> ConversationState:
        guests = reading.guests or state.guests
        dates = reading.dates
        if reading.ambiguity == GUESTS_MISMATCH:
            turn.say(texts.CONV_ASK_GUESTS_AGAIN)
            return replace(state, step=Step.GUESTS, guests=None, options=(), chosen=None)
        if dates is not None and dates.ambiguity is not None:
            turn.say(texts.CONV_DATES_AMBIGUOUS.get(dates.ambiguity, texts.CONV_DATES_UNCLEAR))
            return replace(
                state, step=Step.DATES, check_in=None, nights=dates.nights, guests=guests
            )
        check_in, nights = merged_dates(state.check_in, state.nights, dates)
        asked = replace(state, check_in=check_in, nights=nights, guests=guests, chosen=None)
        if check_in is None or nights is None:
            turn.say(ask_dates(check_in, nights, guests, turn.today))
            return replace(asked, step=Step.DATES, options=())
        if guests is None:
            turn.say(texts.CONV_ASK_GUESTS)
            return replace(asked, step=Step.GUESTS, options=())
        return await self.offer(turn, asked, wanted=reading.cabin)

    async def offer(
        self, turn: Turn, state: ConversationState, *, wanted: str | None = None
    ) -> ConversationState:
        """List what is free for the state's stay and head count (or explain why nothing is)."""
        check_in, check_out, guests = state.check_in, state.check_out, state.guests
        assert check_in is not None
        assert check_out is not None
        assert guests
        results = await self.availability(AvailabilityQuery(check_in, check_out, guests))
        free = [a for a in results if a.available and a.quote is not None]
        offers = tuple(
            Offer(a.accommodation.id, a.accommodation.name, check_in, check_out, guests)
            for a in free
        )
        listed = replace(
            state, step=Step.CHOICE, options=offers, chosen=None, name_for_choice=False
        )
        if not offers:
            turn.say(why_not(results, turn.today, state.nights or 0, self.policy))
            return replace(listed, step=Step.DATES)
        if self.too_long_to_hold(state):
            # Refused before any quote or name, with the number and a person one tap away; the
            # stay is kept so the owner's alert can name it (``long_stay_handover``).
            turn.say(
                texts.conv_long_stay_offer(self.place_hold.limits.max_nights),
                Button(MENU_HUMAN, texts.BUTTON_HUMAN),
            )
            return replace(listed, step=Step.DATES, options=())
        if wanted is not None:
            match = next((o for o in offers if o.name == wanted), None)
            if match is not None:
                return await self.choose(turn, listed, match)
            turn.say(texts.conv_cabin_not_offered(wanted))
        detailed = len(free) <= MAX_DETAILED_OPTIONS
        lines = [
            texts.conv_option_line(
                a.accommodation.name,
                a.quote.total,
                a.quote.deposit,
                breakdown_lines(self._breakdown(a, state), totals=False) if detailed else None,
            )
            for a in free
            if a.quote is not None
        ]
        buttons = option_buttons(offers) if len(offers) <= MAX_BUTTONS else ()
        turn.say(
            texts.conv_options(
                guests, check_in, check_out, lines, buttons=bool(buttons), today=turn.today
            ),
            *buttons,
        )
        return listed

    def too_long_to_hold(self, state: ConversationState) -> bool:
        """Longer than a hold may be (``MAX_HOLD_NIGHTS``): the owner books it by hand."""
        most = self.place_hold.limits.max_nights
        return bool(most) and (state.nights or 0) > most

    def long_stay_handover(self, turn: Turn, state: ConversationState) -> tuple[str, str] | None:
        """The owner's alert (text, console link) when a guest told their stay is too long to
        hold asks for a person: the stay and the guest's number, and the manual booking form
        filled in with the dates."""
        check_in, check_out = state.check_in, state.check_out
        if not self.too_long_to_hold(state) or check_in is None or check_out is None:
            return None
        text = texts.admin_long_stay(
            None,
            check_in,
            check_out,
            state.nights or 0,
            turn.today,
            phone=digits(turn.message.phone),
            guests=state.guests,
        )
        return text, console_pages.manual_booking(None, check_in, check_out)

    def _breakdown(self, a: Availability, state: ConversationState) -> PriceBreakdown:
        """The quote's breakdown: under the cabin's rules when it has them, else its base price
        (the same arithmetic a hold is priced with)."""
        if a.breakdown is not None:
            return a.breakdown
        assert state.check_in is not None
        assert state.check_out is not None
        stay = Stay(state.check_in, state.check_out)
        return Pricing().quote(
            a.accommodation, stay, state.guests or 1, self.policy.deposit_percent
        )

    async def choose_listed(
        self, turn: Turn, state: ConversationState, reading: Interpretation
    ) -> ConversationState:
        """The guest picked one of ``state.options`` by number or by name."""
        if reading.cabin is not None:
            match = next((o for o in state.options if o.name == reading.cabin), None)
            if match is not None:
                return await self.choose(turn, state, match)
            turn.say(texts.conv_cabin_not_offered(reading.cabin))
            return await self.offer(turn, state)
        if reading.choice is not None and 1 <= reading.choice <= len(state.options):
            return await self.choose(turn, state, state.options[reading.choice - 1])
        turn.say(texts.conv_pick_a_number(len(state.options)))
        return state

    async def pick(
        self, turn: Turn, state: ConversationState, picked: PickedOption
    ) -> ConversationState:
        """A tap on an option button: it carries the offer, whatever the state says now."""
        cabin = turn.cabin(picked.accommodation_id)
        stay = replace(
            state,
            check_in=picked.check_in,
            nights=(picked.check_out - picked.check_in).days,
            guests=picked.guests,
        )
        if cabin is None or stay.nights is None or stay.nights < 1 or picked.guests < 1:
            turn.say(texts.CONV_RESTART)
            return ConversationState(step=Step.DATES, name=state.name)
        if picked.check_in < turn.today:  # an old message's button: its dates have gone by
            turn.say(texts.CONV_PAST_DATES)
            return ConversationState(step=Step.DATES, name=state.name)
        offer = Offer(cabin.id, cabin.name, picked.check_in, picked.check_out, picked.guests)
        return await self.choose(turn, stay, offer)

    async def choose(self, turn: Turn, state: ConversationState, offer: Offer) -> ConversationState:
        chosen = replace(state, step=Step.NAME, chosen=offer)
        if state.name:
            if state.name_for_choice:
                return await self.hold(turn, chosen)  # written while the list waited
            if person_name_in(turn.message.text, answering=False) == state.name:
                return await self.hold(turn, chosen)  # named in this very message
            # Remembered from earlier: proposed, never used silently.
            remembered = (
                (Button(REMEMBERED_NAME, state.name),)
                if len(state.name) <= MAX_BUTTON_TITLE
                else ()
            )
            turn.say(
                texts.conv_confirm_name(
                    offer.name, offer.check_in, offer.check_out, state.name, turn.today
                ),
                *remembered,
            )
            return chosen
        suggestion = profile_name(turn)
        buttons = (
            (Button(PROFILE_NAME, suggestion),)
            if suggestion and len(suggestion) <= MAX_BUTTON_TITLE
            else ()
        )
        turn.say(
            texts.conv_ask_name(offer.name, offer.check_in, offer.check_out, turn.today), *buttons
        )
        return chosen

    async def hold(self, turn: Turn, state: ConversationState) -> ConversationState:
        """Place the hold for ``state.chosen`` under ``state.name``."""
        offer, name = state.chosen, state.name
        assert offer is not None
        assert name
        done = replace(
            state,
            step=Step.IDLE,
            check_in=offer.check_in,
            nights=offer.nights,
            guests=offer.guests,
            options=(),
            chosen=None,
            name_for_choice=False,
        )
        guest = Guest(guest_name(name), turn.message.guest_phone, None)
        reservation: Reservation | None
        try:
            reservation = await self._live_hold(turn, offer) or await self.place_hold(
                PlaceHoldCommand(
                    offer.accommodation_id,
                    offer.check_in,
                    offer.check_out,
                    offer.guests,
                    guest,
                    Channel.WHATSAPP,
                    idempotency_key=f"whatsapp:{message_ref(turn.message.wamid)}",
                    fingerprint=_fingerprint(offer, guest),
                    quota=HoldQuota(phone_key(turn.message.guest_phone)),
                )
            )
        except IdempotentReplay as replay:
            reservation = await self._replayed(replay)
        except (StayUnavailable, AccommodationNotFound):
            turn.say(texts.conv_just_taken(offer.name))
            return await self.offer(turn, done)
        except IdempotencyKeyReused:
            reservation = None
        except TooManyHolds as refused:
            first_lapses = turn.now + timedelta(seconds=refused.retry_after_s)
            turn.say(
                texts.conv_too_many_holds(refused.value, texts.deadline(first_lapses, turn.today))
            )
            return done
        except HoldTooLong:
            nights = Stay(offer.check_in, offer.check_out).nights
            owner = texts.admin_long_stay(
                offer.name,
                offer.check_in,
                offer.check_out,
                nights,
                turn.today,
                phone=digits(turn.message.phone),
                guests=offer.guests,
            )
            # The owner books it by hand: the alert opens the manual booking, filled in.
            form = console_pages.manual_booking(
                offer.accommodation_id, offer.check_in, offer.check_out
            )
            return hand_over(
                turn, done, texts.conv_long_stay(self.place_hold.limits.max_nights), owner, form
            )
        except RuleViolation:  # the cabin's rules changed since the list
            turn.say(texts.conv_cabin_not_offered(offer.name))
            return await self.offer(turn, done)
        if reservation is None:
            return hand_over(turn, done, texts.CONV_HOLD_FAILED, texts.admin_hold_failed(None))
        await self._announce(turn, reservation, offer.name)
        return done

    async def _live_hold(self, turn: Turn, offer: Offer) -> Reservation | None:
        since = turn.now - timedelta(minutes=self.policy.hold_minutes)
        async with self.uow:
            latest = await self.uow.reservations.latest_for_phone(turn.message.guest_phone, since)
        if (
            latest is not None
            and latest.status is ReservationStatus.PRE_RESERVED
            and not latest.hold_lapsed(turn.now)
            and latest.accommodation_id == offer.accommodation_id
            and latest.stay == Stay(offer.check_in, offer.check_out)
        ):
            return latest
        return None

    async def _replayed(self, replay: IdempotentReplay) -> Reservation | None:
        if replay.stored.reservation_code is None:
            return None
        async with self.uow:
            return await self.uow.reservations.get(ReservationCode(replay.stored.reservation_code))

    async def _announce(self, turn: Turn, reservation: Reservation, cabin: str) -> None:
        code = reservation.code.display
        page = guest_pages.reservation(reservation.code.value)
        if reservation.status is ReservationStatus.CONFIRMED:
            # A redelivered message whose hold got paid meanwhile: say where it stands.
            turn.say(
                texts.conv_status_confirmed(
                    code,
                    cabin,
                    reservation.stay.check_in,
                    reservation.stay.check_out,
                    today=turn.today,
                ),
                page=page,
            )
            return
        if reservation.expires_at is None or reservation.status is not (
            ReservationStatus.PRE_RESERVED
        ):
            turn.say(
                texts.conv_status_cancelled(code)
                if reservation.status is ReservationStatus.CANCELLED
                else texts.conv_status_expired(code)
            )
            return
        async with self.uow:
            stored = await self.uow.prices.get(reservation.accommodation_id)
        turn.say(
            texts.conv_hold_placed(
                reservation.guest.name.split()[0],
                code,
                cabin,
                reservation.stay.check_in,
                reservation.stay.check_out,
                reservation.total,
                reservation.deposit,
                texts.deadline(reservation.expires_at, turn.today),
                payment_url=reservation.payment_url,
                payment_link_follows=self.payments.enabled,
                details=_details(reservation),
                terms=cancellation_terms(stored.cancellation),
                today=turn.today,
            ),
            page=page,
        )
        if not self.payments.enabled:
            turn.alert_owner(
                texts.admin_hold_needs_payment_details(code),
                console_pages.reservation(reservation.code.value),
                once_per=f"payment-details:{reservation.code.value}",
            )


def _details(reservation: Reservation) -> list[str] | None:
    b = reservation.breakdown
    lines = breakdown_lines(b, totals=False) if b is not None else []
    if reservation.credit_applied is not None:
        lines += credit_lines(reservation.credit_applied, reservation.deposit)
    return lines or None


def profile_name(turn: Turn) -> str | None:
    """The WhatsApp profile name, when it reads as a person's name ("Juana", not "🌻 Juani")."""
    if not turn.message.profile_name:
        return None
    return person_name_in(turn.message.profile_name, answering=True)


def _fingerprint(offer: Offer, guest: Guest) -> str:
    about = f"{offer.button_id}|{guest.phone}|{guest.name}"
    return hashlib.sha256(about.encode()).hexdigest()
