"""Nights taken on other channels (Airbnb, Booking.com, the owner's Google calendar).

An imported event only says which nights are gone and, roughly, why. Summaries and
descriptions are deliberately not kept: Airbnb puts guest phone digits and reservation
links in them, and we have no use for either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
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


@dataclass(frozen=True, slots=True)
class FeedWindow:
    """The dates a feed is read over: recurring events are expanded only here (an endless
    weekly rule has no last occurrence), and events wholly outside it are not imported."""

    since: date
    until: date

    def __post_init__(self) -> None:
        if self.until <= self.since:
            raise InvalidValue("a feed window must end after it starts")

    @classmethod
    def around(cls, today: date, *, horizon_days: int, max_nights: int) -> FeedWindow:
        """From a few days back (a stay in progress still holds its nights) to the last night
        anyone could book."""
        return cls(today - READ_PAST, today + timedelta(days=horizon_days + max_nights + 1))


READ_PAST = timedelta(days=3)


def future_nights(stays: Iterable[Stay], today: date) -> set[date]:
    """The nights from ``today`` on that the stays cover."""
    nights: set[date] = set()
    for stay in stays:
        night = max(stay.check_in, today)
        while night < stay.check_out:
            nights.add(night)
            night += timedelta(days=1)
    return nights


@dataclass(frozen=True, slots=True)
class HeldRelease:
    """A feed answer that would free nights, not trusted yet: how many nights, which answer
    (a fingerprint of its events), how often it was seen in a row, since when."""

    nights: int
    answer: str
    seen: int
    since: datetime


@dataclass(frozen=True, slots=True)
class ReleaseGuard:
    """When a feed answer may free nights. Channels serve transient empty and truncated
    calendars; read as "no bookings", they would sell nights twice. So an answer that empties a
    feed that had future nights, or frees more than ``max_fraction`` of them at once, is held:
    applied only once the same answer has been seen ``confirmations`` more times in a row over
    at least ``min_hours``, or an admin confirms it. Freeing a few nights of a feed that keeps
    its other events (a normal cancellation) is never held."""

    max_fraction: float = 0.5
    confirmations: int = 3
    min_hours: float = 1.0

    def __post_init__(self) -> None:
        if not 0 < self.max_fraction <= 1:
            raise InvalidValue("the release fraction must be above 0 and at most 1")
        if self.confirmations < 0 or self.min_hours < 0:
            raise InvalidValue("release confirmations and hours cannot be negative")

    def suspicious(self, *, held: set[date], kept: set[date]) -> bool:
        """``held``: the future nights the feed holds now; ``kept``: those the answer keeps."""
        freed = len(held - kept)
        if not freed:
            return False
        if not kept:
            return True  # had future nights, now none
        return freed > self.max_fraction * len(held)

    def sighting(
        self, previous: HeldRelease | None, answer: str, nights: int, now: datetime
    ) -> HeldRelease:
        """The hold after seeing ``answer`` once more (a different answer starts over)."""
        if previous is not None and previous.answer == answer:
            return HeldRelease(nights, answer, previous.seen + 1, previous.since)
        return HeldRelease(nights, answer, 1, now)

    def confirmed(self, hold: HeldRelease, now: datetime) -> bool:
        return hold.seen > self.confirmations and now - hold.since >= timedelta(
            hours=self.min_hours
        )


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
