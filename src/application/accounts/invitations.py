"""Inviting a person and their first password."""

from __future__ import annotations

from dataclasses import dataclass

from application.accounts.policy import AccountsPolicy, digest, new_token
from application.ports.accounts import Invitation, PasswordHasher, PendingInvitation, User
from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWork
from domain.accounts import (
    INVITATION_VALID,
    InvitationInvalid,
    OwnerNotAllowed,
    Role,
    UserExists,
    check_new_password,
    normalize_email,
)
from domain.errors import NotFound


class InvitationNotFound(NotFound):
    code = "invitation_not_found"


@dataclass(frozen=True, slots=True)
class InviteUser:
    """Rules: a valid email not already a user; an owner must be in ADMIN_ALLOWED_EMAILS; the
    link works once within 24 h; only its digest is stored. Audited. Returns the token."""

    uow: UnitOfWork
    clock: Clock
    policy: AccountsPolicy

    async def __call__(self, raw_email: str, role: Role, actor: str) -> str:
        email = normalize_email(raw_email)
        if not self.policy.may_hold(email, role):
            raise OwnerNotAllowed("an owner's email must be listed in ADMIN_ALLOWED_EMAILS")
        now = self.clock.now()
        token, token_digest = new_token()
        async with self.uow:
            if await self.uow.accounts.user_by_email(email) is not None:
                raise UserExists("there is already a user with that email")
            invitation = Invitation(email, role, now + INVITATION_VALID)
            await self.uow.accounts.add_invitation(token_digest, invitation, actor, now)
            await self.uow.audit.record(
                AuditEntry(
                    actor,
                    "user.invite",
                    "invitation",
                    now,
                    after={"email": email, "role": role.value},
                )
            )
            await self.uow.commit()
        return token


@dataclass(frozen=True, slots=True)
class ShowInvitation:
    """The invitation a link stands for, while it can still be used."""

    uow: UnitOfWork
    clock: Clock

    async def __call__(self, token: str) -> Invitation:
        async with self.uow:
            found = await self.uow.accounts.live_invitation(digest(token), self.clock.now())
        if found is None:
            raise InvitationInvalid("this invitation link is unknown, used or expired")
        return found


@dataclass(frozen=True, slots=True)
class AcceptInvitation:
    """Rules: the link is live and is used up here (one transaction with the new user, so two
    tabs cannot both use it); the password follows ``check_new_password``; an owner must still
    be in ADMIN_ALLOWED_EMAILS. Audited."""

    uow: UnitOfWork
    clock: Clock
    hasher: PasswordHasher
    policy: AccountsPolicy

    async def __call__(self, token: str, password: str) -> User:
        now = self.clock.now()
        async with self.uow:
            live = await self.uow.accounts.live_invitation(digest(token), now)
            if live is None:
                raise InvitationInvalid("this invitation link is unknown, used or expired")
            check_new_password(password, live.email)
            if not self.policy.may_hold(live.email, live.role):
                raise OwnerNotAllowed("an owner's email must be listed in ADMIN_ALLOWED_EMAILS")
            password_hash = await self.hasher.hash(password)
            used = await self.uow.accounts.use_invitation(digest(token), now)
            if used is None:
                raise InvitationInvalid("this invitation link is unknown, used or expired")
            user = await self.uow.accounts.add_user(used.email, used.role, password_hash, now)
            await self.uow.audit.record(
                AuditEntry(
                    user.email,
                    "user.create",
                    f"user:{user.id}",
                    now,
                    after={"role": user.role.value},
                )
            )
            await self.uow.commit()
        return user


@dataclass(frozen=True, slots=True)
class ListPendingInvitations:
    """The invitations not used yet and still valid: who was invited, as what, until when."""

    uow: UnitOfWork
    clock: Clock

    async def __call__(self) -> list[PendingInvitation]:
        async with self.uow:
            return await self.uow.accounts.pending_invitations(self.clock.now())


@dataclass(frozen=True, slots=True)
class RevokeInvitations:
    """Rules: the invitations for that email not used yet stop working now (an invitation
    sent to the wrong address, or to someone who should not come in after all); nothing to
    revoke is ``InvitationNotFound``. Audited."""

    uow: UnitOfWork
    clock: Clock

    async def __call__(self, raw_email: str, actor: str) -> int:
        email = normalize_email(raw_email)
        now = self.clock.now()
        async with self.uow:
            count = await self.uow.accounts.revoke_invitations(email, now)
            if not count:
                raise InvitationNotFound("no pending invitation for that email")
            await self.uow.audit.record(
                AuditEntry(
                    actor, "user.invitation_revoke", "invitation", now, after={"email": email}
                )
            )
            await self.uow.commit()
        return count
