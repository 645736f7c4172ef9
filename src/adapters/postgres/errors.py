"""Database errors translated in one place, by SQLSTATE and constraint name."""

from __future__ import annotations

from asyncpg.exceptions import InvalidCachedStatementError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from adapters.postgres.tables import CODE_UNIQUE_CONSTRAINT, NO_OVERLAP_CONSTRAINT
from application.errors import (
    CodeCollision,
    StorageError,
    StorageUnavailable,
    TransientStorageError,
)
from domain.errors import DuplicateName, InvalidValue, RuleViolation, StayUnavailable

# What checking a connection out of SQLAlchemy's pool raises when there is none to have: the
# pool stayed exhausted past its timeout, or the server cannot be reached (→ StorageUnavailable).
CHECKOUT_FAILED = (PoolTimeout, OperationalError, InterfaceError, OSError)

EXCLUSION_VIOLATION = "23P01"
CHECK_VIOLATION = "23514"
ACCOMMODATION_NAME_CONSTRAINT = "accommodations_name_key"
UNIQUE_VIOLATION = "23505"
DEADLOCK_DETECTED = "40P01"
SERIALIZATION_FAILURE = "40001"
# statement_timeout and lock_timeout fired: the server rolled the statement back itself.
QUERY_CANCELED = "57014"
LOCK_NOT_AVAILABLE = "55P03"
# Text PostgreSQL cannot store (a NUL character, an invalid byte sequence).
UNSTORABLE_TEXT = frozenset({"22021", "22P05"})


def sqlstate(exc: BaseException) -> str | None:
    """From SQLAlchemy's wrapper or from an asyncpg error itself (``adapters.postgres.driver``)."""
    orig = getattr(exc, "orig", exc)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return str(code) if code else None


def constraint_name(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", exc)
    for candidate in (orig, getattr(orig, "__cause__", None)):
        name = getattr(candidate, "constraint_name", None)
        if name:
            return str(name)
    return None


def translate(exc: BaseException) -> Exception:
    """Map a driver error to what the application understands; unknown → ``StorageError``."""
    state = sqlstate(exc)
    constraint = constraint_name(exc)
    if isinstance(getattr(exc, "orig", exc), InvalidCachedStatementError):
        # A schema change (a deploy's migration) under a statement asyncpg had prepared, met
        # inside a transaction; asyncpg has already dropped its cache, so a retry succeeds.
        return TransientStorageError("a prepared statement was outdated by a schema change")
    if state in (QUERY_CANCELED, LOCK_NOT_AVAILABLE):
        return StorageUnavailable(
            f"the database did not finish in time and rolled back ({state}); nothing was stored"
        )
    if state in (DEADLOCK_DETECTED, SERIALIZATION_FAILURE):
        return TransientStorageError(f"transient database conflict ({state})")
    if state == EXCLUSION_VIOLATION and constraint == NO_OVERLAP_CONSTRAINT:
        return StayUnavailable("those nights are already taken")
    if state == UNIQUE_VIOLATION and constraint == CODE_UNIQUE_CONSTRAINT:
        return CodeCollision("reservation code already in use")
    if state == UNIQUE_VIOLATION and constraint == ACCOMMODATION_NAME_CONSTRAINT:
        return DuplicateName("another accommodation already has that name")
    if state in UNSTORABLE_TEXT:
        return InvalidValue("a text field contains a character that cannot be stored (e.g. NUL)")
    if state == CHECK_VIOLATION:
        return RuleViolation(f"the database refused a value ({constraint or 'check constraint'})")
    return StorageError(f"database error (SQLSTATE {state or 'unknown'})")
