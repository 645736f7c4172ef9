"""People who run the business through the console: their roles, what each may do, and the
rules for passwords, invitations and sign-in sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import Conflict, InvalidValue, NotFound, RuleViolation

MAX_EMAIL = 320
MIN_PASSWORD = 12
MAX_PASSWORD = 256
# An invitation link works once, for this long.
INVITATION_VALID = timedelta(hours=24)


class Role(StrEnum):
    """``owner``: everything. ``staff``: today, the calendar and reservations; records arrivals
    and blocks; never prices, payments, users or calendar feeds."""

    OWNER = "owner"
    STAFF = "staff"


class InvalidEmail(InvalidValue):
    code = "invalid_email"
    field = "email"


class WeakPassword(RuleViolation):
    code = "weak_password"
    field = "password"


class InvitationInvalid(NotFound):
    """Unknown, used or expired: the link does not say which (it is a bearer secret)."""

    code = "invitation_invalid"


class OwnerNotAllowed(RuleViolation):
    """Owners must also be listed in ADMIN_ALLOWED_EMAILS."""

    code = "owner_not_allowed"
    field = "email"


class UserExists(Conflict):
    code = "user_exists"
    field = "email"


class UserNotFound(NotFound):
    code = "user_not_found"


class LastOwner(Conflict):
    code = "last_owner"


def normalize_email(raw: str) -> str:
    """Trimmed and lower-cased; one ``@`` with something on each side, no spaces."""
    email = raw.strip().lower()
    local, at, domain = email.partition("@")
    if (
        not at
        or not local
        or "." not in domain
        or "@" in domain
        or any(c.isspace() for c in email)
        or len(email) > MAX_EMAIL
    ):
        raise InvalidEmail("the email address is not valid")
    return email


def check_new_password(password: str, email: str) -> None:
    """At least 12 characters (length beats composition rules), at most 256, not the email."""
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(f"the password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise WeakPassword(f"the password may have at most {MAX_PASSWORD} characters")
    if password.strip().lower() == email.lower():
        raise WeakPassword("the password cannot be the email address")


@dataclass(frozen=True, slots=True)
class SessionLifetime:
    """A session ends ``idle`` after its last use, and ``absolute`` after it began whatever
    its use."""

    idle: timedelta
    absolute: timedelta

    def __post_init__(self) -> None:
        if self.idle <= timedelta(0) or self.absolute < self.idle:
            raise InvalidValue("a session's idle lifetime must be positive and ≤ its absolute one")

    def ended(self, created_at: datetime, last_seen_at: datetime, now: datetime) -> bool:
        return now >= last_seen_at + self.idle or now >= created_at + self.absolute


@dataclass(frozen=True, slots=True)
class ThrottleLimits:
    """Failed sign-ins allowed per account and per client address within ``window`` before
    further attempts are refused until the window passes (the answer never says whether the
    account exists)."""

    per_account: int
    per_address: int
    window: timedelta
