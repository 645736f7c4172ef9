"""One spelling per word, so that every matching rule is written once.

Guests type with or without accents, stretch letters ("holaaa"), use texting shorthand ("q",
"xq", "x favor", "finde") and abbreviate months ("15 dic"). ``normalize`` folds all of that into
lowercase ASCII-like words separated by single spaces. It keeps the separators that carry
meaning inside numbers (``15/12``, ``18-12-2026``, ``14:30``) and drops everything else,
emojis included, except the few emojis that mean yes or no. Every digit comes out ASCII: the
rules downstream read numbers with ``is_number`` and ``int``, never trusting ``str.isdigit``
(which says yes to "፪" and "𐩀", that ``int`` then refuses).
"""

from __future__ import annotations

import re
import unicodedata

# Emojis people answer with instead of words; every other emoji is noise.
_EMOJI_WORDS = {
    "👍": " ok ",
    "👌": " ok ",
    "✅": " ok ",
    "🙌": " ok ",
    "👎": " no ",
    "❌": " no ",
    "🚫": " no ",
}

# Whole-token rewrites. Multi-word results are fine: the text is re-split afterwards.
_SHORTHAND = {
    "q": "que",
    "k": "que",
    "ke": "que",
    "qe": "que",
    "xq": "porque",
    "xk": "porque",
    "pq": "porque",
    "porq": "porque",
    "x": "por",
    "xa": "para",
    "pa": "para",
    "pal": "para el",
    "d": "de",
    "xfa": "por favor",
    "xfavor": "por favor",
    "porfa": "por favor",
    "porfis": "por favor",
    "plis": "por favor",
    "pls": "por favor",
    "tmb": "tambien",
    "tb": "tambien",
    "tmbn": "tambien",
    "dsp": "despues",
    "dps": "despues",
    "desp": "despues",
    "hla": "hola",
    "bn": "bien",
    "msj": "mensaje",
    "nro": "numero",
    "num": "numero",
    "tel": "telefono",
    "cel": "celular",
    "hs": "horas",
    "hrs": "horas",
    "okey": "ok",
    "okay": "ok",
    "oka": "ok",
    "oki": "ok",
    "okis": "ok",
    "sip": "si",
    "reserbar": "reservar",
    "resevar": "reservar",
    "reserba": "reserva",
    "disponivilidad": "disponibilidad",
    "disponibilida": "disponibilidad",
    "dispo": "disponibilidad",
    "ene": "enero",
    "feb": "febrero",
    "abr": "abril",
    "may": "mayo",
    "jun": "junio",
    "jul": "julio",
    "ago": "agosto",
    "sep": "septiembre",
    "sept": "septiembre",
    "set": "septiembre",
    "setiembre": "septiembre",
    "oct": "octubre",
    "nov": "noviembre",
    "dic": "diciembre",
}

# Words that legitimately end in a doubled letter; every other final double is a stretch.
_REAL_DOUBLES = frozenset({"cree", "lee", "desee", "provee", "posee", "vee", "zoo"})

# Everything but letters, digits and the separators that may sit inside a number or a code.
_NOISE = re.compile(r"[^\w/:-]|_")
_LOOSE_NUMBER_SEPARATOR = re.compile(r"(?<!\d)[/:]|[/:](?!\d)")  # kept only as in "15/12"
_LOOSE_DASH = re.compile(r"(?<![^\W_])-|-(?![^\W_])")  # kept only as in "15-12", "ab-cd"
_COMBINING_MARKS = re.compile(r"[\u0300-\u036f]")
_ORDINAL_SUFFIX = re.compile(r"\b(\d{1,2})(?:ero|ro|er|do|da|ra|to|ta|vo|va|o|a)\b")
_THOUSANDS_DOT = re.compile(r"(?<=\d)\.(?=\d{3}\b)")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_STRETCH = re.compile(r"([a-z])\1{2,}")
_FINAL_DOUBLE = re.compile(r"([a-z])\1$")
# "mar" is only March next to a day number; elsewhere it is the sea.
_MARCH = re.compile(r"\b(\d{1,2}(?: de)?) mar\b")
_PHRASES = (
    (re.compile(r"\bfin de semana\b"), "finde"),
    (re.compile(r"\bfines de semana\b"), "findes"),
)


def is_number(word: str) -> bool:
    """ASCII digits only: the one test before ``int`` on a guest's word."""
    return word.isascii() and word.isdigit()


def ascii_digits(text: str) -> str:
    """Numbers in ASCII digits. After NFKC ("²", "３" → "2", "3"), a decimal digit of any script
    ("٣", "३") is its value; a numeral that is no decimal digit ("፪", "𐩀", "Ⅻ"'s parts) becomes
    a space: it is not a number we can read, so the bot asks rather than guesses."""
    if text.isascii():
        return text
    out = []
    for char in unicodedata.normalize("NFKC", text):
        if char.isascii():
            out.append(char)
        elif (value := unicodedata.decimal(char, None)) is not None:
            out.append(str(value))
        else:
            out.append(" " if char.isnumeric() else char)
    return "".join(out)


def fold(text: str) -> str:
    """Lowercase without diacritics (ñ→n, é→e); everything else untouched."""
    return _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text.casefold()))


def normalize(text: str) -> str:
    """The canonical form every cue, grammar and lexicon in this package is written against."""
    for emoji, word in _EMOJI_WORDS.items():
        text = text.replace(emoji, word)
    folded = _THOUSANDS_DOT.sub("", fold(ascii_digits(text)).replace("+", " mas "))
    cleaned = _ORDINAL_SUFFIX.sub(r"\1", _strip_noise(folded))
    cleaned = _LETTER_DIGIT.sub(" ", cleaned)
    words = [_unstretch(word) for word in cleaned.split()]
    expanded = " ".join(_SHORTHAND.get(word, word) for word in words)
    expanded = _MARCH.sub(r"\1 marzo", expanded)
    for pattern, replacement in _PHRASES:
        expanded = pattern.sub(replacement, expanded)
    return expanded


def _strip_noise(text: str) -> str:
    """Punctuation and emojis become spaces, except separators inside numbers and codes."""
    text = _NOISE.sub(" ", text)
    text = _LOOSE_NUMBER_SEPARATOR.sub(" ", text)
    return _LOOSE_DASH.sub(" ", text)


def _unstretch(word: str) -> str:
    """Undo stretched letters: "holaaa"→"hola", "buenass"→"buenas", but "llegar" stays."""
    word = _STRETCH.sub(r"\1", word)
    if word not in _REAL_DOUBLES and _FINAL_DOUBLE.search(word):
        word = word[:-1]
    return word
