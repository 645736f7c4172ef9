from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.booking.reservation import Reservation
from domain.payments.ledger import BookingLedger, MoneyIn, MoneyOut


@dataclass(frozen=True, slots=True)
class LedgerTerms:
    """When the balance is due: ``balance_due_days`` before check-in (``BALANCE_DUE_DAYS``)."""

    balance_due_days: int = 7


class LedgerRepository(Protocol):
    """The movements of money of each booking (``booking_money``), inside the unit of work."""

    async def load(self, reservation: Reservation, terms: LedgerTerms) -> BookingLedger:
        """The booking's ledger: its total and deposit, and every movement recorded so far."""
        ...

    async def add_payment(self, code: str, payment: MoneyIn, note: str | None = None) -> None:
        """Record a payment already matched by ``BookingLedger.record_payment``. A reference
        already recorded for the booking is left as it is (a last guard for races)."""
        ...

    async def add_refund(self, code: str, refund: MoneyOut, note: str | None = None) -> None: ...

    async def add_credit(self, code: str, credit: MoneyOut, note: str | None = None) -> None: ...


DEFAULT_LEDGER_TERMS = LedgerTerms()
