"""How the assistant puts options and refusals into words and buttons (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from application.conversation.turn import Button
from application.messaging import texts
from domain.booking.availability import REASON_OCCUPIED, Availability
from domain.booking.policy import BookingPolicy
from domain.conversation.date_query import DateQuery
from domain.conversation.state import Offer
from domain.errors import BeyondBookingHorizon, GuestsOutOfRange, NightsOutOfRange, StayInPast

MAX_BUTTON_TITLE = 20  # WhatsApp's limit for a reply button's title
MAX_BUTTONS = 3  # more options than this are listed by number only
_GENERIC_PREFIXES = ("Cabaña ", "Cabañas ", "Casa ", "La ", "El ")


def why_not(
    results: Sequence[Availability], today: date, nights: int, policy: BookingPolicy
) -> str:
    """The first reason that applies to every cabin, in the order a guest can act on: a
    cabin that would take a longer stay is said before "no room" (a stay too short is not a
    full house), as on the booking page."""
    codes = {a.reason_code for a in results}
    if StayInPast.code in codes:
        return texts.CONV_PAST_DATES
    if BeyondBookingHorizon.code in codes:
        return texts.conv_beyond_horizon(today + timedelta(days=policy.horizon_days))
    if not results:
        return texts.CONV_NO_ROOM
    refused = [a for a in results if a.reason_code == NightsOutOfRange.code]
    if refused and nights > policy.max_nights:
        return texts.conv_max_nights(policy.max_nights)
    if refused:
        return texts.conv_min_nights(min(_least_nights(a) for a in refused))
    if REASON_OCCUPIED in codes:
        return texts.CONV_NO_ROOM
    if GuestsOutOfRange.code in codes:
        return texts.conv_too_many_guests(max(a.accommodation.capacity for a in results))
    return texts.CONV_NO_ROOM


def _least_nights(refused: Availability) -> int:
    """The minimum stay that refused this cabin: the one its price rules give those dates (a
    season's, a long weekend's) when they judged it, else the cabin's own."""
    violation = refused.violation
    if isinstance(violation, NightsOutOfRange) and violation.min_nights:
        return violation.min_nights
    return refused.accommodation.min_nights


def merged_dates(
    check_in: date | None, nights: int | None, dates: DateQuery | None
) -> tuple[date | None, int | None]:
    """New dates win; a part the message leaves out is kept from before ("y desde el 15?")."""
    if dates is None:
        return check_in, nights
    return (
        dates.check_in if dates.check_in is not None else check_in,
        dates.nights if dates.nights is not None else nights,
    )


def ask_dates(check_in: date | None, nights: int | None, guests: int | None, today: date) -> str:
    if check_in is None and nights is not None:
        return texts.conv_ask_check_in(nights)
    if check_in is not None:
        return texts.conv_ask_check_out(check_in, today)
    return texts.CONV_ASK_DATES if guests else texts.CONV_ASK_DATES_AND_GUESTS


def option_buttons(offers: Sequence[Offer]) -> tuple[Button, ...]:
    titles = [button_title(offer.name) for offer in offers]
    if len(set(titles)) < len(titles):  # two cabins shorten alike: number them instead
        titles = [texts.conv_option_button(i) for i in range(1, len(offers) + 1)]
    return tuple(Button(o.button_id, t) for o, t in zip(offers, titles, strict=True))


def button_title(name: str) -> str:
    """A cabin's name as a button title (≤ 20 characters): "Cabaña Familiar Los Alerces" →
    "Familiar Los Alerces"."""
    for prefix in _GENERIC_PREFIXES:
        if len(name) > MAX_BUTTON_TITLE and name.startswith(prefix):
            name = name.removeprefix(prefix)
    return name if len(name) <= MAX_BUTTON_TITLE else name[: MAX_BUTTON_TITLE - 1].rstrip() + "…"
