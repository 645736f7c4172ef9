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
from application.accounts.users import ChangePassword, ListUsers, RemoveUser, WrongPassword
from application.ports.accounts import User
from domain.accounts import (
    InvitationInvalid,
    LastOwner,
    OwnerNotAllowed,
    Role,
    SessionLifetime,
    ThrottleLimits,
    UserExists,
    WeakPassword,
)
from tests.unit.application.fakes import FakeUnitOfWork, FixedClock
from tests.unit.application.fakes_accounts import CountingThrottle, PlainHasher

NOW = datetime(2026, 12, 1, 15, tzinfo=UTC)
OWNER = "duena@cabanas.ar"
PASSWORD = "una frase larga y secreta"  # pragma: allowlist secret
POLICY = AccountsPolicy(
    owner_emails=frozenset({OWNER}),
    lifetime=SessionLifetime(idle=timedelta(hours=12), absolute=timedelta(days=7)),
    throttle=ThrottleLimits(per_account=3, per_address=5, window=timedelta(minutes=15)),
)


World = tuple[FakeUnitOfWork, FixedClock, PlainHasher, CountingThrottle]


@pytest.fixture
def world() -> World:
    return FakeUnitOfWork([]), FixedClock(NOW), PlainHasher(), CountingThrottle()


async def _member(world: World, email: str = OWNER, role: Role = Role.OWNER) -> User:
    uow, clock, hasher, _ = world
    token = await InviteUser(uow, clock, POLICY)(email, role, "tests")
    return await AcceptInvitation(uow, clock, hasher, POLICY)(token, PASSWORD)


async def test_an_invitation_is_used_once_and_lapses_after_a_day(world: World) -> None:
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


async def test_unknown_and_wrong_get_one_answer_and_the_throttle_counts_both(world: World) -> None:
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


async def test_an_address_is_throttled_across_accounts(world: World) -> None:
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


async def test_an_ipv6_address_is_throttled_with_its_whole_64(world: World) -> None:
    # Any host in a subscriber's /64 may take a new address per attempt: one budget for all.
    uow, clock, hasher, throttle = world
    await _member(world)
    sign_in = SignIn(uow, clock, hasher, throttle, POLICY)
    for n in range(5):
        with pytest.raises(SignInRefused):
            await sign_in(f"persona{n}@example.com", PASSWORD, f"2001:db8:1:2::{n + 1:x}")
    with pytest.raises(SignInThrottled):
        await sign_in(OWNER, PASSWORD, "2001:db8:1:2:ffff:ffff:ffff:ffff")
    signed = await sign_in(OWNER, PASSWORD, "2001:db8:1:3::1")  # the next /64 is another client
    assert signed.user.email == OWNER


async def test_a_session_lives_while_used_and_ends_at_its_limits(world: World) -> None:
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


async def test_an_owner_dropped_from_the_allowed_emails_loses_the_session(world: World) -> None:
    uow, clock, hasher, throttle = world
    await _member(world)
    token = (await SignIn(uow, clock, hasher, throttle, POLICY)(OWNER, PASSWORD, "x")).token
    narrower = AccountsPolicy(frozenset(), POLICY.lifetime, POLICY.throttle)
    assert await CurrentUser(uow, clock, narrower)(token) is None


async def test_the_last_owner_cannot_be_removed(world: World) -> None:
    uow, clock, _, _ = world
    await _member(world)
    with pytest.raises(LastOwner):
        await RemoveUser(uow, clock)(1, "tests")


async def test_an_acceptance_that_fails_leaves_the_invitation_usable(world: World) -> None:
    uow, clock, hasher, _ = world
    token = await InviteUser(uow, clock, POLICY)("ayuda@example.com", Role.STAFF, "tests")
    with pytest.raises(WeakPassword):
        await AcceptInvitation(uow, clock, hasher, POLICY)(token, "corta")  # too short
    assert await ShowInvitation(uow, clock)(token)
    user = await AcceptInvitation(uow, clock, hasher, POLICY)(token, PASSWORD)
    assert (user.email, user.role) == ("ayuda@example.com", Role.STAFF)
    assert [e.action for e in uow.audit.entries] == ["user.invite", "user.create"]


async def test_two_tabs_accepting_one_invitation_make_one_user(world: World) -> None:
    uow, clock, hasher, _ = world
    token = await InviteUser(uow, clock, POLICY)("ayuda@example.com", Role.STAFF, "tests")
    accept = AcceptInvitation(uow, clock, hasher, POLICY)
    await accept(token, PASSWORD)
    with pytest.raises(InvitationInvalid):
        await accept(token, PASSWORD + " otra")
    assert [u.email for u in await ListUsers(uow)()] == ["ayuda@example.com"]


async def test_owners_are_listed_first_and_removing_a_person_ends_their_sessions(
    world: World,
) -> None:
    uow, clock, hasher, throttle = world
    await _member(world, "zeta@example.com", Role.STAFF)
    await _member(world)
    assert [u.email for u in await ListUsers(uow)()] == [OWNER, "zeta@example.com"]
    signed = await SignIn(uow, clock, hasher, throttle, POLICY)("zeta@example.com", PASSWORD, "x")
    removed = await RemoveUser(uow, clock)(signed.user.id, OWNER)
    assert removed.email == "zeta@example.com"
    assert await CurrentUser(uow, clock, POLICY)(signed.token) is None
    assert [e.action for e in uow.audit.entries][-1] == "user.remove"


async def test_changing_the_password_ends_every_other_session(world: World) -> None:
    uow, clock, hasher, throttle = world
    await _member(world)
    sign_in = SignIn(uow, clock, hasher, throttle, POLICY)
    here, there = [await sign_in(OWNER, PASSWORD, "x") for _ in range(2)]
    change = ChangePassword(uow, clock, hasher)
    with pytest.raises(WrongPassword):
        await change(here.user, "no es esta", "otra frase larga y secreta", here.token)
    assert await change(here.user, PASSWORD, "otra frase larga y secreta", here.token) == 1
    current = CurrentUser(uow, clock, POLICY)
    assert await current(here.token) is not None
    assert await current(there.token) is None
    assert (await sign_in(OWNER, "otra frase larga y secreta", "x")).user.email == OWNER
