"""A guest's name as we store and show it: what the guest typed, minus what cannot be seen.

Names reach us from the booking API and from WhatsApp, and are shown back to the owner (console,
alerts, logs) and the guest. Invisible characters would let a name look like another, look
empty, or reorder the text around it (bidi overrides), and terminal escapes would act on the
screen of whoever reads the logs. So every name is:

- NFC-normalised (``e`` + combining acute and ``é`` are one spelling);
- stripped of control characters (C0/C1, so ANSI escape sequences go whole), format characters
  (bidi embeddings, overrides and isolates, zero-width space/joiners, BOM, soft hyphen, tags),
  surrogates and the blank "letters" used to fake an empty name (Hangul fillers, braille blank);
- spaced by single spaces (any run of whitespace, line breaks included, becomes one);
- refused when no letter is left.

A NUL character is refused rather than removed, as in every other text field (PostgreSQL cannot
store it, and no keyboard types it: the request is malformed).
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from domain.errors import InvalidGuestName

# An ANSI/VT100 escape sequence (CSI … final byte, or ESC + one character): removed whole, so no
# "[31m" is left behind once ESC itself is dropped.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b[@-_]")
_REMOVED = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
# Letters or symbols that render as nothing (category Lo/So, so the categories miss them).
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_SPACES = re.compile(r"\s+")
_ASCII_LETTER = re.compile(r"[A-Za-z]")  # in ASCII, exactly the characters str.isalpha() takes
# A word of a person's name: letters, joined by apostrophes or hyphens ("O'Neill-Núñez").
NAME_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# ... as written in a form: an abbreviated one may end in a period ("Ana M. López").
_WRITTEN_WORD = re.compile(NAME_WORD.pattern + r"\.?")
MIN_FULL_NAME_WORDS = 2
MIN_WORD_LETTERS = 2


def without_invisibles(raw: str) -> str:
    """``raw`` NFC-normalised, without invisible or control characters; whitespace kept as is
    (a line break still separates what the guest wrote on two lines)."""
    kept = "".join(
        ch
        for ch in _ANSI.sub("", raw)
        if ch.isspace() or (ch not in _BLANKS and unicodedata.category(ch) not in _REMOVED)
    )
    # After the removal: a mark that followed a removed character now composes with its base.
    return unicodedata.normalize("NFC", kept)


def visible_text(raw: str) -> str:
    """``without_invisibles(raw)`` with every run of whitespace made one space, and trimmed."""
    if raw.isascii() and raw.isprintable():
        # The usual name: printable ASCII has nothing invisible, NFC leaves it as it is, and its
        # only whitespace is the space.
        return " ".join(raw.split())
    return _SPACES.sub(" ", without_invisibles(raw)).strip()


def guest_name(raw: str) -> str:
    """The name to store for a guest, or ``InvalidGuestName`` when nothing readable is left."""
    if "\x00" in raw:
        raise InvalidGuestName("guest_name must not contain NUL characters")
    name = visible_text(raw)
    if name.isascii():  # an ASCII letter is exactly an ASCII character of category L*
        has_letter = _ASCII_LETTER.search(name) is not None
    else:
        has_letter = any(unicodedata.category(ch).startswith("L") for ch in name)
    if not has_letter:
        raise InvalidGuestName(
            "guest_name must contain letters (invisible and control characters are removed)"
        )
    return name


def name_words(name: str) -> list[str]:
    """The words of a name, without what is no word of it (emoji, digits, symbols):
    ``Juana Pérez 😀`` → ``["Juana", "Pérez"]``."""
    return NAME_WORD.findall(name)


class FullNameProblem(StrEnum):
    """Why what a guest typed is not a first name and a surname."""

    NOT_LETTERS = "not_letters"  # a word with digits or symbols ("Juan 123", "Juana 😀")
    ONE_WORD = "one_word"  # no surname ("Juana", "J")
    INITIALS = "initials"  # fewer than two words of two letters ("Juan P.", "J P")


def full_name_problem(name: str) -> FullNameProblem | None:
    """What keeps ``name`` (as ``guest_name`` stores it) from being a first name and a surname,
    where a form asks for both: every word letters (apostrophes and hyphens inside, a period
    after an initial), and at least two words of two letters or more. None when it is one."""
    words = name.split()
    if not all(_WRITTEN_WORD.fullmatch(word) for word in words):
        return FullNameProblem.NOT_LETTERS
    if len(words) < MIN_FULL_NAME_WORDS:
        return FullNameProblem.ONE_WORD
    full = [word for word in words if len(word.rstrip(".")) >= MIN_WORD_LETTERS]
    if len(full) < MIN_FULL_NAME_WORDS:
        return FullNameProblem.INITIALS
    return None
