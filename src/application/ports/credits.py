from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from domain.payments.credits import CreditUse, GuestCredit


class GuestCreditRepository(Protocol):
    """Credits tied to guests' phones (``guest_credits``), inside the unit of work.

    A credit is *open* when it has not expired and is applied to no booking, or to a hold that
    lapsed (expired, or still a hold past its expiry): a hold that ran out gives its credit
    back without anyone writing it."""

    async def issue(self, credit: GuestCredit, now: datetime) -> GuestCredit:
        """Store a new credit; the same source booking and reference again stores nothing and
        returns the credit as first stored."""
        ...

    async def any_open(self, phone: str, today: date, now: datetime) -> bool:
        """Whether the phone has an open credit (a plain read, no lock: a hint)."""
        ...

    async def claim_open(
        self, phone: str, currency: str, today: date, now: datetime
    ) -> tuple[GuestCredit, ...]:
        """The phone's open credits, each locked to the end of the transaction; a credit
        another transaction holds is skipped, so two bookings never both get it."""
        ...

    async def apply(self, use: CreditUse, reservation_code: str, now: datetime) -> GuestCredit:
        """Tie ``use.applied`` of a claimed credit to the booking; a remainder stays the
        guest's as a new open credit (same phone, source and expiry). Returns the applied
        credit (its amount the applied part)."""
        ...

    async def applied_to(self, reservation_code: str) -> tuple[GuestCredit, ...]:
        """The credits a booking holds."""
        ...

    async def release(self, reservation_code: str) -> int:
        """Give back the credits a booking holds (its hold was cancelled); how many."""
        ...

    async def issued_from(self, reservation_code: str) -> tuple[GuestCredit, ...]:
        """The credits a cancelled booking gave its guest."""
        ...
