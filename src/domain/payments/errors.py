"""Money-safety refusals."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.errors import Conflict, NotFound, RuleViolation
from domain.money import Money


class RefundExceedsPaid(RuleViolation):
    """A refund or credit larger than what the guest has paid and not yet had back
    (``available``: the most that could go back, when known)."""

    code = "refund_exceeds_paid"

    def __init__(self, message: str, *, available: Money | None = None) -> None:
        super().__init__(message)
        self.available = available


class InvalidCancellationPolicy(RuleViolation):
    code = "invalid_cancellation_policy"


class MoneyReferenceReused(Conflict):
    """A payment, refund or credit reference already recorded with different details."""

    code = "money_reference_reused"


class PaymentNotFoundAtProvider(Conflict):
    """A refund through Mercado Pago not asked: Mercado Pago does not find one of the booking's
    payments (another account's, or one it no longer has), so what was refunded of it cannot be
    checked, and nothing goes back blind. Retrying cannot change that: the owner looks in Mercado
    Pago, and a refund made by hand is recorded as such."""

    code = "payment_not_found_at_provider"

    def __init__(self, message: str, *, payment_id: str) -> None:
        super().__init__(message)
        self.payment_id = payment_id


class FoundOutcome(StrEnum):
    """What became of refunds found on one payment before a refund was asked."""

    RECORDED = "recorded"  # the ledger took them now
    IN_MEDIATION = "in_mediation"  # not recorded while the payment is in mediation
    CHARGED_BACK = "charged_back"  # not recorded: the payment has a chargeback
    MISMATCH = "mismatch"  # not recorded: more than it could be; the payment is flagged
    NOT_RECORDED = "not_recorded"  # not recorded: the payment's state keeps them out


@dataclass(frozen=True, slots=True)
class FoundRefund:
    """Refunds Mercado Pago reported of one payment that the ledger did not count."""

    payment_id: str
    amount: Money
    outcome: FoundOutcome


class UnrecordedRefundFound(Conflict):
    """A refund through Mercado Pago not made: the booking's Mercado Pago payments already had
    refunds there that the ledger did not count (one whose save failed, one made in Mercado
    Pago's panel and not notified yet). ``outcomes``: what was found on each payment and what
    became of it (at least one); ``found``: how much, on all of them. The owner looks again
    before giving more back."""

    code = "unrecorded_refund_found"

    def __init__(self, message: str, *, outcomes: tuple[FoundRefund, ...]) -> None:
        if not outcomes:
            raise ValueError("an unrecorded refund found says what was found")
        super().__init__(message)
        self.outcomes = outcomes
        currency = outcomes[0].amount.currency
        self.found = Money(sum(o.amount.cents for o in outcomes), currency)

    @property
    def recorded(self) -> bool:
        """Whether the ledger took all of it now."""
        return all(o.outcome is FoundOutcome.RECORDED for o in self.outcomes)

    @property
    def flagged(self) -> bool:
        """Whether a payment was flagged ``refund_mismatch`` for what could not be recorded."""
        return any(o.outcome is FoundOutcome.MISMATCH for o in self.outcomes)

    @property
    def recorded_amount(self) -> Money:
        """How much of what was found the ledger took now."""
        cents = sum(o.amount.cents for o in self.outcomes if o.outcome is FoundOutcome.RECORDED)
        return Money(cents, self.found.currency)


class RefundPendingAtProvider(Conflict):
    """A refund through Mercado Pago not asked: an earlier one of the booking (another key)
    went to Mercado Pago a moment ago and neither our ledger nor Mercado Pago's report shows it
    yet (our save failed and the report lags). Asked now, it could be the same money twice."""

    code = "refund_pending_at_provider"


class RefundNotMade(Conflict):
    """Mercado Pago refused the refund (a 4xx answer: the payment has not that much left, say):
    no refund was made with that key. Sent again, the same key is refused again; if money is
    still owed, a new request (a new key) is judged afresh."""

    code = "refund_not_made"


class RefundInProcessAtProvider(Conflict):
    """Mercado Pago took the refund but has not approved it yet (its answer's status is not
    ``approved``): not recorded from the answer; its notification records it once Mercado
    Pago's report shows it. Not to be made again meanwhile."""

    code = "refund_in_process"


class ReceiptNotFound(NotFound):
    code = "receipt_not_found"
