"""The owner's list of people, removing one, and anyone changing their own password."""

from __future__ import annotations

from dataclasses import dataclass

from application.accounts.policy import digest
from application.ports.accounts import PasswordHasher, User
from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWork
from domain.accounts import LastOwner, Role, UserNotFound, check_new_password
from domain.errors import RuleViolation


class WrongPassword(RuleViolation):
    code = "wrong_password"
    field = "current_password"


@dataclass(frozen=True, slots=True)
class ListUsers:
    uow: UnitOfWork

    async def __call__(self) -> list[User]:
        async with self.uow:
            return await self.uow.accounts.users()


@dataclass(frozen=True, slots=True)
class RemoveUser:
    """Rules: the last owner cannot be removed (nobody could invite again without a
    terminal); removal ends every session of that person at once. Audited."""

    uow: UnitOfWork
    clock: Clock

    async def __call__(self, user_id: int, actor: str) -> User:
        now = self.clock.now()
        async with self.uow:
            user = await self.uow.accounts.user_by_id(user_id)
            if user is None:
                raise UserNotFound("no user with that id")
            if user.role is Role.OWNER and await self.uow.accounts.count_owners() <= 1:
                raise LastOwner("the last owner cannot be removed")
            await self.uow.accounts.remove_user(user_id)
            await self.uow.audit.record(
                AuditEntry(
                    actor,
                    "user.remove",
                    f"user:{user_id}",
                    now,
                    before={"email": user.email, "role": user.role.value},
                )
            )
            await self.uow.commit()
        return user


@dataclass(frozen=True, slots=True)
class ChangePassword:
    """Rules: the current password must be given and right; the new one follows
    ``check_new_password``; every other session of the person ends (the one in use stays).
    Audited."""

    uow: UnitOfWork
    clock: Clock
    hasher: PasswordHasher

    async def __call__(self, user: User, current: str, new: str, session_token: str) -> int:
        if not await self.hasher.verify(user.password_hash, current):
            raise WrongPassword("the current password is not right")
        check_new_password(new, user.email)
        password_hash = await self.hasher.hash(new)
        now = self.clock.now()
        async with self.uow:
            await self.uow.accounts.set_password(user.id, password_hash, now)
            ended = await self.uow.accounts.end_sessions_of(
                user.id, except_digest=digest(session_token)
            )
            await self.uow.audit.record(
                AuditEntry(
                    user.email,
                    "user.password_change",
                    f"user:{user.id}",
                    now,
                    after={"sessions_ended": ended},
                )
            )
            await self.uow.commit()
        return ended
