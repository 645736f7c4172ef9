"""Availability of one accommodation for one stay, from data already loaded."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import NamedTuple

from domain.booking.accommodation import Accommodation
from domain.booking.policy import BookingPolicy
from domain.errors import RuleViolation
from domain.pricing import Quote, quote_nights, stay_violation, weekend_nights
from domain.pricing.breakdown import PriceBreakdown
from domain.pricing.cabin_rules import Pricing
from domain.pricing.errors import InvalidPriceRule
from domain.stay import Stay

REASON_OCCUPIED = "occupied"
TAKEN_MESSAGE = "some of those nights are already taken"
REASON_UNPRICED = "prices_unavailable"
UNPRICED_MESSAGE = "this cabin's prices are being updated; ask the owner"


class Availability(NamedTuple):
    """One cabin's answer for one stay. Immutable like the value objects, but a tuple rather than
    a frozen dataclass: availability builds one per cabin per request, and a frozen dataclass's
    ``__init__`` (``object.__setattr__`` per field) costs three times as much."""

    accommodation: Accommodation
    available: bool
    quote: Quote | None
    reason: str | None
    reason_code: str | None
    # The quote night by night under the cabin's price rules, when availability was asked with
    # them (``assess_all(..., pricing=...)``).
    breakdown: PriceBreakdown | None = None
    # The rule the stay broke, when one did: its limits (a minimum stay's nights) for a refusal
    # that names them.
    violation: RuleViolation | None = None


def assess(
    accommodation: Accommodation,
    stay: Stay,
    guests: int,
    occupied: Iterable[Stay],
    policy: BookingPolicy,
    today: date,
) -> Availability:
    """Rules first (with their own reason), then the nights already taken."""
    taken = {accommodation.id: occupied}
    return assess_all((accommodation,), stay, guests, taken, policy, today)[0]


def assess_all(
    accommodations: Iterable[Accommodation],
    stay: Stay,
    guests: int,
    occupied: Mapping[int, Iterable[Stay]],
    policy: BookingPolicy,
    today: date,
    pricing: Pricing | None = None,
) -> list[Availability]:
    """``assess`` for each accommodation (``occupied``: the stays taken, by accommodation id),
    with what depends only on the stay (its dates' rules, nights, weekend nights) worked out once:
    availability assesses every cabin on every request. With ``pricing``, each cabin is quoted
    under its price rules, which also judge the minimum stay and the arrival day."""
    if pricing is not None:
        return _assess_priced(accommodations, stay, guests, occupied, policy, today, pricing)
    dates_violation = policy.dates_violation(stay, today)
    nights = stay.nights
    weekend = weekend_nights(stay)
    deposit_percent = policy.deposit_percent
    results = []
    for acc in accommodations:
        violation = (
            policy.closed(acc) or dates_violation or policy.fit_violation(acc, nights, guests)
        )
        if violation is not None:
            results.append(
                Availability(acc, False, None, violation.message, violation.code, None, violation)
            )
            continue
        price = quote_nights(acc, nights, weekend, deposit_percent)
        taken = occupied.get(acc.id)
        if taken and any(stay.overlaps(other) for other in taken):
            results.append(Availability(acc, False, price, TAKEN_MESSAGE, REASON_OCCUPIED))
        else:
            results.append(Availability(acc, True, price, None, None))
    return results


def _assess_priced(
    accommodations: Iterable[Accommodation],
    stay: Stay,
    guests: int,
    occupied: Mapping[int, Iterable[Stay]],
    policy: BookingPolicy,
    today: date,
    pricing: Pricing,
) -> list[Availability]:
    """Rules, in today's order: closed cabin, the dates, the policy's maximum stay, rules that no
    longer price with the cabin's base (that cabin alone unpriced), the price rules' minimum
    stay (waived for a stay exactly filling a gap between bookings) and arrival day, the party
    size, then the nights already taken."""
    dates_violation = policy.dates_violation(stay, today)
    nights = stay.nights
    deposit_percent = policy.deposit_percent
    results = []
    for acc in accommodations:
        # The minimum is the price rules' (checked below); the policy's own bound is only
        # lowered to the stay's length, so its maximum speaks in today's words.
        lowered = min(nights, acc.min_nights)
        violation = (
            policy.closed(acc)
            or dates_violation
            or policy.fit_violation(acc, nights, 1, min_nights=lowered)
        )
        if violation is not None:
            results.append(
                Availability(acc, False, None, violation.message, violation.code, None, violation)
            )
            continue
        try:
            breakdown = pricing.quote(acc, stay, guests, deposit_percent)
        except InvalidPriceRule:
            # Its stored rules no longer price with its base (a base price lowered under a
            # percentage, say): only this cabin goes unpriced, the others still answer.
            results.append(Availability(acc, False, None, UNPRICED_MESSAGE, REASON_UNPRICED))
            continue
        price = Quote(nights, breakdown.total, breakdown.deposit)
        taken = list(occupied.get(acc.id, ()))
        violation = stay_violation(
            breakdown, stay, taken, name=acc.name, max_nights=policy.max_nights
        ) or policy.fit_violation(acc, nights, guests, min_nights=lowered)
        if violation is not None:  # unpriced, like every other rule the stay breaks
            results.append(
                Availability(acc, False, None, violation.message, violation.code, None, violation)
            )
        elif any(stay.overlaps(other) for other in taken):
            results.append(
                Availability(acc, False, price, TAKEN_MESSAGE, REASON_OCCUPIED, breakdown)
            )
        else:
            results.append(Availability(acc, True, price, None, None, breakdown))
    return results
