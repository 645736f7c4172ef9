"""Availability of one accommodation for one stay, from data already loaded."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain.accommodation import Accommodation
from domain.errors import RuleViolation
from domain.policy import BookingPolicy
from domain.pricing import Quote, quote
from domain.stay import Stay

REASON_OCCUPIED = "occupied"


@dataclass(frozen=True, slots=True)
class Availability:
    accommodation: Accommodation
    available: bool
    quote: Quote | None
    reason: str | None
    reason_code: str | None


def assess(
    accommodation: Accommodation,
    stay: Stay,
    guests: int,
    occupied: Iterable[Stay],
    policy: BookingPolicy,
    today: date,
) -> Availability:
    """Rules first (with their own reason), then the nights already taken."""
    try:
        policy.check(accommodation, stay, guests, today)
    except RuleViolation as err:
        return Availability(accommodation, False, None, err.message, err.code)
    price = quote(accommodation, stay, policy.deposit_percent)
    if any(stay.overlaps(taken) for taken in occupied):
        return Availability(
            accommodation, False, price, "some of those nights are already taken", REASON_OCCUPIED
        )
    return Availability(accommodation, True, price, None, None)
