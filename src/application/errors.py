"""Errors raised by ports (not business rules): adapters translate their own failures to these."""

from __future__ import annotations


class StorageError(Exception):
    """The store failed in a way the caller cannot fix."""


class TransientStorageError(StorageError):
    """Deadlock or serialization failure: the whole transaction may be retried."""


class CodeCollision(StorageError):
    """A freshly generated reservation code already exists (vanishingly rare): draw another."""


class StorageUnavailable(StorageError):
    """The store cannot be reached right now (connection refused, timeout)."""
