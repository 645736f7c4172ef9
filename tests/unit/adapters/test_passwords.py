from __future__ import annotations

from adapters.security.passwords import Argon2Hasher


async def test_passwords_are_argon2id_hashes_that_verify_only_the_right_password() -> None:
    hasher = Argon2Hasher()
    stored = await hasher.hash("una frase larga y secreta")
    assert stored.startswith("$argon2id$")
    assert "una frase" not in stored
    assert await hasher.verify(stored, "una frase larga y secreta")
    assert not await hasher.verify(stored, "otra frase cualquiera")
    assert not await hasher.verify("not a hash", "una frase larga y secreta")
    assert not hasher.needs_rehash(stored)
    await hasher.verify_nothing("cualquiera")  # spends the time, decides nothing
