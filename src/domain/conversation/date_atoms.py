"""Find the date mentions ("atoms") in a normalized message, before deciding what they mean.

An atom is one point in time as written: ``15/12``, ``18 de diciembre``, ``el 15``,
``viernes``, ``viernes 4``, ``hoy``, ``mañana``. A bare number is a day only where a person would
read it as one — after "el", "del", "al", "desde", "hasta", or next to a range connector — so
"somos 4" or "la 2" never become dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.conversation.lexicon import MONTHS, QUANTITY_NOUNS, REPLY_PRONOUNS, WEEKDAYS
from domain.conversation.normalize import is_number

_NUMERIC = re.compile(r"([0-9]{1,2})([/-])([0-9]{1,2})(?:[/-]([0-9]{4}|[0-9]{2}))?")
# ISO 8601, as a phone's date picker or a copied confirmation writes it: 2027-01-05.
_ISO = re.compile(r"(20[0-9]{2})-([0-9]{1,2})-([0-9]{1,2})")
_INTRODUCERS = frozenset({"el", "del", "al", "desde", "hasta", "dia", "entre"})
_END_WORDS = frozenset({"al", "hasta"})  # what comes after them is a check-out
# Words before a day that make "a"/"y" join two days: "del 15 a 18", "entre el 15 y 18".
_JOINERS = frozenset({"a", "y"})


@dataclass(frozen=True, slots=True)
class Atom:
    """One written point in time; ``first``/``last`` are the word indexes it spans."""

    first: int
    last: int
    day: int | None = None
    month: int | None = None
    year: int | None = None
    weekday: int | None = None
    offset: int | None = None  # days after today: "hoy" 0, "mañana" 1
    tonight: bool = False  # "esta noche": one night unless told otherwise
    is_end: bool = False  # introduced by "hasta"/"al": a check-out, never a check-in


def scan_atoms(words: list[str]) -> list[Atom]:
    atoms: list[Atom] = []
    index = 0
    while index < len(words):
        found = _atoms_at(words, index, atoms)
        if found:
            atoms.extend(found)
            index = found[-1].last + 1
        else:
            index += 1
    return atoms


def _atoms_at(words: list[str], i: int, before: list[Atom]) -> list[Atom]:
    word = words[i]
    previous = words[i - 1] if i > 0 else ""
    following = words[i + 1] if i + 1 < len(words) else ""
    if iso := _ISO.fullmatch(word):
        end = previous in _END_WORDS
        return [Atom(i, i, day=int(iso[3]), month=int(iso[2]), year=int(iso[1]), is_end=end)]
    if numeric := _NUMERIC.fullmatch(word):
        return _numeric(words, i, numeric)
    if _is_day(word):
        atom = _day(words, i, before)
        return [atom] if atom else []
    if word in ("primero", "primer") and (month := _month_after(words, i + 1)):
        month_number, last = month
        return [Atom(i, last, day=1, month=month_number, year=_year_after(words, last + 1))]
    if word in WEEKDAYS and following not in REPLY_PRONOUNS and previous != "los":
        return [_weekday(words, i)]
    if word == "hoy" and following not in REPLY_PRONOUNS:
        return [Atom(i, i, offset=0)]
    if word == "manana" and previous not in ("la", "de") and following not in REPLY_PRONOUNS:
        if previous == "pasado":
            return [Atom(i - 1, i, offset=2)]
        return [Atom(i, i, offset=1)]
    if word == "esta" and following == "noche":
        return [Atom(i, i + 1, offset=0, tonight=True)]
    return []


def _numeric(words: list[str], i: int, found: re.Match[str]) -> list[Atom]:
    day, separator, second, year = int(found[1]), found[2], int(found[3]), found[4]
    end = words[i - 1] in _END_WORDS if i > 0 else False
    month_after = _month_after(words, i + 1)
    if separator == "-" and year is None and (month_after or second > 12):
        # "15-18 de diciembre", "del 15-18": a range of days, not day-month.
        if month_after is None:
            return [Atom(i, i, day=day), Atom(i, i, day=second, is_end=True)]
        month, last = month_after
        closing = Atom(
            i, last, day=second, month=month, year=_year_after(words, last + 1), is_end=True
        )
        return [Atom(i, i, day=day), closing]
    full_year = None if year is None else int(year) + (2000 if len(year) == 2 else 0)
    return [Atom(i, i, day=day, month=second, year=full_year, is_end=end)]


def _day(words: list[str], i: int, before: list[Atom]) -> Atom | None:
    day = int(words[i])
    previous = words[i - 1] if i > 0 else ""
    end = previous in _END_WORDS or (previous == "el" and i > 1 and words[i - 2] == "hasta")
    if month := _month_after(words, i + 1):
        number, last = month
        return Atom(i, last, day=day, month=number, year=_year_after(words, last + 1), is_end=end)
    following = words[i + 1] if i + 1 < len(words) else ""
    if following in QUANTITY_NOUNS:
        return None
    joined = previous in _JOINERS and bool(before) and before[-1].last == i - 2
    opens_range = following in _END_WORDS | {"a"} and _day_follows(words, i + 2)
    if previous in _INTRODUCERS or joined or opens_range:
        return Atom(i, i, day=day, is_end=end or joined)
    return None


def _weekday(words: list[str], i: int) -> Atom:
    weekday = WEEKDAYS[words[i]]
    previous = words[i - 1] if i > 0 else ""
    end = previous in _END_WORDS or (previous == "el" and i > 1 and words[i - 2] == "hasta")
    after = words[i + 1] if i + 1 < len(words) else ""
    beyond = words[i + 2] if i + 2 < len(words) else ""
    if _is_day(after) and beyond not in QUANTITY_NOUNS:
        day = int(after)
        if month := _month_after(words, i + 2):
            number, last = month
            year = _year_after(words, last + 1)
            return Atom(i, last, day=day, month=number, year=year, weekday=weekday, is_end=end)
        return Atom(i, i + 1, day=day, weekday=weekday, is_end=end)
    return Atom(i, i, weekday=weekday, is_end=end)


def _month_after(words: list[str], i: int) -> tuple[int, int] | None:
    """``(month, index of the month word)`` for "de diciembre" or "diciembre" at ``i``."""
    if i < len(words) and words[i] == "de":
        i += 1
    if i < len(words) and words[i] in MONTHS:
        return MONTHS[words[i]], i
    return None


def _year_after(words: list[str], i: int) -> int | None:
    if i < len(words) and words[i] in ("de", "del"):
        i += 1
    if i < len(words) and len(words[i]) == 4 and is_number(words[i]) and words[i][:2] == "20":
        return int(words[i])
    return None


def _day_follows(words: list[str], i: int) -> bool:
    """A second day closes the range: "15 al 18", "15 al 18/12", "15 hasta el 18"."""
    if i < len(words) and words[i] == "el":
        i += 1
    if i + 1 < len(words) and words[i + 1] in QUANTITY_NOUNS:
        return False  # "de 5 a 8 años", "de 2 a 4 noches"
    return i < len(words) and (_is_day(words[i]) or bool(_NUMERIC.fullmatch(words[i])))


def _is_day(word: str) -> bool:
    return is_number(word) and len(word) <= 2 and 1 <= int(word) <= 31
