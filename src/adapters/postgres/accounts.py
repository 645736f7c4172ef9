"""Users, invitations and sessions of the console on PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.postgres.driver import Driver, RawStatement
from adapters.postgres.tables import console_sessions, user_invitations, users
from application.ports.accounts import Invitation, PendingInvitation, SessionRecord, User
from domain.accounts import Role, UserExists

_U, _I, _S = users.c, user_invitations.c, console_sessions.c
# Every signed-in console request reads its session: on asyncpg directly
# (adapters/postgres/driver.py), outside any transaction unless one is open.
SESSION_RAW = RawStatement(
    select(
        _U.id, _U.email, _U.role, _U.password_hash, _U.created_at, _S.created_at, _S.last_seen_at
    )
    .join(console_sessions, _S.user_id == _U.id)
    .where(_S.token_digest == bindparam("token_digest"))
)


def _user(row: Any) -> User:
    return User(row.id, row.email, Role(row.role), row.password_hash, row.created_at)


class SqlAccountRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._driver = Driver(conn)

    async def user_by_email(self, email: str) -> User | None:
        row = (await self._conn.execute(select(users).where(_U.email == email))).first()
        return None if row is None else _user(row)

    async def user_by_id(self, user_id: int) -> User | None:
        row = (await self._conn.execute(select(users).where(_U.id == user_id))).first()
        return None if row is None else _user(row)

    async def users(self) -> list[User]:
        rows = await self._conn.execute(select(users).order_by(_U.role, _U.email))
        return [_user(r) for r in rows]

    async def count_owners(self) -> int:
        stmt = select(func.count()).select_from(users).where(_U.role == Role.OWNER.value)
        return int((await self._conn.execute(stmt)).scalar_one())

    async def add_user(self, email: str, role: Role, password_hash: str, now: datetime) -> User:
        stmt = (
            pg_insert(users)
            .values(
                email=email,
                role=role.value,
                password_hash=password_hash,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["email"])
            .returning(users)
        )
        row = (await self._conn.execute(stmt)).first()
        if row is None:
            raise UserExists("there is already a user with that email")
        return _user(row)

    async def set_password(self, user_id: int, password_hash: str, now: datetime) -> None:
        await self._conn.execute(
            update(users)
            .where(_U.id == user_id)
            .values(password_hash=password_hash, updated_at=now)
        )

    async def remove_user(self, user_id: int) -> bool:
        # Sessions go with the row (ON DELETE CASCADE); pending invitations for the email too.
        row = (
            await self._conn.execute(delete(users).where(_U.id == user_id).returning(_U.email))
        ).first()
        if row is None:
            return False
        await self._conn.execute(delete(user_invitations).where(_I.email == row.email))
        return True

    async def add_invitation(
        self, token_digest: str, invitation: Invitation, invited_by: str, now: datetime
    ) -> None:
        await self._conn.execute(
            insert(user_invitations).values(
                token_digest=token_digest,
                email=invitation.email,
                role=invitation.role.value,
                invited_by=invited_by,
                created_at=now,
                expires_at=invitation.expires_at,
            )
        )

    async def pending_invitations(self, now: datetime) -> list[PendingInvitation]:
        stmt = (
            select(_I.email, _I.role, _I.expires_at, _I.invited_by)
            .where(_I.used_at.is_(None), _I.expires_at > now)
            .order_by(_I.created_at.desc())
            .limit(200)
        )
        rows = await self._conn.execute(stmt)
        return [PendingInvitation(r.email, Role(r.role), r.expires_at, r.invited_by) for r in rows]

    async def revoke_invitations(self, email: str, now: datetime) -> int:
        stmt = (
            update(user_invitations)
            .where(_I.email == email, _I.used_at.is_(None), _I.expires_at > now)
            .values(expires_at=now)
            .returning(_I.token_digest)
        )
        return len((await self._conn.execute(stmt)).all())

    async def live_invitation(self, token_digest: str, now: datetime) -> Invitation | None:
        stmt = select(_I.email, _I.role, _I.expires_at).where(
            _I.token_digest == token_digest, _I.used_at.is_(None), _I.expires_at > now
        )
        row = (await self._conn.execute(stmt)).first()
        return None if row is None else Invitation(row.email, Role(row.role), row.expires_at)

    async def use_invitation(self, token_digest: str, now: datetime) -> Invitation | None:
        stmt = (
            update(user_invitations)
            .where(_I.token_digest == token_digest, _I.used_at.is_(None), _I.expires_at > now)
            .values(used_at=now)
            .returning(_I.email, _I.role, _I.expires_at)
        )
        row = (await self._conn.execute(stmt)).first()
        return None if row is None else Invitation(row.email, Role(row.role), row.expires_at)

    async def add_session(self, token_digest: str, user_id: int, now: datetime) -> None:
        await self._conn.execute(
            insert(console_sessions).values(
                token_digest=token_digest, user_id=user_id, created_at=now, last_seen_at=now
            )
        )

    async def session(self, token_digest: str) -> SessionRecord | None:
        db = await self._driver.plain()
        row = await db.fetchrow(SESSION_RAW.sql, *SESSION_RAW.args({"token_digest": token_digest}))
        if row is None:
            return None
        user_id, email, role, password_hash, created_at, s_created, last_seen_at = row
        return SessionRecord(
            User(user_id, email, Role(role), password_hash, created_at), s_created, last_seen_at
        )

    async def touch_session(self, token_digest: str, now: datetime) -> None:
        await self._conn.execute(
            update(console_sessions).where(_S.token_digest == token_digest).values(last_seen_at=now)
        )

    async def end_session(self, token_digest: str) -> None:
        await self._conn.execute(delete(console_sessions).where(_S.token_digest == token_digest))

    async def end_sessions_of(self, user_id: int, *, except_digest: str | None = None) -> int:
        stmt = delete(console_sessions).where(_S.user_id == user_id)
        if except_digest is not None:
            stmt = stmt.where(_S.token_digest != except_digest)
        result = await self._conn.execute(stmt.returning(_S.token_digest))
        return len(result.all())
