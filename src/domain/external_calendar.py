"""Nights taken on other channels (Airbnb, Booking.com, the owner's Google calendar).

An imported event only says which nights are gone and, roughly, why. Summaries and
descriptions are deliberately not kept: Airbnb puts guest phone digits and reservation
links in them, and we have no use for either.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.errors import InvalidValue, RuleViolation
from domain.stay import Stay

# UIDs are stored and compared; a hostile feed should not make us store megabytes per event.
MAX_UID_LENGTH = 255


class ExternalSource(StrEnum):
    AIRBNB = "airbnb"
    BOOKING = "booking"
    GOOGLE = "google"
    OTHER = "other"


class ExternalEventKind(StrEnum):
    RESERVED = "reserved"
    """A guest booking made on the other channel."""
    UNAVAILABLE = "unavailable"
    """A host block or a booking-window restriction (Airbnb's "Airbnb (Not available)")."""


class FeedUnparseable(RuleViolation):
    """The bytes we fetched are not an iCalendar feed we can read (HTML page, truncated, ...)."""

    code = "ical_unparseable"


@dataclass(frozen=True, slots=True)
class ExternalEvent:
    uid: str
    stay: Stay
    kind: ExternalEventKind

    def __post_init__(self) -> None:
        if not self.uid or self.uid != self.uid.strip():
            raise InvalidValue("an external event needs a UID without surrounding blanks")
        if len(self.uid) > MAX_UID_LENGTH:
            raise InvalidValue(f"an external event UID is at most {MAX_UID_LENGTH} characters")


_AIRBNB_BLOCK_MARKER = "not available"


def classify(summary: str, source: ExternalSource) -> ExternalEventKind:
    """Tell a guest booking from a block by the event's SUMMARY.

    UIDs are no help: their prefixes differ between accounts and say nothing about the kind.
    Both kinds take the nights; the kind matters for what we report, e.g. Airbnb's
    booking-window blocks slide forward every day and must not look like a new booking daily.
    When unsure we answer RESERVED, so a real booking is never mistaken for noise.
    """
    if source is ExternalSource.AIRBNB:
        # Airbnb writes "Reserved" for bookings and "Airbnb (Not available)" for host blocks
        # and for its advance-notice / booking-horizon windows.
        if _AIRBNB_BLOCK_MARKER in summary.casefold():
            return ExternalEventKind.UNAVAILABLE
        return ExternalEventKind.RESERVED
    if source is ExternalSource.OTHER and _AIRBNB_BLOCK_MARKER in summary.casefold():
        # Other platforms (and Airbnb feeds registered as "other") use the same wording for
        # windows that are closed rather than sold; anything else from them is a booking.
        return ExternalEventKind.UNAVAILABLE
    if source is ExternalSource.BOOKING:
        # Booking.com exports every event as "CLOSED - Not available", real bookings and
        # manual closures alike, so the summary cannot tell them apart: assume a booking.
        return ExternalEventKind.RESERVED
    # Google calendars (and other ones, apart from "not available") carry the owner's free
    # text ("Familia", "cerrado", ...) that no keyword list reads reliably; the owner
    # registered the calendar precisely to keep those dates, so every event counts as taken.
    return ExternalEventKind.RESERVED
