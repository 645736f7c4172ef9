"""The accounts use cases against in-memory fakes: sign-in's throttle and its single answer,
invitations used once, sessions' lifetimes, removing the last owner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from application.accounts.invitations import AcceptInvitation, InviteUser, ShowInvitation
from application.accounts.policy import AccountsPolicy, digest
from application.accounts.sessions import (
    CurrentUser,
    SignIn,
    SignInRefused,
    SignInThrottled,
    throttle_keys,
)
from application.accounts.users import RemoveUser
from application.ports.accounts import Invitation, SessionRecord, User
from domain.accounts import (
    InvitationInvalid,
    LastOwner,
    OwnerNotAllowed,
    Role,
    SessionLifetime,
    ThrottleLimits,
    UserExists,
)
from tests.unit.application.fakes import FakeAudit, FixedClock

NOW = datetime(2026, 12, 1, 15, tzinfo=UTC)
OWNER = "duena@cabanas.ar"
PASSWORD = "una frase larga y secreta"  # pragma: allowlist secret
POLICY = AccountsPolicy(
    owner_emails=frozenset({OWNER}),
    lifetime=SessionLifetime(idle=timedelta(hours=12), absolute=timedelta(days=7)),
    throttle=ThrottleLimits(per_account=3, per_address=5, window=timedelta(minutes=15)),
)


class FakeAccounts:
    def __init__(self) -> None:
        self.users: dict[int, User] = {}
        self.invitations: dict[str, tuple[Invitation, datetime | None]] = {}
        self.sessions: dict[str, SessionRecord] = {}

    async def user_by_email(self, email: str) -> User | None:
        return next((u for u in self.users.values() if u.email == email), None)

    async def user_by_id(self, user_id: int) -> User | None:
        return self.users.get(user_id)

    async def count_owners(self) -> int:
        return sum(u.role is Role.OWNER for u in self.users.values())

    async def add_user(self, email: str, role: Role, password_hash: str, now: datetime) -> User:
        if await self.user_by_email(email):
            raise UserExists("taken")
        user = User(len(self.users) + 1, email, role, password_hash, now)
        self.users[user.id] = user
        return user

    async def set_password(self, user_id: int, password_hash: str, now: datetime) -> None:
        u = self.users[user_id]
        self.users[user_id] = User(u.id, u.email, u.role, password_hash, u.created_at)

    async def remove_user(self, user_id: int) -> bool:
        self.sessions = {k: s for k, s in self.sessions.items() if s.user.id != user_id}
        return self.users.pop(user_id, None) is not None

    async def add_invitation(
        self, token_digest: str, invitation: Invitation, invited_by: str, now: datetime
    ) -> None:
        self.invitations[token_digest] = (invitation, None)

    async def live_invitation(self, token_digest: str, now: datetime) -> Invitation | None:
        found = self.invitations.get(token_digest)
        if found is None or found[1] is not None or found[0].expires_at <= now:
            return None
        return found[0]

    async def use_invitation(self, token_digest: str, now: datetime) -> Invitation | None:
        live = await self.live_invitation(token_digest, now)
        if live is not None:
            self.invitations[token_digest] = (live, now)
        return live

    async def add_session(self, token_digest: str, user_id: int, now: datetime) -> None:
        self.sessions[token_digest] = SessionRecord(self.users[user_id], now, now)

    async def session(self, token_digest: str) -> SessionRecord | None:
        return self.sessions.get(token_digest)

    async def touch_session(self, token_digest: str, now: datetime) -> None:
        s = self.sessions[token_digest]
        self.sessions[token_digest] = SessionRecord(s.user, s.created_at, now)

    async def end_session(self, token_digest: str) -> None:
        self.sessions.pop(token_digest, None)


class FakeUow:
    def __init__(self) -> None:
        self.accounts = FakeAccounts()
        self.audit = FakeAudit()

    async def __aenter__(self) -> FakeUow:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def commit(self) -> None:
        return None


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


@pytest.fixture
def world() -> tuple[FakeUow, FixedClock, PlainHasher, CountingThrottle]:
    return FakeUow(), FixedClock(NOW), PlainHasher(), CountingThrottle()


async def _member(world, email: str = OWNER, role: Role = Role.OWNER) -> None:  # type: ignore[no-untyped-def]
    uow, clock, hasher, _ = world
    token = await InviteUser(uow, clock, POLICY)(email, role, "tests")
    await AcceptInvitation(uow, clock, hasher, POLICY)(token, PASSWORD)


async def test_an_invitation_is_used_once_and_lapses_after_a_day(world) -> None:  # type: ignore[no-untyped-def]
    uow, clock, hasher, _ = world
    token = await InviteUser(uow, clock, POLICY)(" Duena@Cabanas.AR", Role.OWNER, "tests")
    assert token not in uow.accounts.invitations  # only the digest is kept
    assert digest(token) in uow.accounts.invitations
    user = await AcceptInvitation(uow, clock, hasher, POLICY)(token, PASSWORD)
    assert user.email == OWNER
    with pytest.raises(InvitationInvalid):
        await AcceptInvitation(uow, clock, hasher, POLICY)(token, PASSWORD)
    late = await InviteUser(uow, clock, POLICY)("ayuda@example.com", Role.STAFF, "tests")
    clock.current += timedelta(hours=24)
    with pytest.raises(InvitationInvalid):
        await ShowInvitation(uow, clock)(late)
    with pytest.raises(OwnerNotAllowed):
        await InviteUser(uow, clock, POLICY)("otro@example.com", Role.OWNER, "tests")
    with pytest.raises(UserExists):
        await InviteUser(uow, clock, POLICY)(OWNER, Role.STAFF, "tests")


async def test_unknown_and_wrong_get_one_answer_and_the_throttle_counts_both(world) -> None:  # type: ignore[no-untyped-def]
    uow, clock, hasher, throttle = world
    await _member(world)
    sign_in = SignIn(uow, clock, hasher, throttle, POLICY)
    with pytest.raises(SignInRefused) as unknown:
        await sign_in("nadie@example.com", PASSWORD, "10.0.0.1")
    assert hasher.stand_ins == 1  # it spent the time of a verification
    with pytest.raises(SignInRefused) as wrong:
        await sign_in(OWNER, "otra cosa cualquiera", "10.0.0.1")
    assert unknown.value.message == wrong.value.message
    for _ in range(2):
        with pytest.raises(SignInRefused):
            await sign_in(OWNER, "otra cosa cualquiera", "10.0.0.2")
    # Three failures for the account: even the right password is refused now, from anywhere.
    with pytest.raises(SignInThrottled):
        await sign_in(OWNER, PASSWORD, "10.0.0.9")
    actions = [e.action for e in uow.audit.entries]
    assert actions.count("console.sign_in_failed") == 5


async def test_an_address_is_throttled_across_accounts(world) -> None:  # type: ignore[no-untyped-def]
    uow, clock, hasher, throttle = world
    await _member(world)
    sign_in = SignIn(uow, clock, hasher, throttle, POLICY)
    for n in range(5):
        with pytest.raises(SignInRefused):
            await sign_in(f"persona{n}@example.com", PASSWORD, "10.0.0.1")
    with pytest.raises(SignInThrottled):
        await sign_in(OWNER, PASSWORD, "10.0.0.1")
    signed = await sign_in(OWNER, PASSWORD, "10.0.0.2")
    assert signed.user.email == OWNER
    assert throttle.counts.get(throttle_keys(OWNER, "10.0.0.2")[0]) is None  # cleared


async def test_a_session_lives_while_used_and_ends_at_its_limits(world) -> None:  # type: ignore[no-untyped-def]
    uow, clock, hasher, throttle = world
    await _member(world)
    token = (await SignIn(uow, clock, hasher, throttle, POLICY)(OWNER, PASSWORD, "x")).token
    current = CurrentUser(uow, clock, POLICY)
    clock.current += timedelta(hours=11)
    assert await current(token) is not None
    clock.current += timedelta(hours=11)  # 22 h after sign-in, 11 h after last use
    assert await current(token) is not None
    clock.current += timedelta(hours=12)
    assert await current(token) is None
    assert digest(token) not in uow.accounts.sessions  # ended and forgotten


async def test_an_owner_dropped_from_the_allowed_emails_loses_the_session(world) -> None:  # type: ignore[no-untyped-def]
    uow, clock, hasher, throttle = world
    await _member(world)
    token = (await SignIn(uow, clock, hasher, throttle, POLICY)(OWNER, PASSWORD, "x")).token
    narrower = AccountsPolicy(frozenset(), POLICY.lifetime, POLICY.throttle)
    assert await CurrentUser(uow, clock, narrower)(token) is None


async def test_the_last_owner_cannot_be_removed(world) -> None:  # type: ignore[no-untyped-def]
    uow, clock, _, _ = world
    await _member(world)
    with pytest.raises(LastOwner):
        await RemoveUser(uow, clock)(1, "tests")
