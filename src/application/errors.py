"""Errors raised by ports (not business rules): adapters translate their own failures to these."""

from __future__ import annotations

from application.ports.idempotency import StoredRequest
from domain.booking.reservation import Reservation


class StorageError(Exception):
    """The store failed in a way the caller cannot fix."""


class TransientStorageError(StorageError):
    """Deadlock or serialization failure: the whole transaction may be retried."""


class CodeCollision(StorageError):
    """A freshly generated reservation code already exists (vanishingly rare): draw another."""


class StorageUnavailable(StorageError):
    """The store cannot be reached right now (connection refused, timeout)."""


class IntegrationError(Exception):
    """An outside provider (Mercado Pago, WhatsApp, a calendar feed) failed. ``retryable``
    says whether trying again later may succeed (timeouts, 5xx, rate limits) or not."""

    def __init__(self, message: str, *, retryable: bool, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.code = code


class RequestRetried(Exception):
    """The request repeats one whose hold is still live (the same client sent the same body
    and never got the answer): answer with that hold."""

    def __init__(self, reservation: Reservation) -> None:
        super().__init__("request retried")
        self.reservation = reservation


class IdempotentReplay(Exception):
    """The request repeats an earlier one with the same ``Idempotency-Key``: answer with what
    that one got."""

    def __init__(self, stored: StoredRequest) -> None:
        super().__init__("idempotent replay")
        self.stored = stored


class TemplateRejected(IntegrationError):
    """WhatsApp refused a message template (unknown in that language, wrong parameters, paused
    or disabled): permanent for the message, and the owner must fix the template."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message, retryable=False, code=code)


class OutsideServiceWindow(IntegrationError):
    """WhatsApp refused free text because the person has not written in 24 hours."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message, retryable=False, code=code)
