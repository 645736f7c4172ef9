"""Credit for another date, tied to the guest's phone: issued when a booking is cancelled (the
cabin's policy says credit, or the owner decides), applied to the next booking from the same
phone, given back if that booking's hold lapses or is cancelled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.booking.hold_limits import phone_key
from domain.errors import InvalidValue
from domain.money import Money

MAX_VALID_DAYS = 3650


@dataclass(frozen=True, slots=True)
class GuestCredit:
    """Money a guest may use on another booking. ``phone`` is the normalised key
    (``hold_limits.phone_key``) so ``+54 11 5555-1234`` and WhatsApp's ``5491155551234`` are
    one guest; ``reference`` is the credit movement in the source booking's ledger."""

    phone: str
    amount: Money
    source_code: str
    reference: str
    issued_by: str
    issued_on: date
    expires_on: date | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if self.amount.cents <= 0:
            raise InvalidValue("a credit is more than 0")
        if not self.phone or not self.phone.isdigit():
            raise InvalidValue("a credit is tied to the guest's phone number")
        if not self.reference.strip() or not self.issued_by.strip():
            raise InvalidValue("a credit needs a reference and who issued it")
        if self.expires_on is not None and self.expires_on < self.issued_on:
            raise InvalidValue("a credit cannot expire before it is issued")

    @classmethod
    def issue(
        cls,
        raw_phone: str,
        amount: Money,
        source_code: str,
        reference: str,
        issued_by: str,
        issued_on: date,
        valid_days: int | None = None,
    ) -> GuestCredit:
        """Rules: tied to the normalised phone; usable until ``issued_on + valid_days``
        (included), or without end when ``valid_days`` is None."""
        return cls(
            phone_key(raw_phone),
            amount,
            source_code,
            reference,
            issued_by,
            issued_on,
            credit_expiry(issued_on, valid_days),
        )

    def usable_on(self, day: date) -> bool:
        return self.expires_on is None or day <= self.expires_on


def applied_reference(credit_id: int) -> str:
    """The reference of a credit paying part of a booking, in that booking's ledger."""
    return f"credit:{credit_id}"


def credit_expiry(issued_on: date, valid_days: int | None) -> date | None:
    if valid_days is None:
        return None
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        raise InvalidValue(f"a credit is valid 1 to {MAX_VALID_DAYS} days")
    return issued_on + timedelta(days=valid_days)


@dataclass(frozen=True, slots=True)
class CreditUse:
    """``applied`` of a credit goes to the booking; ``remainder`` (when the credit was worth
    more than the booking still owed) stays the guest's, as a credit of its own."""

    credit: GuestCredit
    applied: Money
    remainder: Money


def allocate(credits: tuple[GuestCredit, ...], owed: Money, today: date) -> tuple[CreditUse, ...]:
    """Rules: only credits usable today and in the booking's currency; the one expiring
    soonest first (undated last), then the oldest; each covers what is still owed, up to its
    amount; a credit worth more than that leaves its remainder; nothing is applied to a
    booking that owes nothing."""
    usable = sorted(
        (c for c in credits if c.usable_on(today) and c.amount.currency == owed.currency),
        key=lambda c: (c.expires_on is None, c.expires_on or today, c.issued_on, c.id or 0),
    )
    left = owed.cents
    uses: list[CreditUse] = []
    for credit in usable:
        if left <= 0:
            break
        applied = min(left, credit.amount.cents)
        left -= applied
        uses.append(
            CreditUse(
                credit,
                Money(applied, owed.currency),
                Money(credit.amount.cents - applied, owed.currency),
            )
        )
    return tuple(uses)
