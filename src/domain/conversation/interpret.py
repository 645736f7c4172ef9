"""Read one WhatsApp message: what the guest wants, and every detail they gave with it.

Intent priority — the first rule that applies wins:

1. HUMAN: asking for a person ("pasame con alguien", "sos un bot?") beats everything, even a
   pending question: someone who asks for a person must get one.
2. The pending question (``expecting``), when the message answers it:
   CONFIRMATION → CONFIRM_YES ("si", "dale", "ok", "de una", "confirmo", 👍) or CONFIRM_NO
   ("no", "mejor no", "lo pienso"), unless the message is about an existing reservation;
   CHOICE → CHOICE for a number, an ordinal or a cabin name ("la 2", "2", "la segunda",
   "la del lago"), CONFIRM_NO for "ninguna", PROVIDE_NAME for a first name and surname alone
   ("Pedro Gómez": the name the hold needs next, given early); NAME → see "The name step"
   below;
   GUESTS → AVAILABILITY when a head count (even a bare "4") is given. Otherwise fall through.
3. CANCEL: "cancelar", "anular", "no vamos a poder ir" (asking about the cancellation policy is
   HELP). It beats STATUS: "cancelar mi reserva ABCD-…" is a cancellation.
4. STATUS: a reservation code, "mi reserva", "ya pagué", "está confirmada?".
5. CHOICE when the guest explicitly picks ("me quedo con la 2", "opción 3", "elijo la del lago").
6. BOOK: a booking verb ("reservar", "alquilar", "hacer una reserva"), or wanting ("quiero",
   "queríamos") together with dates and no availability question.
7. AVAILABILITY: an availability or price question ("hay lugar", "disponible", "cuánto sale"),
   or any dates or head count at all — "hola, tienen lugar para el finde?" is not a greeting.
8. CHOICE for a bare option phrase ("la 2", "la segunda") with nothing else to act on.
9. PROVIDE_NAME for "a nombre de …", "me llamo …", "mi nombre es …" on their own.
10. CONFIRM_YES / CONFIRM_NO when the whole message is yes/no words, even unasked.
11. GREETING when every word is courtesy (hello, thanks, bye), with "soy <name>" allowed.
12. HELP: how it works and general information (location, pets, payment, check-in time).
13. UNKNOWN.

The name step (``expecting`` NAME), in this order:
a. dates, a head count written as a number or a cabin outside the name → AVAILABILITY: a
   change of mind ("no, esperá, mejor del 11 al 14", "mejor la familiar"), searched again —
   never a hold on the old choice. Words of the name do not count ("Domingo Pérez" is no
   Sunday, "Juan Lago" no cabin);
b. a booking name (first name and surname, see ``names.is_booking_name``) → PROVIDE_NAME;
c. "cancelar" → CANCEL: the choice in progress is dropped (the flow decides);
   a hesitation or refusal ("esperá", "dejame pensarlo", "no", "después te aviso") →
   CONFIRM_NO: the choice is kept, nothing is held;
d. any other name, or "a nombre de …" without one ("a nombre de mi marido") → PROVIDE_NAME,
   which asks for a first name and surname instead of holding.

The details are read regardless of the intent, so the flow can use them: a BOOK may already
carry the dates, the head count, the cabin and the name. ``ambiguity`` is the date ambiguity
reason (see ``DateAmbiguity``), else ``"guests_mismatch"`` when a total and its breakdown
disagree ("somos 4: 2 adultos y 3 chicos"), else ``"cabin_ambiguous"`` when two cabins matched
equally.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from domain.conversation import cues
from domain.conversation.dates import DateQuery, dates_in
from domain.conversation.entities import MAX_CHOICE, MAX_GUESTS, choice_in, code_in, guests_in
from domain.conversation.intents import Intent
from domain.conversation.lexicon import count_of
from domain.conversation.names import (
    MAX_NAME_LENGTH,
    cabin_in,
    hesitates,
    is_booking_name,
    person_name_in,
)
from domain.conversation.normalize import normalize
from domain.errors import InvalidValue
from domain.pricing.holidays import HolidayCalendar

CABIN_AMBIGUOUS = "cabin_ambiguous"
GUESTS_MISMATCH = "guests_mismatch"
_REJECT_ALL = frozenset({"ninguna", "ninguno"})
_STRONG_NAME_INTRO = ("a nombre de", "me llamo", "mi nombre es", "el nombre es")


class Expecting(StrEnum):
    """What the bot's previous message asked for."""

    NAME = "name"
    CHOICE = "choice"
    CONFIRMATION = "confirmation"
    DATES = "dates"
    GUESTS = "guests"


@dataclass(frozen=True, slots=True)
class Interpretation:
    intent: Intent
    dates: DateQuery | None = None
    guests: int | None = None
    choice: int | None = None  # 1-based option number; a cabin picked by name sets ``cabin``
    cabin: str | None = None  # exactly as given in ``cabin_names``
    reservation_code: str | None = None  # canonical: 12 symbols, no dashes
    name: str | None = None
    ambiguity: str | None = None

    def __post_init__(self) -> None:
        if self.guests is not None and not 1 <= self.guests <= MAX_GUESTS:
            raise InvalidValue(f"guests must be between 1 and {MAX_GUESTS}")
        if self.choice is not None and not 1 <= self.choice <= MAX_CHOICE:
            raise InvalidValue(f"an option is numbered from 1 to {MAX_CHOICE}")
        if self.name is not None and not 0 < len(self.name) <= MAX_NAME_LENGTH:
            raise InvalidValue(f"a name has 1 to {MAX_NAME_LENGTH} characters")


@dataclass(frozen=True, slots=True)
class _Reading:
    """Everything found in the message, before choosing the intent."""

    text: str
    words: list[str]
    interpretation: Interpretation  # every detail, with a placeholder intent
    talks_guests: bool  # even when the figures do not add up
    changes_stay: bool  # dates, a head count or a cabin, outside the words of the name


def interpret(
    text: str,
    today: date,
    *,
    cabin_names: Sequence[str] = (),
    expecting: Expecting | None = None,
    holidays: HolidayCalendar | None = None,
) -> Interpretation:
    """Understand ``text``; ``today`` is the local date in Argentina (from the clock port);
    ``holidays``: the days off the business observes, for long weekends (see ``dates``)."""
    reading = _read(text, today, cabin_names, expecting, holidays or HolidayCalendar())
    return replace(reading.interpretation, intent=_intent(reading, expecting))


def _read(
    text: str,
    today: date,
    cabin_names: Sequence[str],
    expecting: Expecting | None,
    holidays: HolidayCalendar,
) -> _Reading:
    code_and_rest = code_in(text)
    code, rest = code_and_rest if code_and_rest else (None, text)
    words = normalize(rest).split()
    picked = choice_in(words, expecting_choice=expecting is Expecting.CHOICE)
    date_words = list(words)
    if picked is not None and expecting is Expecting.CHOICE:
        date_words[picked[1]] = "opcion"  # "el 2" answering a list is an option, not a date
    dates = dates_in(date_words, today, holidays)
    head_count = guests_in(words)
    guests = head_count.guests if head_count else None
    if guests is None and expecting is Expecting.GUESTS and len(words) == 1:
        bare = count_of(words[0])  # "4" answering "¿cuántos son?"
        guests = bare if bare is not None and 1 <= bare <= MAX_GUESTS else None
    cabin, cabin_unclear = cabin_in(words, cabin_names)
    name = person_name_in(text, answering=expecting is Expecting.NAME)
    if name is None and expecting is Expecting.CHOICE and picked is None and cabin is None:
        # A first name and surname alone while the list waits: the name the hold will need
        # ("Pedro Gómez" written before, or delivered before, the cabin's number).
        alone = person_name_in(text, answering=True)
        name = alone if alone is not None and is_booking_name(alone) else None
    unnamed = words
    if name is not None:
        # "Domingo Pérez" names a person, not next Sunday: read again without the name.
        named = set(normalize(name).split())
        unnamed = [word for word in words if word not in named]
    changes_stay = (
        (dates is not None and dates_in(unnamed, today, holidays) is not None)
        or (guests is not None and _counts_people(unnamed))
        or (cabin is not None and cabin_in(unnamed, cabin_names)[0] is not None)
    )
    ambiguity = dates.ambiguity.value if dates and dates.ambiguity else None
    if head_count and head_count.contradictory:
        ambiguity = ambiguity or GUESTS_MISMATCH
    found = Interpretation(
        intent=Intent.UNKNOWN,
        dates=dates,
        guests=guests,
        choice=picked[0] if picked else None,
        cabin=cabin,
        reservation_code=code,
        name=name,
        ambiguity=ambiguity or (CABIN_AMBIGUOUS if cabin_unclear else None),
    )
    return _Reading(
        " ".join(words),
        words,
        found,
        talks_guests=head_count is not None,
        changes_stay=changes_stay,
    )


def _intent(reading: _Reading, expecting: Expecting | None) -> Intent:
    text, words, found = reading.text, reading.words, reading.interpretation
    if cues.wants_human(text):
        return Intent.HUMAN
    if expecting is not None and (answer := _answer(reading, expecting)):
        return answer
    if cues.wants_cancel(text):
        return Intent.CANCEL
    if found.reservation_code or cues.asks_status(text):
        return Intent.STATUS
    if cues.picks_explicitly(text) and (found.choice is not None or found.cabin is not None):
        return Intent.CHOICE
    if cues.wants_to_book(text, has_dates=found.dates is not None):
        return Intent.BOOK
    if cues.asks_availability(text) or found.dates is not None or reading.talks_guests:
        return Intent.AVAILABILITY
    if found.choice is not None:
        return Intent.CHOICE
    if found.name and any(intro in text for intro in _STRONG_NAME_INTRO):
        return Intent.PROVIDE_NAME
    if cues.is_bare_confirmation(words) and (said := cues.confirmation(words)):
        return said
    if cues.is_greeting_only(_without_name(words, found.name)):
        return Intent.GREETING
    return Intent.HELP if cues.wants_help(text) else Intent.UNKNOWN


def _answer(reading: _Reading, expecting: Expecting) -> Intent | None:
    text, words, found = reading.text, reading.words, reading.interpretation
    about_reservation = found.reservation_code is not None or cues.asks_status(text)
    if expecting is Expecting.CONFIRMATION and not about_reservation:
        return cues.confirmation(words)
    if expecting is Expecting.CHOICE:
        if words and words[0] in _REJECT_ALL:
            return Intent.CONFIRM_NO
        if found.choice is not None or found.cabin is not None:
            return Intent.CHOICE
        if found.name is not None and is_booking_name(found.name) and not reading.changes_stay:
            return Intent.PROVIDE_NAME
    if expecting is Expecting.NAME and not about_reservation:
        return _name_step_answer(reading)
    if expecting is Expecting.GUESTS and found.guests is not None:
        return Intent.AVAILABILITY
    return None


def _counts_people(words: list[str]) -> bool:
    """A head count written as a number ("mejor para 3"), not one implied by "con mi marido"."""
    return guests_in(words) is not None and any(
        count_of(word) is not None and word not in ("un", "una", "uno") for word in words
    )


def _name_step_answer(reading: _Reading) -> Intent | None:
    """What a reply to "¿A nombre de quién?" is (rules a–d in the module docstring)."""
    name = reading.interpretation.name
    if reading.changes_stay:
        return Intent.AVAILABILITY
    if name is not None and is_booking_name(name):
        return Intent.PROVIDE_NAME
    if cues.wants_cancel(reading.text):
        return Intent.CANCEL
    if hesitates(reading.words):
        return Intent.CONFIRM_NO
    if name is not None or any(intro in reading.text for intro in _STRONG_NAME_INTRO):
        return Intent.PROVIDE_NAME
    return None


def _without_name(words: list[str], name: str | None) -> list[str]:
    """The words left once "soy <name>" is taken out, to see if the rest is only courtesy."""
    if name is None:
        return words
    dropped = {"soy", "me", "llamo", *normalize(name).split()}
    return [word for word in words if word not in dropped]
