"""Names in a message: the guest's own name, and which of our cabins they mean.

A person's name is taken from the raw text (it keeps its accents) after "a nombre de", "me
llamo", "mi nombre es" or "soy", or — when the bot has just asked for it — from the whole answer.
It is title-cased with Spanish particles in lowercase ("María de los Ángeles"), letters, spaces,
apostrophes and hyphens only, at most ``MAX_NAME_LENGTH`` characters; anything else is not a name.

A cabin is matched on the distinctive words of its name, ignoring accents, case and generic
words ("Cabaña del Lago" is "lago"), so "la del lago" finds it; one-letter typos are forgiven on
longer words. Two cabins matching equally well is reported as ambiguous, never decided.

A reservation goes only under a *booking name* (``is_booking_name``): a first name and a surname
(two words at least, particles like "de" not counted) with none of its words a hesitation word.
Hesitation words (``HESITATION_WORDS``, one list, normalized spelling) are how Argentine guests
put a booking off or take it back at "¿A nombre de quién?": "esperá", "pará, dejame ver",
"dejame pensarlo", "no, mejor…", "después te aviso", "mañana te confirmo", "lo consulto",
"todavía no", "cancelá". Without this rule "no, esperá, mejor del 11 al 14" became a hold for
"Esperá", and "dejame pensarlo" one for "Dejame Pensarlo".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import lru_cache

from domain.booking.guest_name import NAME_WORD, without_invisibles
from domain.conversation.lexicon import word_set
from domain.conversation.normalize import fold, is_number, normalize

MAX_NAME_LENGTH = 80
MAX_NAME_WORDS = 6
_FUZZY_RATIO = 0.85
_FUZZY_MIN_LENGTH = 5

_STRONG_INTRO = re.compile(r"\b(?:a nombre de|me llamo|mi nombre es|el nombre es)\s+", re.I)
_WEAK_INTRO = re.compile(r"\bsoy\s+", re.I)
_SEGMENT_END = re.compile(r"[,.;:!?¡¿()\n]")
_PARTICLES = frozenset({"de", "del", "la", "las", "los", "da", "di", "van", "von"})
_NOT_NAMES = word_set(
    "y e o u que quiero queria quisiera para por con sin mi mis tu su el ella ellos los las "
    "la un una uno yo nuevo nueva cliente clienta gracias hola holis buenas buen buenos dia "
    "si no dale ok listo perfecto genial reserva reservar reserve tengo somos soy estoy "
    "necesito consulta consultar interesado interesada muy tambien ahi aca aqui nosotros "
    "amigo amiga esposa esposo novio novia pareja senora senor mama papa hijo hija familia "
    "persona dueno duena huesped argentino argentina cabana mismo misma quien como cuando "
    "donde porque pero asi bien mal perdon disculpa disculpe ya recien otra otro vez hoy "
    "manana finde noche noches precio cuanto tienen hay lugar favor saludos chau bueno "
    "claro seria sera es del de nombre a al lo le les me te se nos este esta ese esa "
    "confirmo cancelar mejor nada todo todos bot humano alguien marido mujer hermano hermana "
    "suegro suegra cunado cunada primo prima tio tia abuelo abuela jefe jefa companero "
    "companera viejo vieja hijos hijas"
)
# Words that put the booking off or decline it at the name step (see the module docstring).
# No common first name or surname is in here ("Segundo", "Rato" are people).
HESITATION_WORDS = word_set(
    "no nop nah espera esperame esperen esperenme aguarda aguardame aguarden pera dejame "
    "deja dejalo dejamelo dejeme pensarlo pensar pienso pensamos pensando pensarla mejor "
    "cancelar cancela cancelo cancelalo cancelala anular anula anulalo despues dsp luego aviso "
    "avisamos avisar confirmo confirmamos confirmar consulto consultamos consultarlo "
    "consultarla momento momentito momentico toque todavia ahora manana olvidate frena "
    "stop veo vemos chequeo fijo fijamos"
)
MIN_BOOKING_NAME_WORDS = 2
_LEADING_FILLER = re.compile(
    r"^(?:(?:si|sí|dale|ok|okey|claro|hola|buenas|bueno|perfecto|listo|ponelo|ponela|"
    r"ponele|es|seria|sería|para|a|nombre|de|el|mi|con)\b[\s,]*)+",
    re.I,
)
_TRAILING_FILLER = re.compile(r"(?:[\s,]+(?:gracias|saludos|muchas gracias|porfa))+\s*$", re.I)
_GENERIC_CABIN_WORDS = frozenset(
    {"cabana", "cabanas", "casa", "casita", "la", "el", "los", "las", "de", "del", "y", "depto"}
)


def person_name_in(text: str, *, answering: bool) -> str | None:
    """A person's name introduced in ``text``; with ``answering``, the bare answer counts too.
    Read from what is visible (``domain.booking.guest_name``): NFC, no invisible or control
    characters."""
    text = without_invisibles(text)
    for intro in (_STRONG_INTRO, _WEAK_INTRO):
        for match in intro.finditer(text):
            if name := _name_at_start(text[match.end() :]):
                return name
    if not answering:
        return None
    for segment in reversed(_SEGMENT_END.split(text)):
        cleaned = _TRAILING_FILLER.sub("", _LEADING_FILLER.sub("", segment.strip())).strip()
        if cleaned and (name := _name_at_start(cleaned, whole=True)):
            return name
    return None


def is_booking_name(name: str) -> bool:
    """Whether a reservation may go under ``name`` (as ``person_name_in`` found it): a first
    name and a surname, and no hesitation word among them."""
    words = [fold(word) for word in name.split()]
    significant = [word for word in words if word not in _PARTICLES]
    return len(significant) >= MIN_BOOKING_NAME_WORDS and not HESITATION_WORDS & set(words)


def hesitates(words: Sequence[str]) -> bool:
    """A reply (normalized words) that puts the booking off or declines it."""
    return bool(HESITATION_WORDS & set(words))


def _name_at_start(text: str, *, whole: bool = False) -> str | None:
    head = _SEGMENT_END.split(text, maxsplit=1)[0].strip()
    taken: list[str] = []
    for token in head.split():
        folded = fold(token)
        not_a_name = folded in _NOT_NAMES or folded in HESITATION_WORDS
        if not NAME_WORD.fullmatch(token) or (not_a_name and folded not in _PARTICLES):
            if whole:
                return None
            break
        taken.append(token)
    while taken and fold(taken[-1]) in _PARTICLES:
        taken.pop()
    if not taken or fold(taken[0]) in _PARTICLES or len(taken[0]) < 2:
        return None
    name = " ".join(_capitalized(word, first=index == 0) for index, word in enumerate(taken))
    return name if len(taken) <= MAX_NAME_WORDS and len(name) <= MAX_NAME_LENGTH else None


def _capitalized(word: str, *, first: bool) -> str:
    if not first and fold(word) in _PARTICLES:
        return word.lower()
    return re.sub(r"[^\W\d_]+", lambda part: part[0][:1].upper() + part[0][1:].lower(), word)


def cabin_in(words: Sequence[str], cabin_names: Sequence[str]) -> tuple[str | None, bool]:
    """The cabin the message names, and whether several matched equally (then no cabin)."""
    scored = [(_cabin_score(words, name), name) for name in cabin_names]
    best = max((score for score, _ in scored), default=0)
    if best == 0:
        return None, False
    winners = [name for score, name in scored if score == best]
    return (winners[0], False) if len(winners) == 1 else (None, True)


def _cabin_score(words: Sequence[str], cabin_name: str) -> int:
    tokens, keys = _cabin_keys(cabin_name)
    if all(is_number(key) for key in keys):
        # "Cabaña 2" must be named in full: a bare "2" is an option number or a head count.
        return len(tokens) if f" {' '.join(tokens)} " in f" {' '.join(words)} " else 0
    return sum(1 for key in keys if any(_same_word(key, word) for word in words))


@lru_cache(maxsize=256)
def _cabin_keys(cabin_name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The cabin's words and its distinctive ones ("Cabaña del Lago" → "lago")."""
    tokens = tuple(normalize(cabin_name).split())
    keys = tuple(token for token in tokens if token not in _GENERIC_CABIN_WORDS) or tokens
    return tokens, keys


def _same_word(key: str, word: str) -> bool:
    if key == word:
        return True
    if min(len(key), len(word)) < _FUZZY_MIN_LENGTH:
        return False
    return SequenceMatcher(None, key, word).ratio() >= _FUZZY_RATIO
