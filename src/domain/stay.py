"""A half-open stay ``[check_in, check_out)``: the check-out day is not a night."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from domain.errors import InvalidStay


@dataclass(frozen=True, slots=True, order=True)
class Stay:
    check_in: date
    check_out: date

    def __post_init__(self) -> None:
        if self.check_out <= self.check_in:
            raise InvalidStay(
                f"check_out ({self.check_out.isoformat()}) must be after "
                f"check_in ({self.check_in.isoformat()})"
            )

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days

    def each_night(self) -> Iterator[date]:
        """The dates whose night is sold: check-in up to, not including, check-out."""
        for offset in range(self.nights):
            yield self.check_in + timedelta(days=offset)

    def overlaps(self, other: Stay) -> bool:
        # Half-open ranges: a check-out on the other's check-in day is not an overlap.
        return self.check_in < other.check_out and other.check_in < self.check_out

    def contains_night(self, night: date) -> bool:
        return self.check_in <= night < self.check_out


def stay_span(stay: Stay) -> str:
    """The stay as guests read it on one line: ``22/12 al 24/12/2026`` (the year once, at the
    end, unless the stay crosses into the next)."""
    start, end = stay.check_in, stay.check_out
    first = f"{start:%d/%m}" if start.year == end.year else f"{start:%d/%m/%Y}"
    return f"{first} al {end:%d/%m/%Y}"
