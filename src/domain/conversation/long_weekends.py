"""Long weekends a guest names ("el finde largo", "carnaval", "semana santa"), read against the
holidays the business observes — the calendar pricing uses, handed in by the caller: the domain
never computes a country's holidays (see ``domain.pricing.holidays``).

Decisions, from the guest's point of view:

* A long weekend is a run of three or more days off (a weekend joined to a holiday on Friday or
  Monday, or to a bridge day, "feriado puente"). Its stay is every night of it: check-in on the
  eve of its first day off, check-out on its last (``LongWeekend``). Sat 5 – Tue 8 December 2026
  (Monday a bridge day, Tuesday a holiday) is check-in Friday 4, check-out Tuesday 8.
* "el finde largo" is the next one with a night left: one under way is tonight to its end. It
  is looked for within ``LONG_WEEKEND_LOOKAHEAD``; with none that close we ask back rather
  than quote an ordinary weekend ("el finde largo" in August means nothing yet).
* "el próximo finde largo" / "el finde largo que viene": the same, except that one already
  under way (its first night has passed, or is tonight) means the one after.
* "el finde largo de marzo": the one starting in the next March; two in that month are asked
  about, none is said. "el finde largo del 24": the one that holds the 24th.
* "carnaval" and "semana santa" / "pascua": the long weekend holding Carnival Monday, or Good
  Friday, this year's while a night of it is left, else next year's. Their dates follow Easter,
  computed here; whether those days are off, and how long the weekend is, is the calendar's.
* "el feriado", "este feriado", "el próximo feriado", "el puente", "el finde del feriado",
  "el feriado largo": what guests call a long weekend (``as_long_weekend``), read exactly as
  "el finde largo" ("el próximo feriado" as "el próximo finde largo", "el feriado de marzo" as
  "el finde largo de marzo"), never as an ordinary weekend. A lone midweek holiday is not a
  stay anyone asks for by that name: they mean the next days off worth travelling for. Only
  these phrases count: "cerca del puente" or "los feriados" say nothing about dates.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from domain.conversation.date_query import DateAmbiguity, UnclearDates
from domain.pricing.holidays import HolidayCalendar, LongWeekend

LONG_WEEKEND_LOOKAHEAD = timedelta(weeks=6)
# How far ahead a named long weekend is looked for: the holidays handed in must reach this far
# from today (next year's Carnival or Easter, asked about just after this year's).
HOLIDAYS_AHEAD = timedelta(days=400)
_CARNIVAL_MONDAY = -48  # days from Easter Sunday
_GOOD_FRIDAY = -2
_EASTER_WORDS = frozenset({"pascua", "pascuas"})
# Rewritten in this order, on normalized words: the weekend of the holiday first, so that
# "el finde del feriado" is not read as "el finde" + "el finde largo".
_LONG_WEEKEND_NAMES = (
    (re.compile(r"\bfinde (?:del|de) (?:feriado|puente)\b"), "finde largo"),
    (re.compile(r"\b(?:feriado|finde) (?:largo|puente)\b"), "finde largo"),
    (
        re.compile(r"\b(el|este|ese|proximo|siguiente|un|algun|otro) (?:feriado|puente)\b"),
        r"\1 finde largo",
    ),
)


def as_long_weekend(words: list[str]) -> list[str]:
    """The message's words with a long weekend's other names ("el feriado", "el puente", "el
    finde del feriado") written as "finde largo" (module docstring)."""
    if "feriado" not in words and "puente" not in words:
        return words
    text = " ".join(words)
    for pattern, replacement in _LONG_WEEKEND_NAMES:
        text = pattern.sub(replacement, text)
    return text.split()


def next_long_weekend(today: date, holidays: HolidayCalendar, *, following: bool) -> LongWeekend:
    ahead = holidays.long_weekends(today, today + LONG_WEEKEND_LOOKAHEAD)
    for weekend in ahead:
        started = weekend.first_night <= today if following else weekend.last_night < today
        if not started:
            return weekend
    raise UnclearDates(DateAmbiguity.NO_LONG_WEEKEND)


def long_weekend_in_month(
    month: int, today: date, holidays: HolidayCalendar, ordinal: int | None = None
) -> LongWeekend:
    """The long weekend that starts in the next ``month`` with a night left (``ordinal``: the
    first, second… or -1 for the last of that month's)."""
    year = today.year if date(today.year, month, 1) >= today.replace(day=1) else today.year + 1
    first = date(year, month, 1)
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    found = [
        w
        for w in holidays.long_weekends(first, last)
        if w.first_day.month == month and w.last_night >= today
    ]
    if ordinal is not None:
        index = ordinal - 1 if ordinal > 0 else ordinal
        if -len(found) <= index < len(found):
            return found[index]
        raise UnclearDates(DateAmbiguity.NO_LONG_WEEKEND)
    if len(found) > 1:
        raise UnclearDates(DateAmbiguity.MULTIPLE_OPTIONS)
    if not found:
        raise UnclearDates(DateAmbiguity.NO_LONG_WEEKEND)
    return found[0]


def long_weekend_holding(day: date, today: date, holidays: HolidayCalendar) -> LongWeekend:
    """The long weekend whose days off or nights include ``day``."""
    weekend = holidays.long_weekend_of_night(day - timedelta(days=1))
    weekend = weekend or holidays.long_weekend_of_night(day)
    if weekend is None or weekend.last_night < today:
        raise UnclearDates(DateAmbiguity.NO_LONG_WEEKEND)
    return weekend


def named_long_weekend(
    words: list[str], today: date, holidays: HolidayCalendar
) -> LongWeekend | None:
    """Carnival's or Easter's long weekend when the message names one; None when it names
    neither."""
    text = f" {' '.join(words)} "
    if "carnaval" in words:
        offset = _CARNIVAL_MONDAY
    elif " semana santa " in text or _EASTER_WORDS & set(words):
        offset = _GOOD_FRIDAY
    else:
        return None
    for year in (today.year, today.year + 1):
        day = easter(year) + timedelta(days=offset)
        weekend = holidays.long_weekend_of_night(day - timedelta(days=1))
        if weekend is not None and weekend.last_night >= today:
            return weekend
    raise UnclearDates(DateAmbiguity.NO_LONG_WEEKEND)


def easter(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    week = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * week) // 451
    month, day = divmod(h + week - 7 * m + 114, 31)
    return date(year, month, day + 1)
