"""Money-safety refusals."""

from __future__ import annotations

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


class UnrecordedRefundFound(Conflict):
    """A refund through Mercado Pago not made: the booking's Mercado Pago payments already had
    refunds there that the ledger did not count (one whose save failed, one made in Mercado
    Pago's panel and not notified yet). ``found``: how much, on all of them; ``recorded``:
    whether the ledger took all of it now; ``flagged``: whether a payment was flagged
    ``refund_mismatch`` for what could not be (more than the booking holds). Neither: the
    payment's state keeps it out of the ledger for now (in mediation). The owner looks again
    before giving more back."""

    code = "unrecorded_refund_found"

    def __init__(
        self, message: str, *, found: Money, recorded: bool, flagged: bool = False
    ) -> None:
        super().__init__(message)
        self.found = found
        self.recorded = recorded
        self.flagged = flagged


class RefundPendingAtProvider(Conflict):
    """A refund through Mercado Pago not asked: an earlier one of the booking (another key)
    went to Mercado Pago a moment ago and neither our ledger nor Mercado Pago's report shows it
    yet (our save failed and the report lags). Asked now, it could be the same money twice."""

    code = "refund_pending_at_provider"


class ReceiptNotFound(NotFound):
    code = "receipt_not_found"
