"""Ports of the console's accounts: users, invitations, sessions, password hashing, and the
sign-in throttle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from domain.accounts import Role


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    role: Role
    password_hash: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Invitation:
    email: str
    role: Role
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class PendingInvitation:
    """An invitation not used yet and still valid, as the owner's list shows it."""

    email: str
    role: Role
    expires_at: datetime
    invited_by: str


@dataclass(frozen=True, slots=True)
class SessionRecord:
    user: User
    created_at: datetime
    last_seen_at: datetime


class AccountRepository(Protocol):
    """Users, invitations and sessions. Tokens are stored only as their SHA-256 digests."""

    async def user_by_email(self, email: str) -> User | None: ...

    async def user_by_id(self, user_id: int) -> User | None: ...

    async def users(self) -> list[User]: ...

    async def count_owners(self) -> int: ...

    async def add_user(self, email: str, role: Role, password_hash: str, now: datetime) -> User:
        """Raises ``UserExists`` if the email is taken."""
        ...

    async def set_password(self, user_id: int, password_hash: str, now: datetime) -> None: ...

    async def remove_user(self, user_id: int) -> bool:
        """Delete the user, their sessions and their invitations; False if there was none."""
        ...

    async def add_invitation(
        self, token_digest: str, invitation: Invitation, invited_by: str, now: datetime
    ) -> None: ...

    async def pending_invitations(self, now: datetime) -> list[PendingInvitation]:
        """Invitations not used yet and still valid, the newest first."""
        ...

    async def revoke_invitations(self, email: str, now: datetime) -> int:
        """Invitations for that email not used yet end now (their links stop working); how
        many there were."""
        ...

    async def live_invitation(self, token_digest: str, now: datetime) -> Invitation | None:
        """The unused, unexpired invitation with that token, if any."""
        ...

    async def use_invitation(self, token_digest: str, now: datetime) -> Invitation | None:
        """Mark the invitation used (once: a second call, or a lapsed one, gives None)."""
        ...

    async def add_session(self, token_digest: str, user_id: int, now: datetime) -> None: ...

    async def session(self, token_digest: str) -> SessionRecord | None: ...

    async def touch_session(self, token_digest: str, now: datetime) -> None: ...

    async def end_session(self, token_digest: str) -> None: ...

    async def end_sessions_of(self, user_id: int, *, except_digest: str | None = None) -> int:
        """End every session of a user (but ``except_digest``); how many ended."""
        ...


class PasswordHasher(Protocol):
    """Slow on purpose (argon2id): implementations keep the event loop free while hashing."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool:
        """False on a mismatch or an unreadable hash; never raises for a wrong password."""
        ...

    async def verify_nothing(self, password: str) -> None:
        """Spend the time of a verification (an unknown email must not answer faster)."""
        ...

    def needs_rehash(self, password_hash: str) -> bool: ...


class SignInThrottle(Protocol):
    """Counts failed sign-ins per key (an account, a client address) within a window."""

    async def failures(self, keys: list[str]) -> list[int]: ...

    async def record_failure(self, keys: list[str], window: timedelta) -> None: ...

    async def clear(self, key: str) -> None: ...
