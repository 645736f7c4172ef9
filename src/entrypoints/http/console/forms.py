"""Reading HTML forms: text fields trimmed to a bound, never an exception for odd input (the
page re-renders with the field named instead)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from litestar import Request

# What of a field longer than its bound is kept to show back to be shortened (``too_long``).
KEPT = 5_000


@dataclass(frozen=True, slots=True)
class Form:
    values: dict[str, str]

    def text(self, name: str, max_length: int) -> str:
        return self.values.get(name, "").strip()[:max_length]

    def too_long(self, name: str, max_length: int) -> str | None:
        """The Spanish error for a field longer than ``max_length`` (``text`` would cut it,
        and a cut name or note saved with "Listo" is a surprise), or None."""
        length = len(self.values.get(name, "").strip())
        if length <= max_length:
            return None
        return f"Puede tener hasta {max_length} caracteres (tiene {length}): acortalo."

    def day(self, name: str) -> date | None:
        try:
            return date.fromisoformat(self.values.get(name, "").strip())
        except ValueError:
            return None

    def integer(self, name: str) -> int | None:
        raw = self.values.get(name, "").strip()
        return int(raw) if raw.isdigit() and len(raw) < 10 else None

    def amount(self, name: str) -> Decimal | None:
        """Pesos as people write them here: ``45.000``, ``45000``, ``1.234,50``, ``$ 99,5``
        (a lone dot followed by other than three digits is a decimal point: ``99.5``)."""
        return parse_amount(self.values.get(name, ""))

    def checked(self, name: str) -> bool:
        return name in self.values


_AMOUNT = re.compile(r"\d{1,3}(\.\d{3})+(,\d{1,2})?|\d+(,\d{1,2})?|\d+\.\d{1,2}")


def parse_amount(raw: str) -> Decimal | None:
    text = raw.strip().removeprefix("$").strip().replace(" ", "")
    if not _AMOUNT.fullmatch(text):
        return None
    if "," in text or text.count(".") > 1 or re.fullmatch(r"\d{1,3}\.\d{3}", text):
        text = text.replace(".", "").replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


async def read_form(request: Request[Any, Any, Any]) -> Form:
    form = await request.form()
    return Form({k: v for k, v in form.items() if isinstance(v, str)})
