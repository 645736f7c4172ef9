"""What a message said about dates: a whole stay, part of one, or a question to ask back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.errors import InvalidValue
from domain.stay import Stay


class DateAmbiguity(StrEnum):
    """Why the dates cannot be read without asking; the value is a stable reason code."""

    RANGE_BACKWARDS = "range_backwards"
    """"del 10 al 5": the end comes first and is too far away to be a month crossing."""
    INVALID_DATE = "invalid_date"
    """"31/11", "30 de febrero", "12/15": no such day."""
    PAST_DATE = "past_date"
    """An explicit year that is already over ("15/3/2025")."""
    WEEKDAY_MISMATCH = "weekday_mismatch"
    """"el viernes 15" when the 15th is not a Friday."""
    NIGHTS_MISMATCH = "nights_mismatch"
    """"del 15 al 18, 2 noches": the range and the count disagree."""
    MULTIPLE_OPTIONS = "multiple_options"
    """"el 15 o el 22", "2 o 3 noches": the guest has not decided yet."""
    MONTH_ONLY = "month_only"
    """"en enero": which days?"""
    VAGUE_PERIOD = "vague_period"
    """"la semana que viene", "algún finde": no day to start from."""
    NO_LONG_WEEKEND = "no_long_weekend"
    """"el finde largo" with none in the coming weeks (or in the month or on the day named):
    asked, never quoted as an ordinary weekend."""


class UnclearDates(Exception):
    """Raised inside the date grammar to stop at the first thing that needs asking."""

    def __init__(self, reason: DateAmbiguity) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class DateQuery:
    """Dates read from one message. ``check_out`` is exclusive, as in ``Stay``.

    Shapes: a full stay (check_in, check_out and its nights); a check-in alone, maybe with
    nights (then check_out is filled in); nights alone; or an ambiguity, maybe with the nights
    that were clear. An ambiguous query never carries dates: half a guess is still a guess.
    """

    check_in: date | None = None
    check_out: date | None = None
    nights: int | None = None
    ambiguity: DateAmbiguity | None = None

    def __post_init__(self) -> None:
        if self.nights is not None and self.nights < 1:
            raise InvalidValue("a stay has at least one night")
        if self.check_out is not None:
            if self.check_in is None:
                raise InvalidValue("a check-out needs a check-in")
            if Stay(self.check_in, self.check_out).nights != self.nights:
                raise InvalidValue("nights must match the dates")
        if self.ambiguity is not None and self.check_in is not None:
            raise InvalidValue("an ambiguous date query carries no dates")
        if self.check_in is None and self.nights is None and self.ambiguity is None:
            raise InvalidValue("a date query says something")

    @classmethod
    def between(cls, check_in: date, check_out: date) -> DateQuery:
        return cls(check_in, check_out, (check_out - check_in).days)

    @classmethod
    def starting(cls, check_in: date, nights: int | None = None) -> DateQuery:
        if nights is None:
            return cls(check_in)
        return cls.between(check_in, check_in + timedelta(days=nights))

    @classmethod
    def lasting(cls, nights: int) -> DateQuery:
        return cls(nights=nights)

    @classmethod
    def unclear(cls, reason: DateAmbiguity, nights: int | None = None) -> DateQuery:
        return cls(nights=nights, ambiguity=reason)

    @property
    def is_complete(self) -> bool:
        """Enough to quote and hold: both ends are known."""
        return self.check_out is not None

    @property
    def stay(self) -> Stay | None:
        if self.check_in is None or self.check_out is None:
            return None
        return Stay(self.check_in, self.check_out)
