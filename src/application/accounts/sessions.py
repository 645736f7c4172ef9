"""Signing in and out, and the session behind each console request."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from application.accounts.policy import TOUCH_EVERY, AccountsPolicy, digest, new_token
from application.ports.accounts import PasswordHasher, SignInThrottle, User
from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWork
from domain.accounts import MAX_EMAIL, InvalidEmail, normalize_email
from domain.client_address import address_group
from domain.errors import DomainError, RuleViolation


class SignInRefused(RuleViolation):
    """Wrong email or password — deliberately not saying which."""

    code = "sign_in_refused"


class SignInThrottled(RuleViolation):
    code = "sign_in_throttled"

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s  # the window: every counted failure is gone by then


@dataclass(frozen=True, slots=True)
class SignedIn:
    token: str
    user: User


def throttle_keys(email: str, address: str) -> list[str]:
    """The account's counter and the address's: an IPv6 address counts as its whole /64."""
    account = hashlib.sha256(email.encode()).hexdigest()[:32]
    return [f"acct:{account}", f"addr:{address_group(address)}"]


@dataclass(frozen=True, slots=True)
class SignIn:
    """Rules: refused while the account's or the address's recent failures reach the limits
    (``ThrottleLimits``), whether or not the account exists; the same refusal, taking as long,
    for an unknown email and a wrong password; an owner no longer in ADMIN_ALLOWED_EMAILS is
    refused too. Every attempt is audited (the address with it); success starts a session and
    clears the account's failures."""

    uow: UnitOfWork
    clock: Clock
    hasher: PasswordHasher
    throttle: SignInThrottle
    policy: AccountsPolicy

    async def __call__(self, raw_email: str, password: str, address: str) -> SignedIn:
        try:
            email = normalize_email(raw_email)
        except InvalidEmail:
            email = raw_email.strip().lower()[:MAX_EMAIL]
        keys = throttle_keys(email, address)
        limits = self.policy.throttle
        account_failures, address_failures = await self.throttle.failures(keys)
        if account_failures >= limits.per_account or address_failures >= limits.per_address:
            await self._audit_failure(email, address, "throttled")
            raise SignInThrottled(
                "too many failed attempts; try again later", int(limits.window.total_seconds())
            )
        async with self.uow:
            user = await self.uow.accounts.user_by_email(email)
        if user is None:
            await self.hasher.verify_nothing(password)  # as long as a real account's answer
            matches = False
        else:
            matches = await self.hasher.verify(user.password_hash, password)
        if user is None or not matches or not self.policy.may_hold(user.email, user.role):
            await self.throttle.record_failure(keys, limits.window)
            await self._audit_failure(email, address, "refused")
            raise SignInRefused("wrong email or password")
        await self.throttle.clear(keys[0])
        token, token_digest = new_token()
        now = self.clock.now()
        async with self.uow:
            if self.hasher.needs_rehash(user.password_hash):
                await self.uow.accounts.set_password(user.id, await self.hasher.hash(password), now)
            await self.uow.accounts.add_session(token_digest, user.id, now)
            await self.uow.audit.record(
                AuditEntry(
                    user.email,
                    "console.sign_in",
                    f"user:{user.id}",
                    now,
                    after={"address": address},
                )
            )
            await self.uow.commit()
        return SignedIn(token, user)

    async def _audit_failure(self, email: str, address: str, outcome: str) -> None:
        async with self.uow:
            await self.uow.audit.record(
                AuditEntry(
                    email or "-",
                    "console.sign_in_failed",
                    "console",
                    self.clock.now(),
                    after={"address": address, "outcome": outcome},
                )
            )
            await self.uow.commit()


@dataclass(frozen=True, slots=True)
class CurrentUser:
    """The user behind a session token, or None when the session is unknown or ended (idle or
    absolute lifetime, sign-out, password change, removal). An ended session is deleted; a live
    one's last use is written at most once a minute."""

    uow: UnitOfWork
    clock: Clock
    policy: AccountsPolicy

    async def __call__(self, token: str) -> User | None:
        now = self.clock.now()
        token_digest = digest(token)
        async with self.uow:
            found = await self.uow.accounts.session(token_digest)
            if found is None:
                return None
            user = found.user
            if self.policy.lifetime.ended(found.created_at, found.last_seen_at, now) or (
                not self.policy.may_hold(user.email, user.role)
            ):
                await self.uow.accounts.end_session(token_digest)
                await self.uow.commit()
                return None
            if now - found.last_seen_at >= TOUCH_EVERY:
                await self.uow.accounts.touch_session(token_digest, now)
                await self.uow.commit()
        return user


@dataclass(frozen=True, slots=True)
class SignOut:
    """Ends this session (others stay). Audited."""

    uow: UnitOfWork
    clock: Clock

    async def __call__(self, token: str, user: User) -> None:
        now = self.clock.now()
        async with self.uow:
            await self.uow.accounts.end_session(digest(token))
            await self.uow.audit.record(
                AuditEntry(user.email, "console.sign_out", f"user:{user.id}", now)
            )
            await self.uow.commit()


def is_refusal(err: DomainError) -> bool:
    return isinstance(err, (SignInRefused, SignInThrottled))
