"""How long to wait before trying again: the one backoff rule for webhook deliveries and the
outbox alike (each with its own first wait and ceiling)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

# 2**30 times any first wait is far past any ceiling; bounding the exponent keeps a runaway
# attempt count from overflowing timedelta.
_MAX_DOUBLINGS = 30


@dataclass(frozen=True, slots=True)
class Backoff:
    """After the nth failed attempt, wait ``first`` × 2^(n-1), never more than ``cap``."""

    first: timedelta
    cap: timedelta

    def after(self, attempts: int) -> timedelta:
        doublings = min(max(attempts - 1, 0), _MAX_DOUBLINGS)
        return min(self.first * (1 << doublings), self.cap)

    def schedule(self, attempts: int) -> list[timedelta]:
        """The waits after each of the first ``attempts`` failures."""
        return [self.after(n) for n in range(1, attempts + 1)]
