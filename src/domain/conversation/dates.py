"""Read the dates of a stay out of a guest's message, relative to Argentina's "today".

The caller passes ``today`` (the local date in Argentina, from the clock port): the domain never
reads the system clock. What comes back is a ``DateQuery``: a full stay, a partial one (check-in
or nights only), an ambiguity with a reason code to ask back about, or ``None`` when the message
says nothing about dates.

Order of reading, most explicit first:

1. Written dates — numbers, month names, weekdays, "hoy"/"mañana" (see ``date_atoms`` and the
   rules in ``date_resolution``). One is a check-in; two are a range; two joined by "o" or more
   than two are options the guest has not settled, so we ask. Two days joined by a bare "y"
   ("viernes y sábado", "el 15 y el 16") list the nights, so the check-out is the day after the
   second — unless the sentence opened with "entre".
2. Occasions — weekends and holidays (see ``date_occasions``); a weekend pinned to a day or
   counted in a month ("el finde del 19", "el 2do finde de enero") is read before step 1. Long
   weekends are read against ``holidays``, the dates the business observes (the pricing's
   calendar, reaching ``long_weekends.HOLIDAYS_AHEAD`` from today); without it, "el finde
   largo" is asked back. "el feriado", "el puente" and "el finde del feriado" are "el finde
   largo" (``long_weekends.as_long_weekend``, applied first).
3. Vague periods and a lone month ("en enero") — asked back.
4. A night count alone ("3 noches", "una semana", "un par de noches").

A night count next to a range must agree with it, or we ask (``NIGHTS_MISMATCH``); next to a
check-in or an occasion it sets the check-out. "N días" is not read as nights: whether three days
are two or three nights is exactly what the guest should be asked.
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.conversation.date_atoms import Atom, scan_atoms
from domain.conversation.date_occasions import anchored_weekend, occasion_in, vagueness_in
from domain.conversation.date_query import DateAmbiguity, DateQuery, UnclearDates
from domain.conversation.date_resolution import resolve_range, resolve_start
from domain.conversation.lexicon import MONTHS, count_of
from domain.conversation.long_weekends import as_long_weekend
from domain.conversation.normalize import normalize
from domain.pricing.holidays import HolidayCalendar

__all__ = ["DateAmbiguity", "DateQuery", "dates_in", "read_dates"]

MAX_NIGHTS_MENTIONED = 90  # "200 noches" is a typo or a joke, not a stay to quote
_NIGHT_WORDS = frozenset({"noche", "noches"})
_WEEK_WORDS = frozenset({"semana", "semanas"})
_OR_WORDS = frozenset({"o", "u"})


_NO_HOLIDAYS = HolidayCalendar()


def read_dates(
    text: str, today: date, holidays: HolidayCalendar = _NO_HOLIDAYS
) -> DateQuery | None:
    """Dates in a raw message (normalizes it first)."""
    return dates_in(normalize(text).split(), today, holidays)


def dates_in(
    words: list[str], today: date, holidays: HolidayCalendar = _NO_HOLIDAYS
) -> DateQuery | None:
    """Dates in an already normalized message, split into words."""
    words = named_month(as_long_weekend(words), today)
    nights: int | None = None
    try:
        nights = nights_in(words)
        if weekend := anchored_weekend(words, today, holidays):
            return _from_occasion(weekend.check_in, weekend.check_out, nights)
        atoms = scan_atoms(words)
        if atoms and atoms[0].is_end:
            atoms = atoms[1:]  # "hasta el 5" alone: a check-out without a check-in says nothing
        if atoms:
            return _from_atoms(atoms, words, today, nights)
        if occasion := occasion_in(words, today, holidays):
            return _from_occasion(occasion.check_in, occasion.check_out, nights)
        if vague := vagueness_in(words):
            return DateQuery.unclear(vague, nights)
    except UnclearDates as unclear:
        contradicted = unclear.reason is DateAmbiguity.NIGHTS_MISMATCH
        return DateQuery.unclear(unclear.reason, None if contradicted else nights)
    return DateQuery.lasting(nights) if nights is not None else None


# "del mes que viene", "el mes próximo", "el próximo mes", "el mes siguiente"; "de este mes".
_RELATIVE_MONTHS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("mes", "que", "viene"), 1),
    (("mes", "proximo"), 1),
    (("proximo", "mes"), 1),
    (("mes", "siguiente"), 1),
    (("siguiente", "mes"), 1),
    (("este", "mes"), 0),
)
_MONTH_NAMES = {number: name for name, number in MONTHS.items()}


def named_month(words: list[str], today: date) -> list[str]:
    """Days said of a month by its place ("del 15 al 18 del mes que viene", "el mes que viene
    del 15 al 18", "el 20 de este mes") read as days of that month: the phrase is taken out
    and the month's name set after the last day. Left as written when a day already has its
    month or weekday, or when no day is said."""
    for phrase, ahead in _RELATIVE_MONTHS:
        size = len(phrase)
        at = next(
            (i for i in range(len(words) - size + 1) if tuple(words[i : i + size]) == phrase),
            None,
        )
        if at is None:
            continue
        start = at - 1 if at > 0 and words[at - 1] in ("del", "de", "el") else at
        rest = words[:start] + words[at + size :]
        atoms = scan_atoms(rest)
        if not atoms or any(
            a.month or a.weekday is not None or a.offset is not None for a in atoms
        ):
            return words
        month = (today.month - 1 + ahead) % 12 + 1
        last = atoms[-1].last + 1
        return [*rest[:last], "de", _MONTH_NAMES[month], *rest[last:]]
    return words


def _placed(atom: Atom) -> bool:
    """Already tied to a month, a weekday or today."""
    return atom.month is not None or atom.weekday is not None or atom.offset is not None


def nights_in(words: list[str]) -> int | None:
    """The stay's length when stated: "3 noches", "una noche", "una semana", "un par de noches"."""
    found: set[int] = set()
    for index, word in enumerate(words[1:], start=1):
        count = count_of(words[index - 1])
        if word in _NIGHT_WORDS and words[index - 3 : index] == ["un", "par", "de"]:
            count = 2
        elif word in _WEEK_WORDS and count is not None:
            count *= 7
        elif word not in _NIGHT_WORDS:
            continue
        if count is None or not 1 <= count <= MAX_NIGHTS_MENTIONED:
            continue
        if index >= 3 and words[index - 2] in _OR_WORDS and count_of(words[index - 3]):
            raise UnclearDates(DateAmbiguity.MULTIPLE_OPTIONS)  # "2 o 3 noches"
        found.add(count)
    if len(found) > 1:
        raise UnclearDates(DateAmbiguity.MULTIPLE_OPTIONS)
    return found.pop() if found else None


def _from_occasion(check_in: date, check_out: date | None, nights: int | None) -> DateQuery:
    """An occasion's length is customary, so a stated night count replaces it."""
    if check_out is not None and nights is None:
        return DateQuery.between(check_in, check_out)
    return DateQuery.starting(check_in, nights)


def _from_atoms(atoms: list[Atom], words: list[str], today: date, nights: int | None) -> DateQuery:
    if len(atoms) == 1:
        (atom,) = atoms
        implied = 1 if atom.tonight and nights is None else nights
        return DateQuery.starting(resolve_start(atom, today), implied)
    if len(atoms) > 2:
        raise UnclearDates(DateAmbiguity.MULTIPLE_OPTIONS)
    first, second = atoms
    between = words[first.last + 1 : second.first]
    if any(word in _OR_WORDS for word in between):
        raise UnclearDates(DateAmbiguity.MULTIPLE_OPTIONS)
    check_in, check_out = resolve_range(first, second, today)
    opened_with_entre = "entre" in words[max(0, first.first - 2) : first.first]
    if between in (["y"], ["y", "el"]) and not opened_with_entre:
        check_out += timedelta(days=1)
    stay = DateQuery.between(check_in, check_out)
    if nights is not None and nights != stay.nights:
        raise UnclearDates(DateAmbiguity.NIGHTS_MISMATCH)
    return stay
