"""Money-safety refusals."""

from __future__ import annotations

from domain.errors import Conflict, NotFound, RuleViolation


class RefundExceedsPaid(RuleViolation):
    """A refund or credit larger than what the guest has paid and not yet had back."""

    code = "refund_exceeds_paid"


class InvalidCancellationPolicy(RuleViolation):
    code = "invalid_cancellation_policy"


class MoneyReferenceReused(Conflict):
    """A payment, refund or credit reference already recorded with different details."""

    code = "money_reference_reused"


class ReceiptNotFound(NotFound):
    code = "receipt_not_found"
