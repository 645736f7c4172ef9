"""Driver errors → what the application understands, for errors raised by asyncpg directly
(the statements of adapters.postgres.driver) as well as through SQLAlchemy."""

from __future__ import annotations

from asyncpg.exceptions import (
    DeadlockDetectedError,
    ExclusionViolationError,
    InvalidCachedStatementError,
    UniqueViolationError,
)

from adapters.postgres.errors import translate
from application.errors import CodeCollision, StorageError, TransientStorageError
from domain.errors import StayUnavailable


def _with(exc: Exception, **fields: str) -> Exception:
    for name, value in fields.items():
        setattr(exc, name, value)
    return exc


def test_asyncpg_errors_translate_like_sqlalchemy_ones() -> None:
    assert isinstance(translate(DeadlockDetectedError("deadlock")), TransientStorageError)
    code_taken = _with(UniqueViolationError("dup"), constraint_name="reservations_code_key")
    assert isinstance(translate(code_taken), CodeCollision)
    overlap = _with(ExclusionViolationError("x"), constraint_name="reservations_no_overlap")
    assert isinstance(translate(overlap), StayUnavailable)


def test_a_statement_outdated_by_a_migration_is_retried_not_a_500() -> None:
    outdated = InvalidCachedStatementError("cached plan must not change result type")
    assert isinstance(translate(outdated), TransientStorageError)
    assert type(translate(_with(UniqueViolationError("dup"), constraint_name="other"))) is (
        StorageError
    )
