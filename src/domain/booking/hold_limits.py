"""How much of the calendar one guest may hold without paying: a hold costs nothing, so without
limits anyone could make every cabin look sold out here and, through the exported calendars, on
Airbnb and Booking.com."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import HoldTooLong, InvalidValue, TooManyHolds
from domain.stay import Stay

DEFAULT_PER_PHONE = 2
DEFAULT_PER_CLIENT = 3
DEFAULT_MAX_HOLD_NIGHTS = 14


class HoldLimit(StrEnum):
    """The rules, named as their settings are."""

    PER_PHONE = "MAX_LIVE_HOLDS_PER_PHONE"
    PER_CLIENT = "MAX_LIVE_HOLDS_PER_CLIENT"
    NIGHTS = "MAX_HOLD_NIGHTS"


@dataclass(frozen=True, slots=True)
class HoldLimits:
    """At most ``per_phone`` live holds per phone number and ``per_client`` per client address,
    across all cabins, and no hold longer than ``max_nights`` (longer stays are arranged with the
    owner, who books them from the console). 0 turns a limit off."""

    per_phone: int = DEFAULT_PER_PHONE
    per_client: int = DEFAULT_PER_CLIENT
    max_nights: int = DEFAULT_MAX_HOLD_NIGHTS

    def __post_init__(self) -> None:
        if min(self.per_phone, self.per_client, self.max_nights) < 0:
            raise InvalidValue("hold limits must be 0 (off) or positive")

    def check_nights(self, stay: Stay) -> None:
        if self.max_nights and stay.nights > self.max_nights:
            raise HoldTooLong(
                f"stays longer than {self.max_nights} nights are booked with the owner "
                f"({HoldLimit.NIGHTS}); asked for {stay.nights}"
            )

    def value(self, limit: HoldLimit) -> int:
        return {
            HoldLimit.PER_PHONE: self.per_phone,
            HoldLimit.PER_CLIENT: self.per_client,
            HoldLimit.NIGHTS: self.max_nights,
        }[limit]

    def refused(self, limit: HoldLimit, retry_at: datetime, now: datetime) -> TooManyHolds:
        value = self.value(limit)
        who = "phone number" if limit is HoldLimit.PER_PHONE else "client"
        wait = max(1, math.ceil((retry_at - now).total_seconds()))
        return TooManyHolds(
            f"this {who} already has {value} live holds awaiting their deposit "
            f"({limit}={value}); pay one or wait until one runs out (in {wait} s)",
            limit=limit.value,
            value=value,
            retry_after_s=wait,
        )


@dataclass(frozen=True, slots=True)
class HoldQuota:
    """Whom a public hold counts against: its normalised phone number and its client (a key of
    the address it came from; None for WhatsApp, where the phone is verified by Meta). Holds the
    owner places are not counted (no quota at all)."""

    phone_key: str | None
    client_key: str | None = None


_NOT_DIGITS = re.compile(r"[^0-9]+")


def phone_key(phone: str) -> str:
    """The digits of a phone number, with Argentina's mobile 9 folded: WhatsApp writes
    ``5491155551234`` where a guest types ``+54 11 5555-1234``; both are one person."""
    digits = _NOT_DIGITS.sub("", phone)
    digits = digits.removeprefix("00")
    if digits.startswith("549") and len(digits) >= 12:
        digits = "54" + digits[3:]
    return digits[:32]
