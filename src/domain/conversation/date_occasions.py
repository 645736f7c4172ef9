"""Dates named by occasion instead of by number: weekends, Christmas, New Year.

Decisions, all from the guest's point of view:

* "el finde" / "este finde" is Friday and Saturday nights (check-out Sunday). From Monday to
  Friday it is the coming (or current) Friday. On Saturday the weekend is already running, so it
  is tonight only (check-out Sunday). On Sunday the weekend is over: it means the next one.
* "el finde que viene" / "el próximo finde": on Monday–Thursday it is the same coming weekend
  (that is how it is said in Argentina mid-week); from Friday to Sunday it is next week's.
* "el finde largo", "carnaval", "semana santa": a long weekend, read against the holidays
  (see ``long_weekends``): never an ordinary Friday to Monday.
* "el finde del 19": the weekend (Friday to Sunday) that holds the 19th; asked back if the 19th
  is a weekday. "el 2do finde de enero", "el último finde de enero": counted by Saturdays, so the
  first weekend of a month is the one whose Saturday falls in it.
* "un finde", "algún finde", "los findes", "el finde de enero": no day to start from — ask.
* "navidad" / "nochebuena": the 24th and 25th nights (check-in 24 Dec, check-out 26 Dec).
* "año nuevo" / "fin de año": check-in 31 Dec and the nights are left open so the bot asks;
  people come for anything from one night to a week and there is no customary length to assume.

An explicit night count ("el finde, 3 noches") keeps the check-in and moves the check-out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.conversation.date_atoms import scan_atoms
from domain.conversation.date_query import DateAmbiguity, UnclearDates
from domain.conversation.date_resolution import resolve_start
from domain.conversation.lexicon import MONTHS
from domain.conversation.long_weekends import (
    long_weekend_holding,
    long_weekend_in_month,
    named_long_weekend,
    next_long_weekend,
)
from domain.pricing.holidays import HolidayCalendar, LongWeekend

_FRIDAY = 4
_SUNDAY = 6
_VAGUE_WEEKEND = frozenset({"un", "algun", "otro", "cualquier", "algunos"})
_VAGUE_PHRASES = (
    "semana que viene",
    "proxima semana",
    "otra semana",
    "esta semana",
    "estos dias",
    "unos dias",
    "algun dia",
    "las fiestas",
    "vacaciones",
)
_WEEKEND_ORDINALS = {
    "primer": 1,
    "primero": 1,
    "1": 1,
    "segundo": 2,
    "2": 2,
    "tercer": 3,
    "3": 3,
    "cuarto": 4,
    "4": 4,
    "ultimo": -1,
}
_CHRISTMAS = frozenset({"navidad", "nochebuena"})
_WISHES = (" feliz ", " felices ")
_NEW_YEAR = ("ano nuevo", "fin de ano", "nochevieja")


@dataclass(frozen=True, slots=True)
class Occasion:
    check_in: date
    check_out: date | None


def anchored_weekend(words: list[str], today: date, holidays: HolidayCalendar) -> Occasion | None:
    """A weekend pinned to a date ("el finde del 19") or counted in a month ("2do finde de
    enero"). Read before any other date, or "el 2 finde" would be taken for the 2nd."""
    if "finde" not in words:
        return None
    at = words.index("finde")
    long_weekend = words[at + 1 : at + 2] == ["largo"]
    after = at + (2 if long_weekend else 1)
    ordinal = _WEEKEND_ORDINALS.get(words[at - 1]) if at > 0 else None
    month = " ".join(words[after + 1 : after + 2]) if words[after : after + 1] == ["de"] else ""
    if ordinal is not None and month in MONTHS:
        if long_weekend:
            return _stay(long_weekend_in_month(MONTHS[month], today, holidays, ordinal), today)
        friday = _nth_weekend_friday(ordinal, MONTHS[month], today)
        return Occasion(max(friday, today), friday + timedelta(days=2))
    atoms = scan_atoms(words[after:]) if words[after : after + 1] == ["del"] else []
    if atoms and atoms[0].first == 1 and atoms[0].day is not None:
        day = resolve_start(atoms[0], today)
        if long_weekend:
            return _stay(long_weekend_holding(day, today, holidays), today)
        if day.weekday() < _FRIDAY:
            raise UnclearDates(DateAmbiguity.WEEKDAY_MISMATCH)
        friday = day - timedelta(days=day.weekday() - _FRIDAY)
        return Occasion(max(friday, today), friday + timedelta(days=2))
    return None


def occasion_in(words: list[str], today: date, holidays: HolidayCalendar) -> Occasion | None:
    text = f" {' '.join(words)} "
    if "findes" in words:
        raise UnclearDates(DateAmbiguity.VAGUE_PERIOD)
    if not any(wish in text for wish in _WISHES) and (
        named := named_long_weekend(words, today, holidays)
    ):
        return _stay(named, today)
    if "finde" in words:
        return _weekend(words, words.index("finde"), today, holidays)
    if any(word in _CHRISTMAS for word in words) and " feliz navidad " not in text:
        year = today.year if today <= date(today.year, 12, 24) else today.year + 1
        return Occasion(date(year, 12, 24), date(year, 12, 26))
    if any(f" {name} " in text for name in _NEW_YEAR) and " feliz ano " not in text:
        return Occasion(date(today.year, 12, 31), None)
    return None


def vagueness_in(words: list[str]) -> DateAmbiguity | None:
    """Talk of a period with no day in it: worth asking about rather than ignoring."""
    text = f" {' '.join(words)} "
    if any(f" {phrase} " in text for phrase in _VAGUE_PHRASES):
        return DateAmbiguity.VAGUE_PERIOD
    if any(word in MONTHS for word in words):
        return DateAmbiguity.MONTH_ONLY
    return None


def _weekend(words: list[str], at: int, today: date, holidays: HolidayCalendar) -> Occasion:
    before = words[at - 1] if at > 0 else ""
    after = words[at + 1 : at + 4]
    long_weekend = bool(after) and after[0] == "largo"
    rest = after[1:] if long_weekend else after
    months = [MONTHS[word] for word in after if word in MONTHS]
    if before in _VAGUE_WEEKEND or (months and not long_weekend):
        raise UnclearDates(DateAmbiguity.VAGUE_PERIOD)
    following = before in ("proximo", "siguiente") or rest[:2] == ["que", "viene"]
    following = following or (bool(rest) and rest[0] in ("proximo", "siguiente"))
    if long_weekend and months:  # "el finde largo de marzo"
        return _stay(long_weekend_in_month(months[0], today, holidays), today)
    if long_weekend:
        return _stay(next_long_weekend(today, holidays, following=following), today)
    friday = _friday_of(today, following=following)
    return Occasion(max(friday, today), friday + timedelta(days=2))


def _stay(weekend: LongWeekend, today: date) -> Occasion:
    """Every night of the long weekend still ahead: from its eve (or tonight, once under way)
    to its last day off."""
    return Occasion(max(weekend.first_night, today), weekend.last_day)


def _nth_weekend_friday(ordinal: int, month: int, today: date) -> date:
    for year in (today.year, today.year + 1):
        first = date(year, month, 1)
        saturdays = [first + timedelta(days=(5 - first.weekday()) % 7 + 7 * n) for n in range(5)]
        in_month = [saturday for saturday in saturdays if saturday.month == month]
        saturday = in_month[-1] if ordinal == -1 else in_month[ordinal - 1]
        if saturday >= today:
            return saturday - timedelta(days=1)
    raise UnclearDates(DateAmbiguity.PAST_DATE)


def _friday_of(today: date, *, following: bool) -> date:
    weekday = today.weekday()
    this_friday = today + timedelta(days=4 - weekday)  # in the past on Saturday and Sunday
    if weekday == _SUNDAY or (following and weekday >= _FRIDAY):
        return this_friday + timedelta(days=7)
    return this_friday
