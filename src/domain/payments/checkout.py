"""What a Mercado Pago checkout pays for, told by its ``external_reference``: the booking's
code alone for the deposit (as every link before the balance had), ``CODE:balance`` for the
balance. A notification's payment is matched to its booking and purpose by this alone."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CheckoutPurpose(StrEnum):
    DEPOSIT = "deposit"
    BALANCE = "balance"


_SEPARATOR = ":"


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
