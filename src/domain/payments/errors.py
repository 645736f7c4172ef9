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


class ReceiptNotFound(NotFound):
    code = "receipt_not_found"
