from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from domain.booking.reservation import Reservation
from domain.money import Money
from domain.payments.ledger import BookingLedger, Flag, MoneyIn, MoneyOut, PaymentMethod

# The flags of a payment recorded by hand that wait in the owner's queue until settled
# (a Mercado Pago payment's wait there through its own flag: ``payments.attention``).
QUEUE_FLAGS = frozenset({Flag.UNMATCHED, Flag.OVERPAID})


@dataclass(frozen=True, slots=True)
class LedgerTerms:
    """When the balance is due: ``balance_due_days`` before check-in (``BALANCE_DUE_DAYS``)."""

    balance_due_days: int = 7


@dataclass(frozen=True, slots=True)
class FlaggedPayment:
    """A payment recorded by hand (transfer, cash, other) whose amount matched nothing owed
    (``QUEUE_FLAGS``), as the owner's queue shows it."""

    id: int  # its movement's row
    code: str  # its booking's
    method: PaymentMethod
    amount: Money
    flag: Flag
    received_on: date
    recorded_by: str
    recorded_at: datetime
    note: str | None = None


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

    async def open_flags(self, limit: int) -> list[FlaggedPayment]:
        """The payments recorded by hand flagged ``QUEUE_FLAGS`` and not settled yet, newest
        first (not Mercado Pago's: their own flag is in ``payments``)."""
        ...

    async def resolve_flag(
        self, item_id: int, resolution: str, now: datetime
    ) -> FlaggedPayment | None:
        """Settle one open flag; the payment as it was, or None when it had none open."""
        ...

    async def resolve_flags_of(
        self, code: str, resolution: str, now: datetime
    ) -> list[FlaggedPayment]:
        """Settle every open flag of the booking's payments; those it settled."""
        ...


DEFAULT_LEDGER_TERMS = LedgerTerms()
