"""A manual block: the owner closes some nights. It takes part in the same no-overlap rule as
bookings (the database enforces both with one constraint)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.codes import ReservationCode
from domain.errors import InvalidValue
from domain.stay import Stay

MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class Block:
    code: ReservationCode
    accommodation_id: int
    stay: Stay
    reason: str
    created_at: datetime
    active: bool = True

    def __post_init__(self) -> None:
        if len(self.reason) > MAX_REASON:
            raise InvalidValue(f"a block's reason is at most {MAX_REASON} characters")
