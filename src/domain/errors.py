"""Domain errors: every rule violation carries a stable machine code and a human message."""

from __future__ import annotations


class DomainError(Exception):
    """Base class. ``code`` is stable (clients may switch on it); ``message`` is for people;
    ``field`` names the input at fault, when there is one."""

    code = "domain_error"
    field: str | None = None

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class RuleViolation(DomainError):
    """The request is well formed but breaks a booking rule (HTTP 422)."""

    code = "rule_violation"


class InvalidStay(RuleViolation):
    code = "invalid_stay"


class StayInPast(RuleViolation):
    code = "check_in_in_past"


class NightsOutOfRange(RuleViolation):
    """The stay is shorter or longer than allowed. It carries the limits that judged it, so a
    refusal can name them: ``nights`` asked for, the ``min_nights`` and ``max_nights`` allowed
    (None: that bound was not judged), and ``for_dates`` when the minimum is the one the price
    rules give those dates (a season's, a long weekend's or a date's where one sets it, else the
    cabin's own)."""

    code = "nights_out_of_range"

    def __init__(
        self,
        message: str,
        *,
        nights: int,
        min_nights: int | None = None,
        max_nights: int | None = None,
        for_dates: bool = False,
    ) -> None:
        super().__init__(message)
        self.nights = nights
        self.min_nights = min_nights
        self.max_nights = max_nights
        self.for_dates = for_dates


class GuestsOutOfRange(RuleViolation):
    code = "guests_out_of_range"


class BeyondBookingHorizon(RuleViolation):
    code = "beyond_booking_horizon"


class AccommodationInactive(RuleViolation):
    code = "accommodation_inactive"


class InvalidValue(RuleViolation):
    """A value object rejected its input (bad money amount, malformed code, ...)."""

    code = "invalid_value"


class InvalidGuestName(InvalidValue):
    """Nothing readable is left of the name once invisible and control characters are gone."""

    code = "invalid_guest_name"
    field = "guest_name"


class IdempotencyKeyReused(RuleViolation):
    code = "idempotency_key_reused"


class UnsafeFeedUrl(RuleViolation):
    """A calendar URL we refuse to fetch (scheme, credentials, or a non-public address)."""

    code = "unsafe_url"


class FeedUnreachable(RuleViolation):
    code = "ical_unreachable"


class NotFound(DomainError):
    code = "not_found"


class AccommodationNotFound(NotFound):
    code = "accommodation_not_found"


class FeedNotFound(NotFound):
    code = "feed_not_found"


class ReservationNotFound(NotFound):
    code = "reservation_not_found"


class Conflict(DomainError):
    code = "conflict"


class StayUnavailable(Conflict):
    """The nights are already held or booked (the database's exclusion constraint said so)."""

    code = "stay_unavailable"


class DuplicateName(Conflict):
    code = "duplicate_name"


class DuplicateFeed(Conflict):
    code = "duplicate_feed"


class NoHeldRelease(Conflict):
    """A release was confirmed for a feed that holds none (or whose answer changed since)."""

    code = "no_held_release"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class ConcurrentUpdate(Conflict):
    """Someone else changed the same thing first; retry against the fresh state."""

    code = "concurrent_update"


class HoldTooLong(RuleViolation):
    """A guest asked to hold more nights than a hold may cover without the owner."""

    code = "hold_too_long"


class TooManyHolds(DomainError):
    """The phone number or the client already has as many live holds as it may (HTTP 429).
    ``limit`` names the rule (a ``domain.booking.hold_limits.HoldLimit`` value), ``value`` its
    number, and ``retry_after_s`` when the first of those holds runs out."""

    code = "hold_limit_reached"

    def __init__(self, message: str, *, limit: str, value: int, retry_after_s: int) -> None:
        super().__init__(message)
        self.limit = limit
        self.value = value
        self.retry_after_s = retry_after_s
