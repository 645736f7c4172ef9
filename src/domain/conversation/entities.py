"""Head counts, picked options and reservation codes in a guest's message.

Head count decisions: every person counts, babies included ("somos 3 más un bebé" is 4) — the
cabin has to fit them and a cot is still a bed to prepare; whether babies pay is a pricing rule,
not something to hide while reading. Pets never count. "Una pareja" is 2, "2 parejas" is 4,
"yo solo" is 1. When a total and a breakdown are both given, they must add up ("somos 4: 2
adultos y 2 chicos") or be joined by "más"/"con"/"y" ("somos 2 y 2 nenes" is 4); a breakdown
that contradicts the total gives no count, so the bot asks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from domain.codes import LOOKALIKES, ReservationCode
from domain.conversation.lexicon import MONTHS, ORDINALS, QUANTITY_NOUNS, count_of, word_set
from domain.conversation.normalize import fold, is_number, normalize
from domain.errors import InvalidValue

MAX_GUESTS = 30
MAX_CHOICE = 20

_PEOPLE = frozenset(
    {
        "persona",
        "personas",
        "pax",
        "adulto",
        "adultos",
        "mayores",
        "menores",
        "chico",
        "chica",
        "chicos",
        "chicas",
        "nino",
        "nina",
        "ninos",
        "ninas",
        "nene",
        "nena",
        "nenes",
        "nenas",
        "hijo",
        "hija",
        "hijos",
        "hijas",
        "bebe",
        "bebes",
        "amigo",
        "amiga",
        "amigos",
        "amigas",
        "menor",
        "mayor",
        "huespedes",
        "jovenes",
        "adolescentes",
    }
)
_TOTAL_VERBS = frozenset(
    {"somos", "seriamos", "seremos", "vamos", "viajamos", "iriamos", "entramos"}
)
_ADULTS = frozenset({"persona", "personas", "pax", "adulto", "adultos", "mayor", "mayores"})
_PARTNERS = r"(?:pareja|novi[oa]|espos[oa]|marido|mujer|senora|senor|compa)"
_COUPLE = re.compile(rf"\b(?:mi {_PARTNERS} y yo|con mi {_PARTNERS}|en pareja)\b")
_ARTICLES = frozenset({"un", "una", "uno"})  # "somos una familia de 4": "una" is no head count
_ALONE = re.compile(r"\b(?:yo sol[oa]|sol[oa] yo|voy sol[oa]|para mi sol[oa])\b")
_ADDING = frozenset({"mas", "con", "y"})
_COUNTING_ONE = frozenset({"para", "por", "y", "mas", "somos", "seriamos"})
# Words around a bare option number: "dale, la 2 porfa", "me quedo con esa, la 3".
_CHOICE_FILLER = word_set(
    "la el opcion numero por favor quiero me quedo con dale si ok gracias esa esta elijo "
    "prefiero que de una"
)
# Around a code picked from a list: "cancelá la ABCD-…", "esa, ABCD-… porfa".
_PICK_WORDS = _CHOICE_FILLER | word_set("cancelar cancela cancelala anular anulala reserva codigo")
_NOT_AN_OPTION = frozenset({"semana", "quincena", "vez", "noche", "finde", "dia", "mes", "piso"})
_CODE_DASHED = re.compile(r"(?<![0-9a-z])([0-9a-z]{4})-([0-9a-z]{4})-([0-9a-z]{4})(?![0-9a-z])")
_CODE_LOOSE = re.compile(r"(?<![0-9a-z])([0-9a-z]{4}) ?([0-9a-z]{4}) ?([0-9a-z]{4})(?![0-9a-z])")


@dataclass(frozen=True, slots=True)
class HeadCount:
    """What the message said about people: a number, or figures that do not add up."""

    guests: int | None
    contradictory: bool = False


def guests_in(words: list[str]) -> HeadCount | None:
    """``None`` when the message does not talk about how many people come."""
    text = " ".join(words)
    total: tuple[int, int] | None = None  # (word index, count)
    parts: list[tuple[int, int]] = []
    for index, word in enumerate(words):
        count = count_of(word)
        before = words[index - 1] if index > 0 else ""
        after = words[index + 1] if index + 1 < len(words) else ""
        if count is None or count > MAX_GUESTS:
            continue
        if word in _ARTICLES and after == "persona" and before not in _COUNTING_ONE:
            continue  # "hablar con una persona" is about who answers, not who comes
        if after in _PEOPLE:
            parts.append((index, count))
        elif after in ("pareja", "parejas"):
            parts.append((index, 2 * count))
        elif total is None and word not in _ARTICLES and _introduces_total(words, index):
            total = (index, count)
    adults_counted = any(words[index + 1] in _ADULTS for index, _ in parts)
    if total is None and not adults_counted and (couple := _COUPLE.search(text)):
        # "con mi pareja y 2 nenes" is 4; in "mi señora, yo: 2 adultos" the couple is counted.
        parts.append((len(text[: couple.start()].split()), 2))
    if total is None and not parts:
        return HeadCount(1) if _ALONE.search(text) else None
    counted = [*parts, *([total] if total else [])]
    if any(_one_of_two(words, index) for index, _ in counted) or _hedged_count(words):
        return HeadCount(None, contradictory=True)  # "somos 2 o 3": asked, never guessed
    return _combined(words, total, parts)


def _one_of_two(words: list[str], index: int) -> bool:
    """The count is one of two the guest has not settled: "2 o 3", "3 u 4 personas", "2 a 3
    personas", or hedged: "tal vez 3", "quizás 3", "capaz somos 3"."""
    after = words[index + 1 : index + 4]
    if len(after) >= 2 and after[0] in ("o", "u") and count_of(after[1]) is not None:
        noun = after[2] if len(after) == 3 else ""
        return not (noun in QUANTITY_NOUNS and noun not in _PEOPLE)  # not "2 o 3 noches"
    before = words[max(0, index - 2) : index]
    if len(before) == 2 and count_of(before[0]) is not None:
        # "2 o 3", and "2 a 3 personas" (a range of people, not of days: a people noun follows)
        joined = before[1] in ("o", "u") or (before[1] == "a" and _people_after(words, index))
        if joined:
            return True
    return False


_HEDGES = (("tal", "vez"), ("quizas",), ("quiza",), ("capaz",), ("a", "lo", "mejor"))
_NOT_PEOPLE_BEFORE = frozenset({"el", "del", "al", "desde", "hasta", "las", "la", "los"})


def _people_after(words: list[str], index: int) -> bool:
    return index + 1 < len(words) and words[index + 1] in _PEOPLE


def _hedged_count(words: list[str]) -> bool:
    """A number a hedge stands just before: "seríamos 2, tal vez 3", "capaz somos 3"."""
    for index, word in enumerate(words):
        count = count_of(word)
        if count is None or not 1 <= count <= MAX_GUESTS or word in _ARTICLES:
            continue
        after = words[index + 1] if index + 1 < len(words) else ""
        if after in QUANTITY_NOUNS and after not in _PEOPLE:
            continue  # "capaz 3 noches": not people
        if index and words[index - 1] in _NOT_PEOPLE_BEFORE:
            continue  # "capaz el 15", "tal vez a las 3": a day or an hour
        window = words[max(0, index - 3) : index]
        if any(
            tuple(window[i : i + len(hedge)]) == hedge
            for hedge in _HEDGES
            for i in range(len(window) - len(hedge) + 1)
        ):
            return True
    return False


def _introduces_total(words: list[str], index: int) -> bool:
    before = words[index - 1] if index > 0 else ""
    after = words[index + 1] if index + 1 < len(words) else ""
    if after in QUANTITY_NOUNS and after not in _PEOPLE:
        return False
    if before in _TOTAL_VERBS or words[max(0, index - 3) : index] == ["vamos", "a", "ser"]:
        return True
    if before == "de" and index > 1 and words[index - 2] in ("familia", "grupo"):
        return True
    # "para 2 o 3 noches": a number offered as an alternative is not a head count.
    return before == "para" and after not in MONTHS and after not in ("de", "o", "u")


def _combined(
    words: list[str], total: tuple[int, int] | None, parts: list[tuple[int, int]]
) -> HeadCount:
    counted = sum(count for _, count in parts)
    if total is None:
        found = counted
    elif not parts:
        found = total[1]
    else:
        first_part = min(index for index, _ in parts)
        if _ADDING & set(words[total[0] + 1 : first_part]):
            found = total[1] + counted  # "somos 3 más un bebé"
        elif counted == total[1]:
            found = total[1]  # "somos 4: 2 adultos y 2 chicos"
        else:
            return HeadCount(None, contradictory=True)  # "somos 4: 2 adultos y 3 chicos"
    return HeadCount(found if 1 <= found <= MAX_GUESTS else None)


def choice_in(words: list[str], *, expecting_choice: bool) -> tuple[int, int] | None:
    """``(option, word index)`` picked: "la 2", "opción 3", "la segunda", or a bare "2" when
    the bot has just listed options. "el 2" is an option only then; otherwise it is a date."""
    for index, word in enumerate(words):
        before = words[index - 1] if index > 0 else ""
        after = words[index + 1] if index + 1 < len(words) else ""
        picked = _option_number(word, before, after, words[index + 2 : index + 3])
        if picked is not None and (before != "el" or not is_number(word) or expecting_choice):
            return (picked, index) if 1 <= picked <= MAX_CHOICE else None
    if expecting_choice:
        content = [index for index, word in enumerate(words) if word not in _CHOICE_FILLER]
        if len(content) == 1 and (count := count_of(words[content[0]])):
            return (count, content[0]) if 1 <= count <= MAX_CHOICE else None
    return None


def _option_number(word: str, before: str, after: str, beyond: list[str]) -> int | None:
    if after in _NOT_AN_OPTION or after in QUANTITY_NOUNS or after == "/":
        return None
    if after == "de" and beyond and beyond[0] in MONTHS:
        return None
    if word in ORDINALS and (before in ("la", "el") or after == "opcion"):
        return ORDINALS[word]
    count = count_of(word)
    if count is None or (word == "una" and before == "la"):
        return None
    if before in ("opcion", "numero") or (before in ("la", "el") and is_number(word)):
        return count
    if before == "la" and count >= 2:
        return count  # "la dos"; "la una" is one o'clock
    return None


def bare_number_in(words: list[str]) -> int | None:
    """The number a reply to a numbered list consists of, whatever its range ("la 7", "0",
    "opción 12"); None when the reply says anything more."""
    content = [word for word in words if word not in _CHOICE_FILLER]
    return count_of(content[0]) if len(content) == 1 else None


def listed_code_in(text: str, codes: Sequence[str]) -> str | None:
    """Which of ``codes`` (canonical, as listed to the guest) the reply ``text`` picks: the
    code in any case, with or without dashes or spaces, look-alikes forgiven as
    ``ReservationCode.parse`` does — also a code ``code_in`` would not dare to read in free
    text (no digits): the guest was just shown these — with nothing around it but "la",
    "cancelar", "esa", "por favor"… None when it writes none of them, several, or says more
    ("¿cómo está la reserva …?" is another question)."""
    found = [code for code in codes if code in _compact(text)]
    if len(found) != 1:
        return None
    (code,) = found
    said = [w for w in normalize(text).split() if w not in _PICK_WORDS and _compact(w) not in code]
    return None if said else code


def _compact(text: str) -> str:
    """Letters and digits as a code reads them: upper case, no separators, no look-alikes."""
    kept = "".join(c for c in fold(text).upper() if c.isascii() and c.isalnum())
    return kept.translate(LOOKALIKES)


def code_in(text: str) -> tuple[str, str] | None:
    """A reservation code and the rest of the message (folded), or ``None``.

    The code comes back canonical: 12 symbols, no dashes (guests see it as XXXX-XXXX-XXXX).
    With dashes it is unmistakable. Without them ordinary words can look like a code ("hola
    como esta" is three groups of four valid symbols), so undashed forms must mix letters and
    digits, and the spaced form needs digits in at least two groups; a code that fails that
    (about one in eight) is still recognized when written with dashes.
    """
    folded = fold(text)
    for match in _CODE_DASHED.finditer(folded):
        if code := _valid(match.group(1, 2, 3)):
            return code, f"{folded[: match.start()]} {folded[match.end() :]}"
    for match in _CODE_LOOSE.finditer(folded):
        groups = match.group(1, 2, 3)
        joined = "".join(groups)
        spaced = " " in match.group(0)
        with_digits = sum(any(is_number(char) for char in group) for group in groups)
        mixed = any(is_number(char) for char in joined) and any(char.isalpha() for char in joined)
        if mixed and (not spaced or with_digits >= 2) and (code := _valid(groups)):
            return code, f"{folded[: match.start()]} {folded[match.end() :]}"
    return None


def _valid(groups: tuple[str | None, ...]) -> str | None:
    try:
        return ReservationCode.parse("".join(group or "" for group in groups)).value
    except InvalidValue:
        return None
