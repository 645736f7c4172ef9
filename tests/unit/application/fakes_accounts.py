"""In-memory console accounts (users, invitations, sessions), a plain password hasher and a
counting sign-in throttle, for the application tests. What a transaction writes is kept only
if it commits, as in PostgreSQL."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from application.ports.accounts import Invitation, PendingInvitation, SessionRecord, User
from domain.accounts import Role, UserExists


@dataclass(slots=True)
class AccountsState:
    users: dict[int, User] = field(default_factory=dict)
    # token digest → (invitation, who invited, when it was used)
    invitations: dict[str, tuple[Invitation, str, datetime | None]] = field(default_factory=dict)
    sessions: dict[str, SessionRecord] = field(default_factory=dict)
    last_id: int = 0


class FakeAccounts:
    """``read`` is the committed state (what a test inspects); writes go to a copy until
    ``commit``. Emails are unique (the table's constraint); ids are never reused."""

    def __init__(self) -> None:
        self.read = AccountsState()
        self._work: AccountsState | None = None

    @property
    def _s(self) -> AccountsState:
        return self._work if self._work is not None else self.read

    def _w(self) -> AccountsState:
        if self._work is None:
            self._work = copy.deepcopy(self.read)
        return self._work

    @property
    def invitations(self) -> dict[str, tuple[Invitation, str, datetime | None]]:
        return self.read.invitations

    @property
    def sessions(self) -> dict[str, SessionRecord]:
        return self.read.sessions

    async def user_by_email(self, email: str) -> User | None:
        return next((u for u in self._s.users.values() if u.email == email), None)

    async def user_by_id(self, user_id: int) -> User | None:
        return self._s.users.get(user_id)

    async def users(self) -> list[User]:
        return sorted(self._s.users.values(), key=lambda u: (u.role is not Role.OWNER, u.email))

    async def count_owners(self) -> int:
        return sum(u.role is Role.OWNER for u in self._s.users.values())

    async def add_user(self, email: str, role: Role, password_hash: str, now: datetime) -> User:
        if await self.user_by_email(email) is not None:
            raise UserExists("there is already a user with that email")
        state = self._w()
        state.last_id += 1
        user = User(state.last_id, email, role, password_hash, now)
        state.users[user.id] = user
        return user

    async def set_password(self, user_id: int, password_hash: str, now: datetime) -> None:
        state = self._w()
        state.users[user_id] = replace(state.users[user_id], password_hash=password_hash)
        for key, s in state.sessions.items():
            if s.user.id == user_id:
                state.sessions[key] = replace(s, user=state.users[user_id])

    async def remove_user(self, user_id: int) -> bool:
        state = self._w()
        user = state.users.pop(user_id, None)
        if user is None:
            return False
        state.sessions = {k: s for k, s in state.sessions.items() if s.user.id != user_id}
        state.invitations = {k: i for k, i in state.invitations.items() if i[0].email != user.email}
        return True

    async def add_invitation(
        self, token_digest: str, invitation: Invitation, invited_by: str, now: datetime
    ) -> None:
        self._w().invitations[token_digest] = (invitation, invited_by, None)

    async def pending_invitations(self, now: datetime) -> list[PendingInvitation]:
        return [
            PendingInvitation(i.email, i.role, i.expires_at, by)
            for i, by, used in reversed(self._s.invitations.values())
            if used is None and i.expires_at > now
        ]

    async def revoke_invitations(self, email: str, now: datetime) -> int:
        state, count = self._w(), 0
        for key, (i, by, used) in list(state.invitations.items()):
            if i.email == email and used is None and i.expires_at > now:
                state.invitations[key] = (replace(i, expires_at=now), by, None)
                count += 1
        return count

    async def live_invitation(self, token_digest: str, now: datetime) -> Invitation | None:
        found = self._s.invitations.get(token_digest)
        if found is None or found[2] is not None or found[0].expires_at <= now:
            return None
        return found[0]

    async def use_invitation(self, token_digest: str, now: datetime) -> Invitation | None:
        live = await self.live_invitation(token_digest, now)
        if live is not None:
            state = self._w()
            state.invitations[token_digest] = (live, state.invitations[token_digest][1], now)
        return live

    async def add_session(self, token_digest: str, user_id: int, now: datetime) -> None:
        state = self._w()
        state.sessions[token_digest] = SessionRecord(state.users[user_id], now, now)

    async def session(self, token_digest: str) -> SessionRecord | None:
        return self._s.sessions.get(token_digest)

    async def touch_session(self, token_digest: str, now: datetime) -> None:
        state = self._w()
        if (s := state.sessions.get(token_digest)) is not None:
            state.sessions[token_digest] = replace(s, last_seen_at=now)

    async def end_session(self, token_digest: str) -> None:
        self._w().sessions.pop(token_digest, None)

    async def end_sessions_of(self, user_id: int, *, except_digest: str | None = None) -> int:
        state = self._w()
        ending = [
            k for k, s in state.sessions.items() if s.user.id == user_id and k != except_digest
        ]
        for key in ending:
            del state.sessions[key]
        return len(ending)

    def commit(self) -> None:
        if self._work is not None:
            self.read, self._work = self._work, None

    def rollback(self) -> None:
        self._work = None


class PlainHasher:
    """Not a real hash: the use cases' rules are under test, not argon2."""

    def __init__(self) -> None:
        self.stand_ins = 0

    async def hash(self, password: str) -> str:
        return f"h:{password}"

    async def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == f"h:{password}"

    async def verify_nothing(self, password: str) -> None:
        self.stand_ins += 1

    def needs_rehash(self, password_hash: str) -> bool:
        return False


class CountingThrottle:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    async def failures(self, keys: list[str]) -> list[int]:
        return [self.counts.get(k, 0) for k in keys]

    async def record_failure(self, keys: list[str], window: timedelta) -> None:
        for k in keys:
            self.counts[k] = self.counts.get(k, 0) + 1

    async def clear(self, key: str) -> None:
        self.counts.pop(key, None)
