from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.codes import ReservationCode
from domain.money import Money
from domain.payments.checkout import CheckoutPurpose, CheckoutReference
from domain.payments.payment import Attention, Payment


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    code: ReservationCode
    title: str
    deposit: Money  # the amount to pay: the deposit (less any credit), or the balance
    expires_at: datetime
    idempotency_key: str
    purpose: CheckoutPurpose = CheckoutPurpose.DEPOSIT


@dataclass(frozen=True, slots=True)
class PaymentLink:
    preference_id: str
    url: str


@dataclass(frozen=True, slots=True)
class RefundRequest:
    """Part (or all) of one payment back to the guest; the key makes a retry safe."""

    payment_id: str
    amount: Money
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class RefundMade:
    """The refund the provider answered with: the one it made for the request's key, now or
    when the key was first used (then possibly of another payment, or another amount)."""

    payment_id: str
    amount: Money
    refund_id: str | None = None
    # Mercado Pago's status of the refund (``approved``; ``in_process`` while it is pending;
    # ``rejected``/``cancelled``: not made). None: the answer did not say.
    status: str | None = None


class PaymentGateway(Protocol):
    """The payment provider (Mercado Pago). Raises ``IntegrationError`` on failure."""

    async def create_checkout(self, request: CheckoutRequest) -> PaymentLink: ...

    async def fetch_payment(self, payment_id: str) -> Payment | None:
        """The payment's current state, or None if the provider does not know that id."""
        ...

    async def extend_checkout(self, preference_id: str, expires_at: datetime) -> None:
        """Move a checkout's expiry (the hold it pays for got more time)."""
        ...

    async def refund(self, request: RefundRequest) -> RefundMade:
        """Refund at the provider; the same key again returns the same refund, never another."""
        ...


# The attention queue holds Mercado Pago's payments, and one item per booking that owes money
# back (``application.payments.money_to_return``), kept in step with its ledger.
MERCADOPAGO = "mercadopago"
LEDGER = "ledger"
# Mercado Pago's flags that ask what to do with money a booking without nights holds: while
# its item is open, that item answers them (``application.payments.money_to_return``). Not the
# others: money in another currency is not in the ledger (its flag is its only trace), and a
# refund or chargeback the provider reports is news, not money held.
FOLDED_FLAGS = frozenset({Attention.REFUND_REQUIRED, Attention.AMOUNT_SHORT})


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    payment: Payment
    # The booking's code (never the checkout's reference, which says what was paid for).
    reservation_code: str | None
    attention: Attention | None
    attention_reason: str | None
    first_seen_at: datetime
    updated_at: datetime
    # When the owner settled the flag (None: still open, or no flag).
    attention_resolved_at: datetime | None = None
    provider: str = MERCADOPAGO  # LEDGER: a booking's money to give back, not a payment
    # How it was settled (``PaymentResolution``'s value); None while open.
    attention_resolution: str | None = None

    @property
    def money_to_return(self) -> bool:
        return self.provider == LEDGER

    @property
    def purpose(self) -> CheckoutPurpose | None:
        """What the booking's checkout paid for, told by the payment's reference; None for a
        payment matched to no booking of ours, and for a money-to-return item."""
        if self.reservation_code is None or self.money_to_return:
            return None
        reference = CheckoutReference.parse(self.payment.external_reference or "")
        return reference.purpose if reference else None


class PaymentRepository(Protocol):
    async def get(self, payment_id: str) -> PaymentRecord | None: ...

    async def save(
        self,
        payment: Payment,
        now: datetime,
        *,
        reservation_code: str | None,
        attention: Attention | None,
        attention_reason: str | None,
    ) -> None:
        """Insert or update by id (the latest state wins; ``first_seen_at`` is kept). An
        attention already recorded is kept unless a new one replaces it; a settled one stays
        settled unless another attention comes. ``reservation_code`` is the booking the
        payment was matched to (None: none of ours), whatever its checkout paid for: the
        payment is found under that code (``for_reservation``), while its reference
        (``payment.external_reference``, ``CODE:balance`` for the balance) is kept as is."""
        ...

    async def needing_attention(self, limit: int) -> list[PaymentRecord]:
        """The flags not yet settled, most recently updated first."""
        ...

    async def resolve_attention(
        self, payment_id: str, resolution: str, now: datetime
    ) -> PaymentRecord | None:
        """Settle the payment's open flag; None when it has none open."""
        ...

    async def for_reservation(self, code: str) -> list[PaymentRecord]:
        """The booking's Mercado Pago payments (not its money-to-return item)."""
        ...

    async def keep_money_to_return(
        self, item_id: str, code: str, amount: Money, reason: str, now: datetime, *, reopen: bool
    ) -> None:
        """A booking's money to give back as an item of the queue (``LEDGER``, flagged
        ``refund_required``): inserted open; an existing one takes the new amount and reason,
        and is opened again when ``reopen``."""
        ...

    async def money_to_return_out_of_step(
        self, limit: int, codes: Sequence[str] | None = None
    ) -> list[str]:
        """The bookings (codes, at most ``limit``; only ``codes`` when given) whose money to
        give back is not what the queue holds: one without nights (cancelled, expired) that
        holds money (``domain.payments.standing``'s rule) and has no item, or whose item is
        still open with another amount — none at all once nothing is owed back (a refund
        made elsewhere, a lapsed hold a payment confirmed); or whose open item has an open
        Mercado Pago flag of ``FOLDED_FLAGS`` beside it about money the ledger counts (the
        payment recorded under its id, in the booking's currency). An item the owner settled
        (dismissed, refunded, credited) is never among them."""
        ...
