"""Words with a fixed meaning for dates, counts and options, in their normalized spelling."""

from __future__ import annotations

from domain.conversation.normalize import is_number

MONTHS = {
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
}

# Monday is 0, as in ``date.weekday()``.
WEEKDAYS = {
    "lunes": 0,
    "martes": 1,
    "miercoles": 2,
    "jueves": 3,
    "viernes": 4,
    "sabado": 5,
    "domingo": 6,
}

NUMBER_WORDS = {
    "un": 1,
    "uno": 1,
    "una": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "diez": 10,
    "once": 11,
    "doce": 12,
}

ORDINALS = {
    "primera": 1,
    "primero": 1,
    "primer": 1,
    "segunda": 2,
    "segundo": 2,
    "tercera": 3,
    "tercero": 3,
    "tercer": 3,
    "cuarta": 4,
    "cuarto": 4,
    "quinta": 5,
    "quinto": 5,
    "sexta": 6,
    "sexto": 6,
}

# A number right before one of these counts something other than a calendar day.
QUANTITY_NOUNS = frozenset(
    {
        "noche",
        "noches",
        "dia",
        "dias",
        "semana",
        "semanas",
        "persona",
        "personas",
        "pax",
        "adulto",
        "adultos",
        "mayores",
        "menores",
        "chicos",
        "chicas",
        "ninos",
        "ninas",
        "nenes",
        "nenas",
        "bebes",
        "bebe",
        "horas",
        "hora",
        "anos",
        "meses",
        "mil",
        "pesos",
        "minutos",
        "cabanas",
        "camas",
        "habitaciones",
        "huespedes",
    }
)

# Pronouns after "hoy"/"mañana"/a weekday that turn it into "when I will answer you".
REPLY_PRONOUNS = frozenset({"te", "les", "le", "lo", "la", "los", "nos", "vemos"})


def count_of(word: str) -> int | None:
    """A small cardinal written as digits or as a word ("4", "cuatro")."""
    if is_number(word) and len(word) <= 3:
        return int(word)
    return NUMBER_WORDS.get(word)


def word_set(words: str) -> frozenset[str]:
    """A vocabulary written as one space-separated string, which keeps long lists readable."""
    return frozenset(words.split())
