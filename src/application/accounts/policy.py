from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from domain.accounts import Role, SessionLifetime, ThrottleLimits

# A session's last use is written at most this often (not on every request).
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class AccountsPolicy:
    """``owner_emails``: ADMIN_ALLOWED_EMAILS, lower-cased; an owner must be listed there to be
    invited and to sign in."""

    owner_emails: frozenset[str]
    lifetime: SessionLifetime
    throttle: ThrottleLimits

    def may_hold(self, email: str, role: Role) -> bool:
        return role is not Role.OWNER or email in self.owner_emails


def new_token() -> tuple[str, str]:
    """A bearer secret (256 bits, URL-safe) and the digest under which it is stored."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
