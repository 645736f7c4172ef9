"""How every page and message writes money: "$", a no-break space (U+00A0, so a phone never
ends a line between them) and the amount. ``f"{PESO}30.000"`` is ``$ 30.000`` as sent."""

from __future__ import annotations

PESO = "$\u00a0"


def pesos(amount: int) -> str:
    """``pesos(30_000)`` → ``$ 30.000`` (whole pesos, Argentine thousands)."""
    return PESO + f"{amount:,}".replace(",", ".")
