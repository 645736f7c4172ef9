"""Turn date atoms into calendar dates, the way the owner reads them on the phone.

Rules (each one is what a person means, not what is easiest to compute):

* A check-in never lies in the past, and a past one is never moved silently. A day and month
  without a year that went by less than ``RECENTLY_PASSED_DAYS`` (about two months) ago has
  *passed*: the guest mistyped or meant this week, so we say so (``PAST_DATE``) instead of
  quoting next year ("del 1 al 3 de diciembre" on 3 December, "del 10 al 12 de noviembre" on
  3 December). One that went by longer ago means next year ("15/3" in November is next
  March). A day without a month is its next occurrence, today included ("el 15" on the 20th is
  the 15th of next month). Dates in another year are always shown with it (see ``texts``).
* A weekday is its next occurrence after today: "el sábado" said on a Saturday is next week's,
  because today would have been "hoy".
* A check-out is read forward from the check-in: "del 30 de diciembre al 2 de enero" crosses
  the year, "del 28 al 3" crosses the month. A crossing we had to infer must stay short —
  ``MAX_INFERRED_MONTH_CROSSING`` nights when the month was implied, ``MAX_INFERRED_YEAR_CROSSING``
  when only the year was — otherwise the guest probably swapped the ends ("del 10 al 5"), and we
  ask instead of booking a month by accident.
* A day with a weekday ("el viernes 4") must agree with the calendar, or we ask.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from domain.conversation.date_atoms import Atom
from domain.conversation.date_query import DateAmbiguity, UnclearDates

MAX_INFERRED_MONTH_CROSSING = 14
MAX_INFERRED_YEAR_CROSSING = 62
RECENTLY_PASSED_DAYS = 60


def resolve_start(atom: Atom, today: date) -> date:
    if atom.offset is not None:
        return today + timedelta(days=atom.offset)
    if atom.day is None:
        return next_weekday(_weekday_of(atom), after=today)
    if atom.month is None:
        found = _next_day_of_month(atom.day, today)
    elif atom.year is not None:
        found = _calendar_date(atom.year, atom.month, atom.day)
        if found < today:
            raise UnclearDates(DateAmbiguity.PAST_DATE)
    else:
        found = _this_or_next_year(atom.month, atom.day, today)
    return _checked_weekday(atom, found)


def resolve_range(first: Atom, second: Atom, today: date) -> tuple[date, date]:
    """Check-in and check-out for "from ``first`` to ``second``"."""
    if first.day is not None and first.month is None and second.month is not None:
        return _anchored_on_end(first, second, today)
    if first.day is not None and first.month is not None and first.year is None and second.year:
        year = second.year - (1 if second.month is not None and first.month > second.month else 0)
        first = replace(first, year=year)
    check_in = resolve_start(first, today)
    return check_in, resolve_end(second, check_in, today)


def resolve_end(atom: Atom, check_in: date, today: date) -> date:
    if atom.offset is not None:
        found = today + timedelta(days=atom.offset)
    elif atom.day is None:
        found = next_weekday(_weekday_of(atom), after=check_in)
    elif atom.month is None:
        found = _same_or_next_month(atom.day, check_in)
        if found.month != check_in.month:
            _limit(check_in, found, MAX_INFERRED_MONTH_CROSSING)
    elif atom.year is None:
        found = _calendar_date(check_in.year, atom.month, atom.day)
        if found <= check_in:
            found = _calendar_date(check_in.year + 1, atom.month, atom.day)
            _limit(check_in, found, MAX_INFERRED_YEAR_CROSSING)
    else:
        found = _calendar_date(atom.year, atom.month, atom.day)
    if found <= check_in:
        raise UnclearDates(DateAmbiguity.RANGE_BACKWARDS)
    return _checked_weekday(atom, found)


def next_weekday(weekday: int, *, after: date) -> date:
    """The first ``weekday`` strictly after ``after``."""
    return after + timedelta(days=(weekday - after.weekday() - 1) % 7 + 1)


def _anchored_on_end(first: Atom, second: Atom, today: date) -> tuple[date, date]:
    """The month is written once, at the end ("del 15 al 18 de diciembre", "del 28 al 3 de
    enero"), so the end fixes the calendar and the start is the latest such day before it."""
    assert first.day is not None
    assert second.day is not None
    assert second.month is not None
    years = [second.year] if second.year is not None else [today.year, today.year + 1]
    for year in years:
        check_out = _calendar_date(year, second.month, second.day)
        if first.day < second.day:
            check_in = _calendar_date(year, second.month, first.day)
        else:
            last_month = check_out.replace(day=1) - timedelta(days=1)
            check_in = _calendar_date(last_month.year, last_month.month, first.day)
            _limit(check_in, check_out, MAX_INFERRED_MONTH_CROSSING)
        if check_in >= today:
            return _checked_weekday(first, check_in), _checked_weekday(second, check_out)
        _unless_recently_passed(check_in, today)
    raise UnclearDates(DateAmbiguity.PAST_DATE)


def _next_day_of_month(day: int, today: date) -> date:
    year, month = today.year, today.month
    for _ in range(13):
        try:
            found = date(year, month, day)
        except ValueError:
            found = None
        if found is not None and found >= today:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise UnclearDates(DateAmbiguity.INVALID_DATE)


def _same_or_next_month(day: int, check_in: date) -> date:
    if day > check_in.day:
        try:
            return date(check_in.year, check_in.month, day)
        except ValueError:
            pass
    first_of_next = (check_in.replace(day=28) + timedelta(days=4)).replace(day=1)
    return _calendar_date(first_of_next.year, first_of_next.month, day)


def _this_or_next_year(month: int, day: int, today: date) -> date:
    for year in (today.year, today.year + 1):
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        if found >= today:
            return found
        _unless_recently_passed(found, today)
    raise UnclearDates(DateAmbiguity.INVALID_DATE)


def _unless_recently_passed(day: date, today: date) -> None:
    """A day that went by lately is a past date, not next year's (module rules)."""
    if 0 < (today - day).days <= RECENTLY_PASSED_DAYS:
        raise UnclearDates(DateAmbiguity.PAST_DATE)


def _calendar_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise UnclearDates(DateAmbiguity.INVALID_DATE) from None


def _limit(check_in: date, check_out: date, most_nights: int) -> None:
    if (check_out - check_in).days > most_nights:
        raise UnclearDates(DateAmbiguity.RANGE_BACKWARDS)


def _checked_weekday(atom: Atom, found: date) -> date:
    if atom.weekday is not None and atom.day is not None and found.weekday() != atom.weekday:
        raise UnclearDates(DateAmbiguity.WEEKDAY_MISMATCH)
    return found


def _weekday_of(atom: Atom) -> int:
    if atom.weekday is None:
        raise UnclearDates(DateAmbiguity.INVALID_DATE)
    return atom.weekday
