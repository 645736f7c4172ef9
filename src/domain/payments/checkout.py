"""What a Mercado Pago checkout pays for, told by its ``external_reference``: the booking's
code alone for the deposit (as every link before the balance had), ``CODE:balance`` for the
balance. A notification's payment is matched to its booking and purpose by this alone."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.stay import Stay, stay_span


class CheckoutPurpose(StrEnum):
    DEPOSIT = "deposit"
    BALANCE = "balance"


_SEPARATOR = ":"

# The item's title is all the buyer reads of what they pay on Mercado Pago's checkout. Its
# preference contract names no length; we keep to 256 characters, the most its other item
# fields take, cutting the cabin's name (the one part of unbounded length) if need be.
MAX_TITLE = 256
_TITLE_WORD = {CheckoutPurpose.DEPOSIT: "Seña", CheckoutPurpose.BALANCE: "Saldo"}


def checkout_title(purpose: CheckoutPurpose, cabin: str, stay: Stay, code: str) -> str:
    """``Seña · Cabaña del Bosque · 22/12 al 24/12/2026 · 19C2-FR31-4KY7``: what is paid, for
    which cabin and nights, and the booking's code (``code`` as the guest reads it)."""
    word, dates = _TITLE_WORD[purpose], stay_span(stay)
    room = MAX_TITLE - len(f"{word} ·  · {dates} · {code}")
    name = " ".join(cabin.split())
    if len(name) > room:
        name = name[: room - 1].rstrip() + "…"
    parts = (word, name, dates, code) if name else (word, dates, code)
    return " · ".join(parts)


def checkout_reference(code: str, purpose: CheckoutPurpose) -> str:
    return code if purpose is CheckoutPurpose.DEPOSIT else f"{code}{_SEPARATOR}{purpose.value}"


@dataclass(frozen=True, slots=True)
class CheckoutReference:
    code: str
    purpose: CheckoutPurpose

    @classmethod
    def parse(cls, reference: str) -> CheckoutReference | None:
        """None for a reference that is not one of ours (another purpose, garbage)."""
        code, sep, purpose = reference.partition(_SEPARATOR)
        if not sep:
            return cls(code, CheckoutPurpose.DEPOSIT)
        try:
            parsed = CheckoutPurpose(purpose)
        except ValueError:
            return None
        if parsed is CheckoutPurpose.DEPOSIT:
            return None  # the deposit's reference is the bare code
        return cls(code, parsed)
