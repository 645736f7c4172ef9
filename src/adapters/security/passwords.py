"""argon2id password hashes (argon2-cffi's RFC 9106 low-memory profile), computed off the event
loop."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher as Argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2Hasher:
    def __init__(self, hasher: Argon2 | None = None) -> None:
        self._argon2 = hasher or Argon2()  # argon2id, t=3, m=64 MiB, p=4
        self._stand_in = self._argon2.hash("stand-in for unknown accounts")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._argon2.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        return await asyncio.to_thread(self._check, password_hash, password)

    async def verify_nothing(self, password: str) -> None:
        await asyncio.to_thread(self._check, self._stand_in, password)

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._argon2.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def _check(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
