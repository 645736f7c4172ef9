"""Reservation codes: unguessable, short, and readable over the phone.

Crockford base32 (no I, L, O, U): 12 symbols = 60 bits from the OS CSPRNG. Shown as
``XXXX-XXXX-XXXX``; parsing forgives case, dashes, spaces and the look-alikes I/L→1, O→0.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from domain.errors import InvalidValue

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # pragma: allowlist secret
CODE_LENGTH = 12
BITS_OF_ENTROPY = CODE_LENGTH * 5
LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})
_CANONICAL = re.compile(f"[{ALPHABET}]{{{CODE_LENGTH}}}")
# Two symbols for every 10 bits, the lower 5 bits' first.
_PAIRS = tuple(ALPHABET[v & 31] + ALPHABET[v >> 5] for v in range(1024))


@dataclass(frozen=True, slots=True)
class ReservationCode:
    value: str

    def __post_init__(self) -> None:
        if not _CANONICAL.fullmatch(self.value):
            raise InvalidValue("a reservation code is 12 characters of Crockford base32")

    @classmethod
    def generate(cls) -> ReservationCode:
        # 60 random bits in one draw, read 5 at a time: 32 symbols = 2**5, so each is uniform
        # (one call to the OS CSPRNG instead of twelve; this runs for every booking).
        # Symbol i is bits 5i..5i+4, written two at a time.
        bits = secrets.randbits(BITS_OF_ENTROPY)
        p = _PAIRS
        return cls(
            p[bits & 1023]
            + p[bits >> 10 & 1023]
            + p[bits >> 20 & 1023]
            + p[bits >> 30 & 1023]
            + p[bits >> 40 & 1023]
            + p[bits >> 50 & 1023]
        )

    @classmethod
    def parse(cls, text: str) -> ReservationCode:
        cleaned = text.upper().replace("-", "").replace(" ", "").translate(LOOKALIKES)
        return cls(cleaned)

    @property
    def display(self) -> str:
        v = self.value
        return f"{v[0:4]}-{v[4:8]}-{v[8:12]}"

    def __str__(self) -> str:
        return self.value
