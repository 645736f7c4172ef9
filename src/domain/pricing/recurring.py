"""Day-and-month ranges that recur every year, wrapping the new year (15/12–28/02)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from domain.pricing.errors import InvalidPriceRule

# A leap year: 29/02 is a valid day-month; in other years no night falls on it.
_LEAP_YEAR = 2000
_FEBRUARY_28, _FEBRUARY_29 = (2, 28), (2, 29)
_LEAP_YEAR_NIGHTS = tuple(date(_LEAP_YEAR, 1, 1) + timedelta(days=i) for i in range(366))


@dataclass(frozen=True, slots=True, order=True)
class DayMonth:
    month: int
    day: int

    def __post_init__(self) -> None:
        try:
            date(_LEAP_YEAR, self.month, self.day)
        except (TypeError, ValueError) as exc:
            raise InvalidPriceRule(f"not a day of the year: {self.day}/{self.month}") from exc

    @classmethod
    def parse(cls, text: str) -> DayMonth:
        """``"15/12"`` (day first, as written in Argentina)."""
        day, sep, month = text.strip().partition("/")
        if not sep or not day.isdigit() or not month.isdigit():
            raise InvalidPriceRule(f"a day of the year is written dd/mm, got {text!r}")
        return cls(int(month), int(day))

    @classmethod
    def of(cls, night: date) -> DayMonth:
        return cls(night.month, night.day)

    def __str__(self) -> str:
        return f"{self.day:02d}/{self.month:02d}"


@dataclass(frozen=True, slots=True)
class RecurringRange:
    """The nights from ``first`` to ``last``, both included, every year. ``last`` before
    ``first`` wraps the new year: 15/12–28/02 covers December's second half and all of January
    and February.

    A range ending on 28/02 means "to the end of February": it covers 29/02 in leap years.
    """

    first: DayMonth
    last: DayMonth

    @classmethod
    def parse(cls, first: str, last: str) -> RecurringRange:
        return cls(DayMonth.parse(first), DayMonth.parse(last))

    @property
    def wraps(self) -> bool:
        return self.last < self.first

    def contains(self, night: date) -> bool:
        key = (night.month, night.day)
        first = (self.first.month, self.first.day)
        last = (self.last.month, self.last.day)
        if last == _FEBRUARY_28:
            last = _FEBRUARY_29
        if first <= last:
            return first <= key <= last
        return key >= first or key <= last

    def days(self) -> frozenset[DayMonth]:
        """Every day-month covered (of a leap year: 366 at most). Remembered: price lists are
        validated whenever they are built, and the same few ranges recur."""
        return _days(self)

    def __str__(self) -> str:
        return f"{self.first}–{self.last}"


@lru_cache(maxsize=1024)
def _days(dates: RecurringRange) -> frozenset[DayMonth]:
    return frozenset(DayMonth.of(night) for night in _LEAP_YEAR_NIGHTS if dates.contains(night))
